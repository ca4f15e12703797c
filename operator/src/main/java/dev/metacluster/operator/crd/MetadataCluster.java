package dev.metacluster.operator.crd;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * A replicated metadata service: 1, 3, 5 or 7 masters forming one Raft group. The operator turns it
 * into a StatefulSet of masters plus the objects around it, and reports what the masters say about
 * themselves in {@link MetadataClusterStatus}.
 */
@Group(MetadataCluster.GROUP)
@Version(MetadataCluster.VERSION)
@ShortNames("mdc")
@AdditionalPrinterColumn(
    name = "Replicas",
    jsonPath = ".spec.replicas",
    type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(
    name = "Ready",
    jsonPath = ".status.readyReplicas",
    type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Leader", jsonPath = ".status.leader")
@AdditionalPrinterColumn(name = "Phase", jsonPath = ".status.phase")
@AdditionalPrinterColumn(
    name = "Age",
    jsonPath = ".metadata.creationTimestamp",
    type = AdditionalPrinterColumn.Type.DATE)
public class MetadataCluster extends CustomResource<MetadataClusterSpec, MetadataClusterStatus>
    implements Namespaced {
  public static final String GROUP = "metacluster.dev";
  public static final String VERSION = "v1alpha1";

  public MetadataCluster() {}

  public MetadataCluster(String namespace, String name, MetadataClusterSpec spec) {
    getMetadata().setNamespace(namespace);
    getMetadata().setName(name);
    setSpec(spec);
  }
}

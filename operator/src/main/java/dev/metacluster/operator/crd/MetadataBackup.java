package dev.metacluster.operator.crd;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * One backup of a MetadataCluster, taken now: the operator runs a Job that streams the backup from
 * the leader to the target and reports the result (URI, term/index, size, checksum) in {@link
 * MetadataBackupStatus}. Created by a user, by the schedule of {@code spec.backup}, or before an
 * upgrade.
 */
@Group(MetadataCluster.GROUP)
@Version(MetadataCluster.VERSION)
@ShortNames("mdb")
@AdditionalPrinterColumn(name = "Phase", jsonPath = ".status.phase")
@AdditionalPrinterColumn(name = "Cluster", jsonPath = ".spec.cluster")
@AdditionalPrinterColumn(
    name = "Index",
    jsonPath = ".status.index",
    type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(
    name = "Size",
    jsonPath = ".status.sizeBytes",
    type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(
    name = "Age",
    jsonPath = ".metadata.creationTimestamp",
    type = AdditionalPrinterColumn.Type.DATE)
public class MetadataBackup extends CustomResource<MetadataBackupSpec, MetadataBackupStatus>
    implements Namespaced {

  public MetadataBackup() {}

  public MetadataBackup(String namespace, String name, MetadataBackupSpec spec) {
    getMetadata().setNamespace(namespace);
    getMetadata().setName(name);
    setSpec(spec);
  }

  /** The phase, Pending when no status was written yet. */
  public String phase() {
    return getStatus() == null || getStatus().phase == null
        ? MetadataBackupStatus.PENDING
        : getStatus().phase;
  }
}

package dev.metacluster.e2e;

import dev.metacluster.operator.crd.MetadataCluster;
import dev.metacluster.operator.crd.MetadataClusterStatus;
import dev.metacluster.operator.model.Names;
import dev.metacluster.operator.status.ClusterConditions;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.util.Map;
import java.util.TreeMap;

/** What the scenarios share: the cluster they apply and how they read what a user sees. */
final class Scenarios {
  /** The master image the examples name; the harness runs the build output in its place. */
  static final String IMAGE = "ghcr.io/metacluster/master:0.1.0";

  private Scenarios() {}

  /**
   * manifests/examples/minimal.yaml with a heap that three masters on a 2-core CI machine can
   * afford (256m each, serial GC: fewer threads fighting over two cores).
   */
  static MetadataCluster minimal(String namespace, String name) {
    MetadataCluster mdc = dev.metacluster.operator.testing.Examples.example("minimal", namespace);
    mdc.getMetadata().setName(name);
    mdc.getSpec().jvm = new dev.metacluster.operator.crd.JvmSpec();
    mdc.getSpec().jvm.heap = "256m";
    mdc.getSpec().jvm.extraOptions = "-XX:+UseSerialGC -XX:TieredStopAtLevel=1";
    return mdc;
  }

  /**
   * Wide election timeouts (1-2 s) for scenarios that do not measure failover: on a shared 2-core
   * machine a JVM may stall for most of a second, and the product's 300-600 ms default would then
   * call elections that no real fault caused.
   */
  static MetadataCluster patient(MetadataCluster mdc) {
    mdc.getSpec().raft = new dev.metacluster.operator.crd.RaftSpec();
    mdc.getSpec().raft.electionTimeoutMinMillis = 1000;
    mdc.getSpec().raft.electionTimeoutMaxMillis = 2000;
    return mdc;
  }

  /**
   * {@code kubectl patch mdc NAME --type merge -p '{"spec":SPEC}'}: a merge patch without a
   * resourceVersion, so it does not conflict with the operator's status writes.
   */
  static void patchSpec(KubernetesClient client, String namespace, String name, String specJson) {
    client
        .resources(MetadataCluster.class)
        .inNamespace(namespace)
        .withName(name)
        .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":" + specJson + "}");
  }

  static Condition condition(MetadataClusterStatus status, String type) {
    return ClusterConditions.find(status.conditions, type).orElse(new Condition());
  }

  static boolean isReady(MetadataClusterStatus status) {
    return "True".equals(condition(status, "Ready").getStatus());
  }

  /** Pod name to its {@code metacluster.dev/role} label ("" when unlabelled). */
  static Map<String, String> roles(KubernetesClient client, String namespace, String cluster) {
    Map<String, String> roles = new TreeMap<>();
    for (Pod p :
        client
            .pods()
            .inNamespace(namespace)
            .withLabel(Names.LABEL_INSTANCE, cluster)
            .list()
            .getItems()) {
      roles.put(
          p.getMetadata().getName(),
          p.getMetadata().getLabels().getOrDefault(Names.LABEL_ROLE, ""));
    }
    return roles;
  }
}

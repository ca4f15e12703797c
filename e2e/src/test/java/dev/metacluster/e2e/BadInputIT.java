package dev.metacluster.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.metacluster.api.client.MetadataClient;
import dev.metacluster.operator.crd.MetadataCluster;
import dev.metacluster.operator.crd.MetadataClusterStatus;
import dev.metacluster.operator.testing.Examples;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Scenario 7: invalid MetadataCluster specs are reported, never acted on, and a healthy cluster in
 * the same namespace is not disturbed: same processes, same leader, same StatefulSet, data still
 * served.
 *
 * <p>On a real API server the CRD schema refuses most of these at admission (operator's CrdTest
 * checks the schema does); the mock API server enforces no schema, so here they reach the operator,
 * which is the second line of defence this scenario exercises (SpecValidator: condition Degraded,
 * reason InvalidSpec, phase Invalid, no children).
 */
class BadInputIT {
  static final String NS = "badinput";
  static final Duration WAIT = Duration.ofSeconds(30);
  static E2eHarness env;

  /**
   * operator/src/test/resources/invalid/*, as a user would apply them. One is left out: {@code
   * bad-pull-policy} (an enum value the typed model cannot even carry; the schema refuses it at
   * admission on a real API server).
   */
  static final List<String> INVALID =
      List.of(
          "zero-replicas",
          "too-many-replicas",
          "no-image",
          "bad-heap",
          "negative-size",
          "short-election-timeout");

  @BeforeAll
  static void start() throws Exception {
    env = new E2eHarness("badinput");
  }

  @AfterAll
  static void stop() {
    if (env != null) {
      env.close();
    }
  }

  @Test
  void invalidSpecsAreReportedAndTheHealthyClusterIsUndisturbed() {
    KubernetesClient k8s = env.client();
    k8s.resource(Scenarios.patient(Scenarios.minimal(NS, "meta"))).create();
    env.awaitReady(NS, "meta", Duration.ofSeconds(180));
    String service = env.serviceAddress(NS, "meta");
    try (MetadataClient client =
        MetadataClient.builder().target(service).callTimeout(Duration.ofSeconds(20)).build()) {
      client.createDirectory("/before", false);
    }
    Map<String, Long> pids = pids();
    StatefulSet stsBefore = k8s.apps().statefulSets().inNamespace(NS).withName("meta").get();
    String config =
        k8s.configMaps().inNamespace(NS).withName("meta-config").get().getData().toString();

    // new clusters with invalid specs: reported, nothing created for them
    Map<String, String> names = new TreeMap<>();
    for (String file : INVALID) {
      MetadataCluster bad =
          Examples.load(
              Examples.repo().resolve("operator/src/test/resources/invalid/" + file + ".yaml"), NS);
      names.put(file, bad.getMetadata().getName());
      k8s.resource(bad).create();
    }
    for (String file : INVALID) {
      String name = names.get(file);
      await()
          .atMost(WAIT)
          .untilAsserted(
              () -> {
                MetadataClusterStatus s = env.status(NS, name);
                assertThat(s.phase).as(file).isEqualTo("Invalid");
                assertThat(Scenarios.condition(s, "Degraded").getReason())
                    .as(file)
                    .isEqualTo("InvalidSpec");
                assertThat(Scenarios.condition(s, "Degraded").getMessage())
                    .as(file)
                    .contains("spec.");
                assertThat(Scenarios.condition(s, "Ready").getStatus()).as(file).isEqualTo("False");
              });
      assertThat(k8s.apps().statefulSets().inNamespace(NS).withName(name).get()).as(file).isNull();
      assertThat(k8s.configMaps().inNamespace(NS).withName(name + "-config").get())
          .as(file)
          .isNull();
    }

    // an invalid change to the healthy cluster: refused with a condition, nothing rolled
    k8s.resources(MetadataCluster.class)
        .inNamespace(NS)
        .withName("meta")
        .edit(
            m -> {
              m.getSpec().replicas = 4;
              m.getSpec().storage = new dev.metacluster.operator.crd.StorageSpec();
              m.getSpec().storage.metastore = new dev.metacluster.operator.crd.VolumeSpec();
              m.getSpec().storage.metastore.size = "10Gi";
              m.getSpec().storage.metastore.storageClassName = "other";
              return m;
            });
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              MetadataClusterStatus s = env.status(NS, "meta");
              assertThat(s.observedGeneration).isEqualTo(2L);
              assertThat(Scenarios.condition(s, "Degraded").getReason()).isEqualTo("InvalidSpec");
              assertThat(Scenarios.condition(s, "Degraded").getMessage())
                  .contains("spec.replicas")
                  .contains("storageClassName");
              // still serving: the masters are up, only the spec is refused
              assertThat(Scenarios.condition(s, "Available").getStatus()).isEqualTo("True");
            });

    // revert: Ready again
    k8s.resources(MetadataCluster.class)
        .inNamespace(NS)
        .withName("meta")
        .edit(
            m -> {
              m.getSpec().replicas = 3;
              m.getSpec().storage = null;
              return m;
            });
    await().atMost(WAIT).until(() -> Scenarios.isReady(env.status(NS, "meta")));

    // undisturbed: the same processes, StatefulSet and configuration; the data is served
    assertThat(pids()).isEqualTo(pids);
    StatefulSet stsAfter = k8s.apps().statefulSets().inNamespace(NS).withName("meta").get();
    assertThat(stsAfter.getMetadata().getGeneration())
        .isEqualTo(stsBefore.getMetadata().getGeneration());
    assertThat(stsAfter.getSpec().getReplicas()).isEqualTo(3);
    assertThat(k8s.configMaps().inNamespace(NS).withName("meta-config").get().getData().toString())
        .isEqualTo(config);
    assertThat(k8s.pods().inNamespace(NS).list().getItems())
        .allSatisfy(
            p ->
                assertThat(p.getStatus().getContainerStatuses().get(0).getRestartCount()).isZero());
    try (MetadataClient client =
        MetadataClient.builder().target(service).callTimeout(Duration.ofSeconds(20)).build()) {
      assertThat(client.exists("/before")).isTrue();
      client.createDirectory("/after", false);
      assertThat(client.exists("/after")).isTrue();
    }
  }

  private static Map<String, Long> pids() {
    Map<String, Long> pids = new TreeMap<>();
    for (String pod : List.of("meta-0", "meta-1", "meta-2")) {
      pids.put(pod, env.kubelet().pod(NS, pod).process.pid());
    }
    return pids;
  }
}

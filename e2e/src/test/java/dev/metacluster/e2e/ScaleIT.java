package dev.metacluster.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.metacluster.api.admin.v1.Member;
import dev.metacluster.api.client.MetadataClient;
import dev.metacluster.operator.crd.MetadataCluster;
import dev.metacluster.operator.crd.MetadataClusterStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Scenario 3: a user scales a 3-member cluster to 5 and back to 3 while clients write, with the
 * leader on one of the ordinals that go. Up: the new members join and catch up, the cluster is
 * Ready with 5 voters. Down: the operator moves leadership off the leaving member, removes members
 * one at a time, shrinks the StatefulSet and deletes the leavers' claims. No acknowledged write is
 * lost, no client write fails, the Raft membership ends equal to the pods. Records {@code
 * scale_out_seconds} (spec.replicas 3 -> 5 to Ready with 5 caught-up voters).
 */
class ScaleIT {
  static final String NS = "scale";
  static E2eHarness env;

  @BeforeAll
  static void start() throws Exception {
    env = new E2eHarness("scale");
  }

  @AfterAll
  static void stop() {
    if (env != null) {
      env.close();
    }
  }

  @Test
  void threeToFiveToThreeUnderLoadWithTheLeaderAmongTheRemoved() throws Exception {
    KubernetesClient k8s = env.client();
    k8s.resource(Scenarios.patient(Scenarios.minimal(NS, "meta"))).create();
    env.awaitReady(NS, "meta", Duration.ofSeconds(180));

    try (MetadataClient client = env.clientOf(NS, "meta");
        WriteLoad load = new WriteLoad(client, "/load", 2)) {
      load.awaitProgress(100, Duration.ofSeconds(60));

      // 3 -> 5
      long grown = System.nanoTime();
      setReplicas(5);
      awaitReadyWith(5, Duration.ofSeconds(240));
      Figures.record("scale_out_seconds", (System.nanoTime() - grown) / 1e9, "s");
      assertThat(memberIds(client)).containsExactlyInAnyOrderElementsOf(pods(5));
      load.awaitProgress(100, Duration.ofSeconds(60));

      // the leader on an ordinal that goes: the operator must move leadership before removing it
      client.transferLeadership("meta-4");
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> "meta-4".equals(env.status(NS, "meta").leader));

      // 5 -> 3
      setReplicas(3);
      awaitReadyWith(3, Duration.ofSeconds(240));
      load.awaitProgress(100, Duration.ofSeconds(60));

      MetadataClusterStatus status = env.status(NS, "meta");
      assertThat(status.leader).isIn(pods(3));
      assertThat(memberIds(client)).containsExactlyInAnyOrderElementsOf(pods(3));
      assertThat(k8s.apps().statefulSets().inNamespace(NS).withName("meta").get())
          .satisfies(sts -> assertThat(sts.getSpec().getReplicas()).isEqualTo(3));
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () ->
                  assertThat(k8s.pods().inNamespace(NS).list().getItems())
                      .extracting(Pod::getMetadata)
                      .extracting(m -> m.getName())
                      .containsExactlyInAnyOrderElementsOf(pods(3)));
      // the leavers' claims and their data are gone: they can never rejoin on stale data
      for (String pod : List.of("meta-3", "meta-4")) {
        for (String volume : List.of("metastore", "journal")) {
          String claim = volume + "-" + pod;
          await()
              .atMost(Duration.ofSeconds(30))
              .untilAsserted(
                  () -> {
                    assertThat(k8s.persistentVolumeClaims().inNamespace(NS).withName(claim).get())
                        .as(claim)
                        .isNull();
                    assertThat(env.kubelet().claimDir(NS, claim)).as(claim).doesNotExist();
                  });
        }
      }
      load.stopAndVerify();
    }
  }

  private static void setReplicas(int replicas) {
    Scenarios.patchSpec(env.client(), NS, "meta", "{\"replicas\":" + replicas + "}");
  }

  /** Ready for the current generation, with {@code n} healthy members in status. */
  private static void awaitReadyWith(int n, Duration timeout) {
    await()
        .atMost(timeout)
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> {
              MetadataCluster mdc = env.cluster(NS, "meta");
              MetadataClusterStatus s = env.status(NS, "meta");
              return Scenarios.isReady(s)
                  && mdc.getMetadata().getGeneration().equals(s.observedGeneration)
                  && s.members.size() == n
                  && s.members.stream().allMatch(m -> Boolean.TRUE.equals(m.healthy));
            });
  }

  private static List<String> memberIds(MetadataClient client) {
    return client.clusterInfo().getMembersList().stream().map(Member::getId).toList();
  }

  private static List<String> pods(int n) {
    return IntStream.range(0, n).mapToObj(i -> "meta-" + i).toList();
  }
}

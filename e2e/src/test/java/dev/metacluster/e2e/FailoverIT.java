package dev.metacluster.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.metacluster.api.client.MetadataClient;
import dev.metacluster.operator.crd.MemberStatus;
import dev.metacluster.operator.crd.MetadataClusterStatus;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Scenario 2: the leader's process is killed with SIGKILL while clients write through the client
 * Service. A new leader shows in status and on the pod labels, writes resume with no manual step,
 * every acknowledged write is there, and the killed pod (restarted by the kubelet stand-in, same
 * volumes) rejoins and catches up. Records {@code failover_client_seconds} (kill to the first write
 * acknowledged after the process died) and {@code failover_status_seconds} (kill to a new leader in
 * the MetadataCluster status). The cluster keeps the product's default election timeouts (300-600
 * ms): they are what this scenario measures.
 */
class FailoverIT {
  static final String NS = "failover";
  static final int WRITERS = 2;
  static E2eHarness env;

  @BeforeAll
  static void start() throws Exception {
    env = new E2eHarness("failover");
  }

  @AfterAll
  static void stop() {
    if (env != null) {
      env.close();
    }
  }

  @Test
  void killingTheLeaderUnderLoadLosesNoAcknowledgedWriteAndTheMemberComesBack() throws Exception {
    env.client().resource(Scenarios.minimal(NS, "meta")).create();
    env.awaitReady(NS, "meta", Duration.ofSeconds(180));

    try (MetadataClient client = env.clientOf(NS, "meta");
        WriteLoad load = new WriteLoad(client, "/load", WRITERS)) {
      load.awaitProgress(200, Duration.ofSeconds(60));

      // the leader as the user sees it: in status, and labelled
      String leader = env.status(NS, "meta").leader;
      assertThat(leader).isNotNull();
      Kubelet.RunningPod victim = env.kubelet().pod(NS, leader);
      Process process = victim.process;
      long killed = System.nanoTime();
      process.destroyForcibly(); // kill -9
      process.onExit().get(10, TimeUnit.SECONDS);
      long dead = System.nanoTime();

      // status names another leader
      await()
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(50))
          .until(
              () -> {
                String now = env.status(NS, "meta").leader;
                return now != null && !now.equals(leader);
              });
      double statusSeconds = (System.nanoTime() - killed) / 1e9;
      // writes resume on the new leader
      load.awaitProgress(200, Duration.ofSeconds(60));
      double clientSeconds = (load.firstAckAfter(dead) - killed) / 1e9;
      Figures.record("failover_client_seconds", clientSeconds, "s");
      Figures.record("failover_status_seconds", statusSeconds, "s");

      // no write failed across the failover; every acknowledged one is there and nothing else
      load.stopAndVerify();
      assertThat(statusSeconds).as("seconds until status shows the new leader").isLessThan(15);

      String newLeader = env.status(NS, "meta").leader;
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () ->
                  assertThat(Scenarios.roles(env.client(), NS, "meta"))
                      .containsEntry(newLeader, "leader")
                      .doesNotContainEntry(leader, "leader"));
      // and an Event says so
      assertThat(env.client().v1().events().inNamespace(NS).list().getItems())
          .anyMatch(
              e ->
                  "LeaderChanged".equals(e.getReason())
                      && e.getMessage().contains(newLeader)
                      && e.getMessage().contains(leader));

      // the killed member's container was restarted on its volumes and caught up
      long commit = client.clusterInfo().getCommitIndex();
      await()
          .atMost(Duration.ofSeconds(120))
          .pollInterval(Duration.ofMillis(200))
          .untilAsserted(
              () -> {
                MetadataClusterStatus s = env.status(NS, "meta");
                MemberStatus back =
                    s.members.stream().filter(m -> m.name.equals(leader)).findFirst().orElseThrow();
                assertThat(back.healthy).isTrue();
                assertThat(back.appliedIndex).isGreaterThanOrEqualTo(commit);
                assertThat(Scenarios.isReady(s)).isTrue();
              });
      Pod pod = env.client().pods().inNamespace(NS).withName(leader).get();
      assertThat(pod.getStatus().getContainerStatuses().get(0).getRestartCount()).isEqualTo(1);
      assertThat(env.kubelet().pod(NS, leader).process.pid()).isNotEqualTo(process.pid());
    }
  }
}

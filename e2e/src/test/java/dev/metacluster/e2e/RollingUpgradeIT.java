package dev.metacluster.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.metacluster.api.client.MetadataClient;
import dev.metacluster.operator.crd.MetadataCluster;
import dev.metacluster.operator.crd.MetadataClusterStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Scenario 4: a user changes the image of a running 3-member cluster while clients write. The
 * operator restarts the followers one at a time and the leader last (after moving leadership), so
 * that a majority of members is ready at every moment and clients see no outage longer than one
 * election. Records {@code upgrade_seconds} (spec change to Ready on the new revision) and {@code
 * upgrade_longest_write_gap_seconds} (the longest time without an acknowledged write meanwhile).
 */
class RollingUpgradeIT {
  static final String NS = "upgrade";
  static final String NEW_IMAGE = "ghcr.io/metacluster/master:0.1.1";

  /**
   * The longest write gap accepted: one election at the scenario's 2 s maximum election timeout,
   * plus the client's rediscovery and the slack a shared 2-core machine needs. A rollout that took
   * the whole cluster down, or restarted the leader without handing over, would exceed it.
   */
  static final double MAX_WRITE_GAP_SECONDS = 8;

  static E2eHarness env;

  @BeforeAll
  static void start() throws Exception {
    env = new E2eHarness("upgrade");
  }

  @AfterAll
  static void stop() {
    if (env != null) {
      env.close();
    }
  }

  @Test
  void followersFirstLeaderLastNeverBelowQuorumUnderLoad() throws Exception {
    KubernetesClient k8s = env.client();
    k8s.resource(Scenarios.patient(Scenarios.minimal(NS, "meta"))).create();
    env.awaitReady(NS, "meta", Duration.ofSeconds(180));
    String leader = env.status(NS, "meta").leader;
    String oldRevision = revision(k8s);

    ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
    try (MetadataClient client = env.clientOf(NS, "meta");
        WriteLoad load = new WriteLoad(client, "/load", 2)) {
      load.awaitProgress(100, Duration.ofSeconds(60));

      // watch the rollout as a user with `kubectl get pods -w` would: which pod is replaced when,
      // and how many are ready at each moment
      Map<String, String> uids = podUids(k8s);
      List<String> restarts = new ArrayList<>();
      AtomicInteger fewestReady = new AtomicInteger(Integer.MAX_VALUE);
      sampler.scheduleWithFixedDelay(
          () -> {
            try {
              sample(k8s, uids, restarts, fewestReady);
            } catch (RuntimeException e) {
              // an API hiccup loses one sample, not the whole watch
            }
          },
          0,
          100,
          TimeUnit.MILLISECONDS);

      long changed = System.nanoTime();
      Scenarios.patchSpec(k8s, NS, "meta", "{\"image\":\"" + NEW_IMAGE + "\"}");
      await()
          .atMost(Duration.ofSeconds(300))
          .pollInterval(Duration.ofMillis(200))
          .until(() -> upgraded(k8s, oldRevision));
      double upgradeSeconds = (System.nanoTime() - changed) / 1e9;
      load.awaitProgress(100, Duration.ofSeconds(60));
      sampler.shutdown();
      assertThat(sampler.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
      double gap = load.longestGapSeconds(changed);
      Figures.record("upgrade_seconds", upgradeSeconds, "s");
      Figures.record("upgrade_longest_write_gap_seconds", gap, "s");

      synchronized (restarts) {
        assertThat(restarts)
            .as("pods in the order they were replaced")
            .containsExactlyInAnyOrder("meta-0", "meta-1", "meta-2")
            .last()
            .as("the leader when the upgrade began is replaced last")
            .isEqualTo(leader);
      }
      assertThat(fewestReady.get()).as("fewest ready members during the rollout").isGreaterThan(1);
      assertThat(gap).as("longest client-visible write gap, s").isLessThan(MAX_WRITE_GAP_SECONDS);
      assertThat(k8s.pods().inNamespace(NS).list().getItems())
          .allSatisfy(
              p -> assertThat(p.getSpec().getContainers().get(0).getImage()).isEqualTo(NEW_IMAGE));
      load.stopAndVerify();
    } finally {
      sampler.shutdownNow();
    }
  }

  /** One look at the pods: how many are ready, and which were replaced since the start. */
  private static void sample(
      KubernetesClient k8s,
      Map<String, String> uids,
      List<String> restarts,
      AtomicInteger fewestReady) {
    List<Pod> pods = k8s.pods().inNamespace(NS).list().getItems();
    int ready = (int) pods.stream().filter(env.kubelet()::isReady).count();
    fewestReady.accumulateAndGet(ready, Math::min);
    Map<String, String> now = podUids(k8s);
    synchronized (restarts) {
      uids.forEach(
          (name, uid) -> {
            if (!uid.equals(now.get(name)) && !restarts.contains(name)) {
              restarts.add(name);
            }
          });
    }
  }

  /** Ready for the new generation with every pod on the StatefulSet's new revision. */
  private static boolean upgraded(KubernetesClient k8s, String oldRevision) {
    MetadataCluster mdc = env.cluster(NS, "meta");
    MetadataClusterStatus s = env.status(NS, "meta");
    String revision = revision(k8s);
    return Scenarios.isReady(s)
        && mdc.getMetadata().getGeneration().equals(s.observedGeneration)
        && !revision.equals(oldRevision)
        && k8s.pods().inNamespace(NS).list().getItems().stream()
                .filter(
                    p ->
                        revision.equals(
                            p.getMetadata().getLabels().get(StatefulSetStandIn.LABEL_REVISION)))
                .count()
            == 3;
  }

  private static String revision(KubernetesClient k8s) {
    StatefulSet sts = k8s.apps().statefulSets().inNamespace(NS).withName("meta").get();
    return StatefulSetStandIn.revision(sts);
  }

  private static Map<String, String> podUids(KubernetesClient k8s) {
    Map<String, String> uids = new HashMap<>();
    for (Pod p : k8s.pods().inNamespace(NS).list().getItems()) {
      uids.put(p.getMetadata().getName(), p.getMetadata().getUid());
    }
    return uids;
  }
}

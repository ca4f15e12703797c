package dev.metacluster.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.metacluster.operator.crd.MetadataCluster;
import dev.metacluster.operator.crd.MetadataClusterStatus;
import dev.metacluster.operator.model.Names;
import dev.metacluster.operator.plan.Planner;
import dev.metacluster.operator.status.ClusterConditions;
import dev.metacluster.operator.testing.DayTwoHarness;
import dev.metacluster.operator.testing.FakeMasterAdmin;
import dev.metacluster.operator.testing.KubeletStandIn;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Day-2 sequences end to end through the real operator against the mock API server: the masters are
 * {@link FakeMasterAdmin} (membership calls change its group and are recorded), the StatefulSet
 * controller and kubelet are a {@link KubeletStandIn} loop (it reports what it does). Both write to
 * one timeline per test, on which the order of steps is asserted.
 */
class DayTwoIT {
  static final Duration WAIT = DayTwoHarness.WAIT;
  static DayTwoHarness h;
  static KubernetesClient client;
  static FakeMasterAdmin masters;
  final List<String> timeline = h.timeline;

  @BeforeAll
  static void start() {
    h = new DayTwoHarness().startOperator();
    client = h.client;
    masters = h.masters;
  }

  @AfterAll
  static void stop() {
    if (h != null) {
      h.close();
    }
  }

  /** A 3-member cluster, Running, meta-0 leading; pods of ordinals >= 3 start as joiners. */
  private void runningCluster(String ns, boolean newPodsJoin) {
    h.runningCluster(
        ns,
        m -> {},
        pod -> {
          if (newPodsJoin && Names.ordinal(h.get(ns), pod) >= 3) {
            masters.joiners(ns, pod);
          }
        });
  }

  private static MetadataClusterStatus status(String ns) {
    return h.status(ns);
  }

  private static Condition condition(String ns, String type) {
    return h.condition(ns, type);
  }

  private static void edit(String ns, Consumer<MetadataCluster> change) {
    h.edit(ns, change);
  }

  private static StatefulSet sts(String ns) {
    return h.sts(ns);
  }

  private static Set<String> claims(String ns) {
    return h.claims(ns).keySet();
  }

  private static boolean settled(String ns) {
    return h.settled(ns);
  }

  private int at(String line) {
    return h.at(line);
  }

  private int firstStartingWith(String prefix) {
    return h.firstStartingWith(prefix);
  }

  @Test
  void scaleThreeToFiveToThreeWithTheLeaderAmongTheRemoved() {
    String ns = "scale";
    runningCluster(ns, true);

    edit(ns, m -> m.getSpec().replicas = 5);
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              assertThat(masters.voters(ns)).hasSize(5);
              assertThat(settled(ns)).as("%s", status(ns).conditions).isTrue();
            });
    assertThat(at("add meta-3,meta-4")).isGreaterThan(at("sts replicas 3->5"));
    assertThat(status(ns).members).hasSize(5).allMatch(m -> Boolean.TRUE.equals(m.healthy));
    String peers =
        client
            .configMaps()
            .inNamespace(ns)
            .withName("meta-config")
            .get()
            .getData()
            .values()
            .iterator()
            .next();
    assertThat(peers).contains("join=true").contains("meta-4=meta-4.meta-peers");

    masters.elect(ns, "meta-4");
    await().atMost(WAIT).until(() -> "meta-4".equals(status(ns).leader));
    timeline.clear();

    edit(ns, m -> m.getSpec().replicas = 3);
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              assertThat(masters.voters(ns))
                  .containsExactlyInAnyOrder("meta-0", "meta-1", "meta-2");
              assertThat(sts(ns).getSpec().getReplicas()).isEqualTo(3);
              assertThat(claims(ns)).noneMatch(c -> c.endsWith("meta-3") || c.endsWith("meta-4"));
              assertThat(settled(ns)).as("%s", status(ns).conditions).isTrue();
            });
    // leader last: transfer -> remove -> shrink -> delete volumes for each member, meta-4 before
    // meta-3. A member's volumes go once its pod is gone, which may come after the next member's
    // removal started (that member is out of the group already; leftover claims are always
    // deleted), so volumes4 is only ordered after shrink4.
    int transfer = firstStartingWith("transfer meta-4->");
    int remove4 = at("remove meta-4");
    int shrink4 = at("sts replicas 5->4");
    int volumes4 = at("pvc deleted metastore-meta-4");
    int remove3 = at("remove meta-3");
    int shrink3 = at("sts replicas 4->3");
    int volumes3 = at("pvc deleted journal-meta-3");
    assertThat(List.of(transfer, remove4, shrink4, remove3, shrink3, volumes3))
        .as("%s", timeline)
        .isSorted();
    assertThat(volumes4).as("%s", timeline).isGreaterThan(shrink4);
    assertThat(at("pvc deleted journal-meta-4")).isGreaterThan(shrink4);
    assertThat(masters.calls(ns)).noneMatch(c -> c.startsWith("remove meta-0"));
    assertThat(status(ns).leader).isNotIn("meta-3", "meta-4");
  }

  @Test
  void anOppositeScaleWhileScalingUpIsRefusedAndNothingIsReversed() {
    String ns = "opposite";
    runningCluster(ns, false); // the new pods never come up as joiners

    edit(ns, m -> m.getSpec().replicas = 5);
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              assertThat(sts(ns).getSpec().getReplicas()).isEqualTo(5);
              assertThat(condition(ns, ClusterConditions.PROGRESSING).getReason())
                  .isEqualTo(Planner.SCALING_UP);
            });
    edit(ns, m -> m.getSpec().replicas = 3);
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              Condition degraded = condition(ns, ClusterConditions.DEGRADED);
              assertThat(degraded.getReason()).isEqualTo(ClusterConditions.REASON_SCALE_REFUSED);
              assertThat(degraded.getMessage())
                  .contains("spec.replicas 3 is refused while scaling up from 3 to 5");
              assertThat(condition(ns, ClusterConditions.READY).getStatus()).isEqualTo("False");
            });
    assertThat(status(ns).operation.toReplicas).isEqualTo(5);
    assertThat(sts(ns).getSpec().getReplicas()).isEqualTo(5);
    assertThat(masters.calls(ns)).isEmpty();

    // the joiners come up: the scale-up completes, then the new size is taken up
    masters.joiners(ns, "meta-3", "meta-4");
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              assertThat(sts(ns).getSpec().getReplicas()).isEqualTo(3);
              assertThat(settled(ns)).isTrue();
            });
    assertThat(masters.calls(ns))
        .containsExactly("add meta-3,meta-4", "remove meta-4", "remove meta-3");
  }

  @Test
  void withoutQuorumNoMembershipChange() {
    String ns = "noquorum";
    runningCluster(ns, true);
    masters.down(ns, "meta-1", "meta-2");
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              Condition available = condition(ns, ClusterConditions.AVAILABLE);
              assertThat(available.getStatus()).isEqualTo("False");
              assertThat(available.getReason()).isEqualTo(ClusterConditions.REASON_QUORUM_LOST);
            });
    edit(ns, m -> m.getSpec().replicas = 5);
    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(condition(ns, ClusterConditions.PROGRESSING).getMessage())
                    .startsWith("no quorum"));
    await()
        .during(Duration.ofSeconds(2))
        .atMost(Duration.ofSeconds(5))
        .until(() -> sts(ns).getSpec().getReplicas() == 3 && masters.calls(ns).isEmpty());
    assertThat(masters.voters(ns)).hasSize(3);
  }

  @Test
  void anUpgradeRestartsFollowersFirstOneAtATimeAndTheLeaderLast() {
    String ns = "upgrade";
    runningCluster(ns, true);
    masters.elect(ns, "meta-1");
    await().atMost(WAIT).until(() -> "meta-1".equals(status(ns).leader));
    String oldRevision = sts(ns).getStatus().getUpdateRevision();

    edit(ns, m -> m.getSpec().image = "registry.example.com/metacluster/master:0.2.0");
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              String revision = sts(ns).getStatus().getUpdateRevision();
              assertThat(revision).isNotEqualTo(oldRevision);
              List<Pod> pods = client.pods().inNamespace(ns).list().getItems();
              assertThat(pods)
                  .hasSize(3)
                  .allMatch(
                      p -> revision.equals(p.getMetadata().getLabels().get(Names.LABEL_REVISION)));
              assertThat(settled(ns)).as("%s", status(ns).conditions).isTrue();
            });
    String revision = sts(ns).getStatus().getUpdateRevision();
    int follower2 = at("pod started meta-2 " + revision);
    int follower0 = at("pod started meta-0 " + revision);
    int transfer = firstStartingWith("transfer meta-1->");
    int leader = at("pod started meta-1 " + revision);
    assertThat(List.of(follower2, follower0, transfer, leader)).as("%s", timeline).isSorted();
    assertThat(masters.calls(ns)).hasSize(1);
    assertThat(status(ns).leader).isNotEqualTo("meta-1");
  }

  @Test
  void aLeaderChangeIsRecordedWithTimeAndPreviousLeader() {
    String ns = "failover";
    runningCluster(ns, true);
    masters.down(ns, "meta-0").elect(ns, "meta-2");
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              MetadataClusterStatus s = status(ns);
              assertThat(s.leader).isEqualTo("meta-2");
              assertThat(s.previousLeader).isEqualTo("meta-0");
              assertThat(s.leaderChangedAt).isNotNull();
              assertThat(
                      client
                          .pods()
                          .inNamespace(ns)
                          .withName("meta-2")
                          .get()
                          .getMetadata()
                          .getLabels())
                  .containsEntry(Names.LABEL_ROLE, Names.ROLE_LEADER);
            });
    assertThat(
            client.v1().events().inNamespace(ns).list().getItems().stream()
                .filter(e -> ClusterEvents.LEADER_CHANGED.equals(e.getReason())))
        .anyMatch(e -> e.getMessage().contains("meta-2 (was meta-0)"));
  }
}

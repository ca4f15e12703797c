package dev.metacluster.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.metacluster.operator.crd.ReplacementStatus;
import dev.metacluster.operator.plan.Planner;
import dev.metacluster.operator.status.ClusterConditions;
import dev.metacluster.operator.status.StatusModel;
import dev.metacluster.operator.testing.DayTwoHarness;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Member replacement through the real operator: a member that lost its volume (it answers as a
 * Listener while the group lists it as a voter) or whose master refuses its store (the pod's
 * termination message) is removed, its claims and pod deleted, and added back once the StatefulSet
 * has recreated it on new volumes; never without a quorum, never beyond the bound.
 */
class ReplacementIT {
  static DayTwoHarness h;

  /** Members whose next pod starts on new, empty volumes (the test marks them before). */
  static final Set<String> freshOnNextStart = ConcurrentHashMap.newKeySet();

  @BeforeAll
  static void start() {
    h = new DayTwoHarness().startOperator();
  }

  @AfterAll
  static void stop() {
    if (h != null) {
      h.close();
    }
  }

  private static void running(String ns) {
    h.runningCluster(
        ns,
        m -> {},
        pod -> {
          if (freshOnNextStart.remove(ns + "/" + pod)) {
            h.masters.freshVolume(ns, pod);
          }
        });
  }

  @Test
  void aMemberThatLostItsVolumeIsRemovedGetsNewVolumesAndIsAddedBackOncePerHourAtMost() {
    String ns = "lost-volume";
    running(ns);
    Map<String, String> claimsBefore = h.claims(ns);
    freshOnNextStart.add(ns + "/meta-1");
    h.masters.lostVolume(ns, "meta-1");

    // added back, then a whole log behind until snapshot installation catches it up
    await()
        .atMost(DayTwoHarness.WAIT)
        .untilAsserted(
            () ->
                assertThat(h.condition(ns, ClusterConditions.PROGRESSING).getMessage())
                    .contains("meta-1 to catch up"));
    assertThat(h.condition(ns, ClusterConditions.PROGRESSING).getReason())
        .isEqualTo(Planner.REPLACING_MEMBER);
    assertThat(h.status(ns).operation.member).isEqualTo("meta-1");
    h.masters.lag(ns, "meta-1", 0);
    await().atMost(DayTwoHarness.WAIT).until(() -> h.settled(ns));

    int remove = h.at("remove meta-1");
    int metastore = h.at("pvc deleted metastore-meta-1");
    int journal = h.at("pvc deleted journal-meta-1");
    int started = h.firstStartingWith("pod started meta-1 ");
    int add = h.at("add meta-1");
    assertThat(remove).isLessThan(Math.min(metastore, journal));
    assertThat(Math.max(metastore, journal)).isLessThan(started);
    assertThat(started).isLessThan(add);
    assertThat(h.masters.calls(ns)).containsExactly("remove meta-1", "add meta-1");
    assertThat(h.masters.voters(ns)).containsExactlyInAnyOrder("meta-0", "meta-1", "meta-2");
    Map<String, String> claimsAfter = h.claims(ns);
    assertThat(claimsAfter.get("metastore-meta-1"))
        .as("a new claim")
        .isNotNull()
        .isNotEqualTo(claimsBefore.get("metastore-meta-1"));
    assertThat(claimsAfter.get("metastore-meta-0")).isEqualTo(claimsBefore.get("metastore-meta-0"));
    assertThat(h.status(ns).replacements)
        .singleElement()
        .extracting(r -> r.member)
        .isEqualTo("meta-1");
    assertThat(
            h.client.v1().events().inNamespace(ns).list().getItems().stream()
                .filter(e -> Planner.REPLACING_MEMBER.equals(e.getReason())))
        .isNotEmpty();

    // a second member losing its volume within the hour: reported, not replaced (default bound 1)
    h.masters.lostVolume(ns, "meta-2");
    await()
        .atMost(DayTwoHarness.WAIT)
        .untilAsserted(
            () -> {
              Condition degraded = h.condition(ns, ClusterConditions.DEGRADED);
              assertThat(degraded.getReason()).isEqualTo(Planner.REPLACEMENT_LIMIT_REACHED);
              assertThat(degraded.getMessage())
                  .contains("meta-2 needs replacing")
                  .contains("spec.maxReplacementsPerHour");
            });
    await()
        .during(Duration.ofSeconds(2))
        .atMost(Duration.ofSeconds(10))
        .until(() -> h.masters.calls(ns).size() == 2);
    assertThat(h.status(ns).operation).isNull();
  }

  @Test
  void aVoterThatLostItsVolumeAndAlreadyHealedIsReplacedForItsNewStore() {
    String ns = "lost-volume-healed";
    running(ns);
    String before = h.masters.storeId(ns, "meta-1");
    await()
        .atMost(DayTwoHarness.WAIT)
        .until(() -> StatusModel.recordedStoreIds(h.status(ns)).get("meta-1"), before::equals);
    freshOnNextStart.add(ns + "/meta-1");
    // the operator never sees it as a Listener: it caught up between two observations
    h.masters.lostVolumeAndHealed(ns, "meta-1");
    String healed = h.masters.storeId(ns, "meta-1");

    await().atMost(DayTwoHarness.WAIT).until(() -> h.masters.calls(ns).contains("add meta-1"));
    h.masters.lag(ns, "meta-1", 0);
    await().atMost(DayTwoHarness.WAIT).until(() -> h.settled(ns));
    assertThat(h.masters.calls(ns)).containsExactly("remove meta-1", "add meta-1");
    assertThat(h.at("pvc deleted metastore-meta-1")).isGreaterThan(h.at("remove meta-1"));
    assertThat(h.status(ns).replacements)
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.member).isEqualTo("meta-1");
              assertThat(r.reason)
                  .isEqualTo(
                      "it came back with a different store (lost its data): store id "
                          + before
                          + " -> "
                          + healed);
            });
    String fresh = h.masters.storeId(ns, "meta-1");
    assertThat(fresh).isNotEqualTo(healed);
    await()
        .atMost(DayTwoHarness.WAIT)
        .until(() -> StatusModel.recordedStoreIds(h.status(ns)).get("meta-1"), fresh::equals);
    // the replaced member's new store is its own now: nothing more is replaced
    await()
        .during(Duration.ofSeconds(2))
        .atMost(Duration.ofSeconds(10))
        .until(() -> h.masters.calls(ns).size() == 2 && h.status(ns).operation == null);
  }

  @Test
  void aMasterRefusingItsStoreIsReplaced() {
    String ns = "store-refused";
    running(ns);
    freshOnNextStart.add(ns + "/meta-2");
    h.masters.down(ns, "meta-2");
    crashLoop(
        ns,
        "meta-2",
        "store refused: metastore at /var/lib/metacluster/metastore/db is" + " corrupt");

    await().atMost(DayTwoHarness.WAIT).until(() -> h.masters.calls(ns).contains("add meta-2"));
    h.masters.lag(ns, "meta-2", 0);
    await().atMost(DayTwoHarness.WAIT).until(() -> h.settled(ns));
    assertThat(h.masters.calls(ns)).containsExactly("remove meta-2", "add meta-2");
    assertThat(h.at("pvc deleted journal-meta-2")).isGreaterThan(h.at("remove meta-2"));
    List<ReplacementStatus> replacements = h.status(ns).replacements;
    assertThat(replacements)
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.member).isEqualTo("meta-2");
              assertThat(r.reason).contains("store refused: metastore at");
            });
  }

  @Test
  void withoutQuorumNothingIsReplaced() {
    String ns = "replace-no-quorum";
    running(ns);
    Map<String, String> claimsBefore = h.claims(ns);
    h.masters.lostVolume(ns, "meta-1").down(ns, "meta-2");
    await()
        .atMost(DayTwoHarness.WAIT)
        .untilAsserted(
            () ->
                assertThat(h.condition(ns, ClusterConditions.PROGRESSING).getMessage())
                    .contains("meta-1 needs replacing")
                    .contains("no quorum"));
    await()
        .during(Duration.ofSeconds(2))
        .atMost(Duration.ofSeconds(10))
        .until(() -> h.masters.calls(ns).isEmpty() && h.claims(ns).equals(claimsBefore));
    assertThat(h.status(ns).operation).isNull();
  }

  /** The kubelet's view of a master that exits at start with {@code message}, restarting. */
  private static void crashLoop(String ns, String pod, String message) {
    Map<String, Object> status =
        Map.of(
            "phase",
            "Running",
            "conditions",
            List.of(Map.of("type", "Ready", "status", "False")),
            "containerStatuses",
            List.of(
                Map.of(
                    "name",
                    "master",
                    "ready",
                    false,
                    "restartCount",
                    4,
                    "state",
                    Map.of("waiting", Map.of("reason", "CrashLoopBackOff")),
                    "lastState",
                    Map.of("terminated", Map.of("exitCode", 1, "message", message)))));
    h.client
        .pods()
        .inNamespace(ns)
        .withName(pod)
        .subresource("status")
        .patch(
            PatchContext.of(PatchType.JSON),
            Serialization.asJson(List.of(Map.of("op", "add", "path", "/status", "value", status))));
  }
}

package dev.metacluster.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.metacluster.operator.crd.OperationStatus;
import dev.metacluster.operator.testing.DayTwoHarness;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The operator stopped between two steps of a day-2 operation and a new one started: it resumes
 * from status and what the masters and the API server show, finishes, and repeats no risky step
 * that was already taken. The fake masters freeze (nobody answers, so no operator can take a
 * further step) at the chosen point; the operator is stopped there and a new one started.
 */
class ResumeAfterRestartIT {
  static DayTwoHarness h;

  @BeforeAll
  static void start() {
    h = new DayTwoHarness();
  }

  @AfterEach
  void stopOperator() {
    h.stopOperator();
  }

  @AfterAll
  static void stop() {
    if (h != null) {
      h.close();
    }
  }

  /** Stops the operator once the masters froze, checks the recorded intent, starts a new one. */
  private static OperationStatus restartWhenFrozen(String ns) {
    await().atMost(DayTwoHarness.WAIT).until(() -> h.masters.frozen(ns));
    h.stopOperator();
    OperationStatus recorded = h.status(ns).operation;
    h.masters.thaw(ns);
    h.startOperator();
    return recorded;
  }

  @Test
  void aReplacementResumesAfterTheRemovalAndAfterTheNewVolumes() {
    String ns = "resume-replace";
    h.startOperator();
    h.runningCluster(
        ns,
        m -> {},
        pod -> {
          if (pod.equals("meta-1") && h.masters.calls(ns).contains("remove meta-1")) {
            // the pod on new volumes: stop before it is added back
            h.masters.freeze(ns).freshVolume(ns, pod);
          }
        });
    h.masters.freezeAfter(ns, "remove meta-1").lostVolume(ns, "meta-1");

    OperationStatus afterRemoval = restartWhenFrozen(ns);
    assertThat(afterRemoval.type).isEqualTo(OperationStatus.REPLACE_MEMBER);
    assertThat(afterRemoval.member).isEqualTo("meta-1");

    OperationStatus afterNewVolumes = restartWhenFrozen(ns);
    assertThat(afterNewVolumes.type).isEqualTo(OperationStatus.REPLACE_MEMBER);
    assertThat(afterNewVolumes.podUid)
        .as("the old pod's uid, recorded before its deletion")
        .isNotNull()
        .isNotEqualTo(
            h.client.pods().inNamespace(ns).withName("meta-1").get().getMetadata().getUid());

    await().atMost(DayTwoHarness.WAIT).until(() -> h.masters.calls(ns).contains("add meta-1"));
    h.masters.lag(ns, "meta-1", 0);
    await().atMost(DayTwoHarness.WAIT).until(() -> h.settled(ns));
    assertThat(h.masters.calls(ns)).containsExactly("remove meta-1", "add meta-1");
    assertThat(h.count("pvc deleted metastore-meta-1")).isEqualTo(1);
    assertThat(h.count("pvc deleted journal-meta-1")).isEqualTo(1);
    assertThat(h.timeline.stream().filter(l -> l.startsWith("pod started meta-1 "))).hasSize(1);
  }

  @Test
  void aScaleDownResumesAfterTheFirstRemoval() {
    String ns = "resume-scale-down";
    h.startOperator();
    h.runningCluster(ns, m -> m.getSpec().replicas = 5, pod -> {});
    h.masters.elect(ns, "meta-4");
    await().atMost(DayTwoHarness.WAIT).until(() -> "meta-4".equals(h.status(ns).leader));
    h.timeline.clear();
    h.masters.freezeAfter(ns, "remove meta-4");

    h.edit(ns, m -> m.getSpec().replicas = 3);
    OperationStatus recorded = restartWhenFrozen(ns);
    assertThat(recorded.type).isEqualTo(OperationStatus.SCALE_DOWN);
    assertThat(recorded.toReplicas).isEqualTo(3);

    await()
        .atMost(DayTwoHarness.WAIT)
        .untilAsserted(
            () -> {
              assertThat(h.masters.voters(ns))
                  .containsExactlyInAnyOrder("meta-0", "meta-1", "meta-2");
              assertThat(h.sts(ns).getSpec().getReplicas()).isEqualTo(3);
              assertThat(h.claims(ns).keySet())
                  .noneMatch(c -> c.endsWith("meta-3") || c.endsWith("meta-4"));
              assertThat(h.settled(ns)).as("%s", h.status(ns).conditions).isTrue();
            });
    List<String> calls = h.masters.calls(ns);
    assertThat(calls).hasSize(3);
    assertThat(calls.get(0)).startsWith("transfer meta-4->");
    assertThat(calls.subList(1, 3)).containsExactly("remove meta-4", "remove meta-3");
    assertThat(List.of(h.at("remove meta-4"), h.at("sts replicas 5->4"), h.at("remove meta-3")))
        .as("%s", h.timeline)
        .isSorted();
    assertThat(h.status(ns).leader).isNotIn("meta-3", "meta-4");
  }
}

package dev.metacluster.operator.status;

import static org.assertj.core.api.Assertions.assertThat;

import dev.metacluster.operator.crd.MetadataCluster;
import dev.metacluster.operator.crd.MetadataClusterStatus;
import dev.metacluster.operator.crd.OperationStatus;
import dev.metacluster.operator.crd.ReplacementStatus;
import dev.metacluster.operator.model.StatefulSetModel;
import dev.metacluster.operator.observe.ClusterObservation;
import dev.metacluster.operator.observe.MemberObservation;
import dev.metacluster.operator.plan.Plan;
import dev.metacluster.operator.plan.Planner;
import dev.metacluster.operator.plan.Step;
import dev.metacluster.operator.testing.Examples;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatusBuilder;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class StatusModelTest {
  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  static final Instant T1 = Instant.parse("2026-01-01T00:05:00Z");
  private final MetadataCluster mdc = Examples.example("minimal", "ns");

  private StatefulSet readySts() {
    StatefulSet sts = StatefulSetModel.desired(mdc);
    sts.getMetadata().setGeneration(1L);
    sts.setStatus(
        new StatefulSetStatusBuilder()
            .withObservedGeneration(1L)
            .withReplicas(3)
            .withReadyReplicas(3)
            .withUpdatedReplicas(3)
            .withCurrentRevision("r1")
            .withUpdateRevision("r1")
            .build());
    return sts;
  }

  private static MemberObservation healthy(String id, String role) {
    return new MemberObservation(id, role, 3, 100, 0, true, null);
  }

  private static ClusterObservation healthyGroup() {
    return new ClusterObservation(
        "meta-0",
        3,
        List.of(
            healthy("meta-0", "Leader"),
            healthy("meta-1", "Follower"),
            healthy("meta-2", "Follower")),
        2);
  }

  private static Condition cond(MetadataClusterStatus s, String type) {
    return ClusterConditions.find(s.conditions, type).orElseThrow();
  }

  @Test
  void aHealthyRolledOutClusterIsReadyAndRunning() {
    MetadataClusterStatus s = StatusModel.compute(mdc, List.of(), readySts(), healthyGroup(), T0);
    assertThat(s.phase).isEqualTo("Running");
    assertThat(s.leader).isEqualTo("meta-0");
    assertThat(cond(s, "Ready").getStatus()).isEqualTo("True");
    assertThat(cond(s, "Available").getReason()).isEqualTo("QuorumUp");
    assertThat(cond(s, "Progressing").getStatus()).isEqualTo("False");
    assertThat(cond(s, "Degraded").getStatus()).isEqualTo("False");
    assertThat(s.conditions).allMatch(c -> c.getObservedGeneration() != null);
  }

  @Test
  void transitionTimesMoveOnlyWhenTheStatusChanges() {
    MetadataClusterStatus first =
        StatusModel.compute(mdc, List.of(), readySts(), healthyGroup(), T0);
    mdc.setStatus(first);
    MetadataClusterStatus same =
        StatusModel.compute(mdc, List.of(), readySts(), healthyGroup(), T1);
    assertThat(cond(same, "Ready").getLastTransitionTime()).isEqualTo(T0.toString());
    mdc.setStatus(same);
    ClusterObservation lost =
        new ClusterObservation(
            null,
            3,
            List.of(
                healthy("meta-0", "Follower"),
                new MemberObservation("meta-1", "Unknown", -1, -1, -1, false, "not answering: x"),
                new MemberObservation("meta-2", "Unknown", -1, -1, -1, false, "not answering: y")),
            2);
    MetadataClusterStatus down = StatusModel.compute(mdc, List.of(), readySts(), lost, T1);
    assertThat(down.phase).isEqualTo("Unavailable");
    assertThat(cond(down, "Available").getStatus()).isEqualTo("False");
    assertThat(cond(down, "Available").getLastTransitionTime()).isEqualTo(T1.toString());
    assertThat(cond(down, "Degraded").getMessage()).contains("1 of 3 members healthy");
  }

  @Test
  void anInvalidSpecWithoutChildrenIsInvalid() {
    MetadataClusterStatus s =
        StatusModel.compute(
            mdc, List.of("spec.replicas is 4; it must be 1, 3, 5 or 7"), null, null, T0);
    assertThat(s.phase).isEqualTo("Invalid");
    assertThat(cond(s, "Degraded").getReason()).isEqualTo("InvalidSpec");
    assertThat(cond(s, "Ready").getMessage()).contains("spec.replicas is 4");
  }

  @Test
  void pausedIsReportedOnProgressing() {
    mdc.getSpec().paused = true;
    MetadataClusterStatus s = StatusModel.compute(mdc, List.of(), readySts(), healthyGroup(), T0);
    assertThat(cond(s, "Progressing").getStatus()).isEqualTo("Unknown");
    assertThat(cond(s, "Progressing").getReason()).isEqualTo("Paused");
  }

  @Test
  void aRollingStatefulSetIsUpdatingNotDegraded() {
    StatefulSet sts = readySts();
    sts.getStatus().setUpdateRevision("r2");
    sts.getStatus().setUpdatedReplicas(1);
    MetadataClusterStatus s = StatusModel.compute(mdc, List.of(), sts, healthyGroup(), T0);
    assertThat(s.phase).isEqualTo("Updating");
    assertThat(cond(s, "Progressing").getMessage())
        .isEqualTo("1 of 3 masters run the new template");
    assertThat(cond(s, "Degraded").getStatus()).isEqualTo("False");
  }

  @Test
  void replacementsOlderThanAnHourAreForgottenAndANewOneIsRecordedOnce() {
    MetadataClusterStatus previous = new MetadataClusterStatus();
    previous.replacements =
        new java.util.ArrayList<>(
            List.of(
                new ReplacementStatus("meta-2", "old", T1.minusSeconds(7200).toString()),
                new ReplacementStatus("meta-0", "recent", T1.minusSeconds(600).toString())));
    mdc.setStatus(previous);
    assertThat(StatusModel.recentReplacements(previous, T1))
        .extracting(r -> r.member)
        .containsExactly("meta-0");

    OperationStatus op = new OperationStatus(OperationStatus.REPLACE_MEMBER, 3, 3);
    op.member = "meta-1";
    op.reason = "it lost its log";
    Plan starting =
        new Plan(3, new Step.RemoveMember("meta-1"), op, "ReplacingMember", "removing", null);
    MetadataClusterStatus started =
        StatusModel.compute(mdc, List.of(), readySts(), healthyGroup(), starting, true, T1);
    assertThat(started.replacements)
        .extracting(r -> r.member + "@" + r.startedAt)
        .containsExactly("meta-0@" + T1.minusSeconds(600), "meta-1@" + T1);

    // the next reconcile of the same replacement records nothing new
    mdc.setStatus(started);
    OperationStatus same = new OperationStatus(OperationStatus.REPLACE_MEMBER, 3, 3);
    same.member = "meta-1";
    same.reason = "it lost its log";
    Plan next =
        new Plan(
            3, new Step.ReplaceVolumes(1, "meta-1"), same, "ReplacingMember", "deleting", null);
    MetadataClusterStatus later =
        StatusModel.compute(
            mdc, List.of(), readySts(), healthyGroup(), next, true, T1.plusSeconds(30));
    assertThat(later.replacements).hasSize(2);
    assertThat(later.operation.startedAt).isEqualTo(T1.toString());
  }

  @Test
  void aReplacementBeyondTheBoundIsDegradedWithItsOwnReason() {
    Plan limited =
        new Plan(
            3,
            Step.NONE,
            null,
            null,
            null,
            "meta-1 needs replacing (x) but 1 replacement(s) started within the last hour",
            Planner.REPLACEMENT_LIMIT_REACHED);
    MetadataClusterStatus s =
        StatusModel.compute(mdc, List.of(), readySts(), healthyGroup(), limited, true, T0);
    assertThat(cond(s, "Degraded").getReason()).isEqualTo("ReplacementLimitReached");
    assertThat(cond(s, "Degraded").getMessage()).startsWith("meta-1 needs replacing");
    assertThat(cond(s, "Ready").getStatus()).isEqualTo("False");
  }

  @Test
  void aVotersRecordedStoreIdStaysUntilItLeavesTheGroup() {
    MemberObservation newStore =
        new MemberObservation("meta-1", "Follower", 3, 100, 0, true, null, "s1b");
    ClusterObservation voting =
        new ClusterObservation(
            "meta-0", 3, List.of(newStore), 2, java.util.Set.of("meta-0", "meta-1", "meta-2"));
    assertThat(StatusModel.storeId("s1", newStore, voting))
        .as("the evidence of its data loss stays while it votes")
        .isEqualTo("s1");
    assertThat(StatusModel.storeId(null, newStore, voting))
        .as("nothing recorded yet: what it reports")
        .isEqualTo("s1b");

    ClusterObservation removed =
        new ClusterObservation("meta-0", 3, List.of(newStore), 2, java.util.Set.of("meta-0"));
    assertThat(StatusModel.storeId("s1", newStore, removed))
        .as("out of the group (being replaced, or a joiner): its new store is recorded")
        .isEqualTo("s1b");

    ClusterObservation noLeader = new ClusterObservation(null, 3, List.of(newStore), 2);
    assertThat(StatusModel.storeId("s1", newStore, noLeader)).isEqualTo("s1");
    MemberObservation silent = new MemberObservation("meta-1", "Unknown", -1, -1, -1, false, "x");
    assertThat(StatusModel.storeId("s1", silent, removed)).isEqualTo("s1");
  }

  @Test
  void statusRecordsTheStoreIdsTheMembersReport() {
    ClusterObservation obs =
        new ClusterObservation(
            "meta-0",
            3,
            List.of(new MemberObservation("meta-0", "Leader", 3, 100, 0, true, null, "s0")),
            1,
            java.util.Set.of("meta-0"));
    MetadataClusterStatus s = StatusModel.compute(mdc, List.of(), readySts(), obs, T0);
    assertThat(s.members).extracting(m -> m.storeId).containsExactly("s0");
    assertThat(StatusModel.recordedStoreIds(s)).containsEntry("meta-0", "s0");
  }
}

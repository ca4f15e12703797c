package dev.metacluster.operator.plan;

import static org.assertj.core.api.Assertions.assertThat;

import dev.metacluster.operator.crd.OperationStatus;
import dev.metacluster.operator.model.PodDisruptionBudgetModel;
import dev.metacluster.operator.observe.ClusterObservation;
import dev.metacluster.operator.observe.MemberObservation;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Observed state in, the single next step out: one case per rule of {@link Planner}. */
class PlannerTest {
  static final String REV = "meta-new";

  /** A builder of views: pods 0..n-1 on REV, ready, with volumes; masters as set. */
  static final class World {
    int spec;
    int replicas;
    String leader = "meta-0";
    Set<String> voters = new HashSet<>();
    Set<String> down = new HashSet<>();
    Set<String> joiners = new HashSet<>();
    Set<String> listeners = new HashSet<>(); // voters that answer as a Listener (lost their log)
    int replacementsLastHour;
    int maxReplacementsPerHour = 1;
    Map<String, Long> lag = new HashMap<>();
    Map<Integer, PodView> pods = new HashMap<>();
    Set<Integer> claims = new HashSet<>();
    OperationStatus op;
    Map<String, String> storeIds = new HashMap<>(); // what the members report
    Map<String, String> recordedStoreIds = new HashMap<>(); // what status recorded

    World(int spec, int replicas, int voterCount) {
      this.spec = spec;
      this.replicas = replicas;
      for (int i = 0; i < replicas; i++) {
        pods.put(i, new PodView(i, REV, true, false, "uid-" + i, null));
        claims.add(i);
      }
      for (int i = 0; i < voterCount; i++) {
        voters.add("meta-" + i);
      }
    }

    World op(String type, int from, int to) {
      op = new OperationStatus(type, from, to);
      return this;
    }

    World outdated(int... ordinals) {
      for (int o : ordinals) {
        PodView p = pods.get(o);
        pods.put(o, new PodView(o, "meta-old", p.ready(), false, p.uid(), p.storeRefusal()));
      }
      return this;
    }

    World notReady(int ordinal) {
      PodView p = pods.get(ordinal);
      pods.put(ordinal, new PodView(ordinal, p.revision(), false, false, p.uid(), null));
      return this;
    }

    /** The master of {@code ordinal} crash-loops refusing its store. */
    World refusing(int ordinal) {
      PodView p = pods.get(ordinal);
      down.add("meta-" + ordinal);
      pods.put(
          ordinal,
          new PodView(
              ordinal, p.revision(), false, false, p.uid(), "store refused: corrupt block"));
      return this;
    }

    /** The pod of {@code ordinal} was created again (another uid). */
    World recreated(int ordinal) {
      PodView p = pods.get(ordinal);
      pods.put(ordinal, new PodView(ordinal, p.revision(), true, false, p.uid() + "b", null));
      return this;
    }

    World replacing(String member, String podUid) {
      op = new OperationStatus(OperationStatus.REPLACE_MEMBER, replicas, replicas);
      op.member = member;
      op.reason = "it lost its log";
      op.podUid = podUid;
      return this;
    }

    ClusterView view() {
      List<MemberObservation> members = new ArrayList<>();
      for (int i = 0; i < replicas; i++) {
        String id = "meta-" + i;
        if (down.contains(id) || !pods.containsKey(i)) {
          members.add(new MemberObservation(id, "Unknown", -1, -1, -1, false, "not answering"));
        } else if (listeners.contains(id)) {
          members.add(
              new MemberObservation(
                  id, "Listener", 1, 0, 100, false, "role is Listener", storeId(id)));
        } else if (!voters.contains(id)) {
          members.add(
              new MemberObservation(
                  id, joiners.contains(id) ? "Listener" : "Unknown", 1, 0, 100, false, "joiner"));
        } else {
          long l = lag.getOrDefault(id, 0L);
          members.add(
              new MemberObservation(
                  id,
                  id.equals(leader) ? "Leader" : "Follower",
                  1,
                  100 - l,
                  l,
                  true,
                  null,
                  storeId(id)));
        }
      }
      boolean leaderUp = leader != null && !down.contains(leader);
      ClusterObservation obs =
          new ClusterObservation(
              leaderUp ? leader : null,
              1,
              members,
              PodDisruptionBudgetModel.quorum(voters.size()),
              leaderUp ? Set.copyOf(voters) : Set.of());
      return new ClusterView(
          "meta",
          spec,
          replicas,
          REV,
          pods,
          claims,
          obs,
          op,
          true,
          1000,
          replacementsLastHour,
          maxReplacementsPerHour,
          null,
          recordedStoreIds);
    }

    private String storeId(String member) {
      return storeIds.getOrDefault(member, "");
    }

    Plan plan() {
      return Planner.decide(view());
    }
  }

  @Test
  void aSteadyClusterNeedsNothing() {
    Plan p = new World(3, 3, 3).plan();
    assertThat(p.step()).isEqualTo(Step.NONE);
    assertThat(p.operation()).isNull();
    assertThat(p.reason()).isNull();
    assertThat(p.stsReplicas()).isEqualTo(3);
  }

  @Test
  void noStatefulSetYetMeansCreateItAtTheSpecsSize() {
    ClusterView v =
        new ClusterView(
            "meta", 5, null, null, Map.of(), Set.of(), null, null, false, 1000, 0, 1, null, null);
    assertThat(Planner.decide(v).stsReplicas()).isEqualTo(5);
  }

  @Test
  void scaleUpGrowsTheStatefulSetFirstWithIntent() {
    Plan p = new World(5, 3, 3).plan();
    assertThat(p.step()).isEqualTo(new Step.Grow(3, 5));
    assertThat(p.stsReplicas()).isEqualTo(5);
    assertThat(p.reason()).isEqualTo(Planner.SCALING_UP);
    assertThat(p.operation().type).isEqualTo(OperationStatus.SCALE_UP);
    assertThat(p.operation().fromReplicas).isEqualTo(3);
    assertThat(p.operation().toReplicas).isEqualTo(5);
    assertThat(p.message()).contains("meta-3, meta-4 start as joiners");
  }

  @Test
  void scaleUpDoesNotStartWithAMemberDown() {
    World w = new World(5, 3, 3);
    w.down.add("meta-2");
    Plan p = w.plan();
    assertThat(p.step()).isEqualTo(Step.NONE);
    assertThat(p.stsReplicas()).isEqualTo(3);
    assertThat(p.message()).contains("waits until every member is healthy");
  }

  @Test
  void scaleUpWaitsForTheJoinersToRunThenAddsThem() {
    World w = new World(5, 5, 3).op(OperationStatus.SCALE_UP, 3, 5);
    w.joiners.add("meta-3"); // meta-4 not answering yet
    Plan waiting = w.plan();
    assertThat(waiting.step()).isEqualTo(Step.NONE);
    assertThat(waiting.message()).contains("meta-4").contains("to run as joiners");
    assertThat(waiting.operation().type).isEqualTo(OperationStatus.SCALE_UP);

    w.joiners.add("meta-4");
    assertThat(w.plan().step()).isEqualTo(new Step.AddMembers(List.of("meta-3", "meta-4")));
  }

  @Test
  void scaleUpIsDoneOnlyWhenEveryMemberVotesAndIsCaughtUp() {
    World w = new World(5, 5, 5).op(OperationStatus.SCALE_UP, 3, 5);
    w.lag.put("meta-4", 50_000L);
    Plan p = w.plan();
    assertThat(p.step()).isEqualTo(Step.NONE);
    assertThat(p.reason()).isEqualTo(Planner.SCALING_UP);
    assertThat(p.message()).contains("meta-4 to catch up (50000 entries behind)");

    w.lag.clear();
    Plan done = w.plan();
    assertThat(done.operation()).isNull();
    assertThat(done.reason()).isNull();
  }

  @Test
  void scaleDownMovesLeadershipOffTheHighestOrdinalFirst() {
    World w = new World(3, 5, 5);
    w.leader = "meta-4";
    w.lag.put("meta-1", 10L);
    w.lag.put("meta-0", 900L);
    Plan p = w.plan();
    // the caught-up follower least behind, never the member leaving
    assertThat(p.step()).isEqualTo(new Step.TransferLeadership("meta-4", "meta-2"));
    assertThat(p.stsReplicas()).isEqualTo(5);
    assertThat(p.reason()).isEqualTo(Planner.SCALING_DOWN);
  }

  @Test
  void scaleDownRemovesAFollowerThenShrinksThenDeletesItsVolumes() {
    World w = new World(3, 5, 5).op(OperationStatus.SCALE_DOWN, 5, 3);
    assertThat(w.plan().step()).isEqualTo(new Step.RemoveMember("meta-4"));

    w.voters.remove("meta-4");
    Plan shrink = w.plan();
    assertThat(shrink.step()).isEqualTo(new Step.Shrink(5, 4));
    assertThat(shrink.stsReplicas()).isEqualTo(4);

    w.replicas = 4; // the pod is still terminating: its volumes wait
    Plan waiting = w.plan();
    assertThat(waiting.step()).isEqualTo(Step.NONE);
    assertThat(waiting.message()).contains("waiting for pod meta-4 to go");

    w.pods.remove(4);
    assertThat(w.plan().step()).isEqualTo(new Step.DeleteVolumes(4, "meta-4"));

    w.claims.remove(4); // next member: one per reconcile
    assertThat(w.plan().step()).isEqualTo(new Step.RemoveMember("meta-3"));
  }

  @Test
  void scaleDownRefusesToBreakTheQuorum() {
    // 5 voters, two down: removing a healthy one leaves 2 healthy of 4, below 3
    World w = new World(3, 5, 5);
    w.down.addAll(Set.of("meta-1", "meta-2"));
    Plan p = w.plan();
    assertThat(p.step()).isEqualTo(Step.NONE);
    assertThat(p.message()).contains("would leave 2 healthy of 4 voters, below a majority of 3");
  }

  @Test
  void removingADownMemberIsAllowedWhileTheRestHoldAMajority() {
    World w = new World(3, 5, 5);
    w.down.add("meta-4");
    assertThat(w.plan().step()).isEqualTo(new Step.RemoveMember("meta-4"));
  }

  @Test
  void withoutQuorumNoMembershipChange() {
    World up = new World(5, 3, 3);
    up.down.addAll(Set.of("meta-1", "meta-2"));
    World down = new World(3, 5, 5).op(OperationStatus.SCALE_DOWN, 5, 3);
    down.down.addAll(Set.of("meta-0", "meta-1", "meta-2"));
    down.leader = "meta-0";
    for (World w : List.of(up, down)) {
      Plan p = w.plan();
      assertThat(p.step()).isEqualTo(Step.NONE);
      assertThat(p.stsReplicas()).isEqualTo(w.replicas);
      assertThat(p.message()).startsWith("no quorum");
    }
  }

  @Test
  void anOppositeSpecChangeWhileScalingIsRefusedAndTheScaleContinues() {
    World w = new World(3, 5, 3).op(OperationStatus.SCALE_UP, 3, 5);
    w.joiners.addAll(Set.of("meta-3", "meta-4"));
    Plan p = w.plan();
    assertThat(p.refusal())
        .contains("spec.replicas 3 is refused while scaling up from 3 to 5 is in flight");
    assertThat(p.step()).isEqualTo(new Step.AddMembers(List.of("meta-3", "meta-4")));

    World d = new World(5, 4, 4).op(OperationStatus.SCALE_DOWN, 5, 3);
    Plan q = d.plan();
    assertThat(q.refusal()).contains("spec.replicas 5 is refused while scaling down");
    assertThat(q.step()).isEqualTo(new Step.RemoveMember("meta-3"));
  }

  @Test
  void leftoverVolumesOfAGoneMemberAreDeletedEvenWithoutAnOperation() {
    // e.g. the operator restarted between shrinking and deleting
    World w = new World(3, 3, 3);
    w.claims.add(4);
    Plan p = w.plan();
    assertThat(p.step()).isEqualTo(new Step.DeleteVolumes(4, "meta-4"));
  }

  @Test
  void upgradeRestartsFollowersOneAtATimeThenMovesLeadershipThenTheOldLeader() {
    World w = new World(3, 3, 3).outdated(0, 1, 2);
    assertThat(w.plan().step()).isEqualTo(new Step.RestartPod("meta-2"));
    assertThat(w.plan().reason()).isEqualTo(Planner.UPGRADING);
    assertThat(w.plan().operation().revision).isEqualTo(REV);

    // meta-2 came back on the new revision but is still catching up: nothing else restarts
    w.pods.put(2, new PodView(2, REV, true, false));
    w.lag.put("meta-2", 5000L);
    w.op = w.plan().operation();
    Plan waiting = w.plan();
    assertThat(waiting.step()).isEqualTo(Step.NONE);
    assertThat(waiting.message()).contains("meta-2 to catch up");

    w.lag.clear();
    assertThat(w.plan().step()).isEqualTo(new Step.RestartPod("meta-1"));
    w.pods.put(1, new PodView(1, REV, true, false));
    Plan transfer = w.plan();
    assertThat(transfer.step()).isEqualTo(new Step.TransferLeadership("meta-0", "meta-1"));

    w.leader = "meta-1";
    assertThat(w.plan().step()).isEqualTo(new Step.RestartPod("meta-0"));
    w.pods.put(0, new PodView(0, REV, true, false));
    w.op = w.plan().operation();
    assertThat(w.op).isNull(); // all on the new revision, healthy, caught up: done
  }

  @Test
  void upgradeRestartsAMemberThatIsAlreadyDownFirstEvenWithoutQuorum() {
    World w = new World(3, 3, 3).outdated(0, 1, 2).notReady(1).notReady(2);
    w.down.addAll(Set.of("meta-1", "meta-2"));
    assertThat(w.plan().step()).isEqualTo(new Step.RestartPod("meta-2"));
  }

  @Test
  void anUnreachableButReadyMemberIsNotRestartedAsDown() {
    // the operator cannot reach the masters; the kubelet finds the pods ready
    World w = new World(3, 3, 3).outdated(0, 1, 2);
    w.down.addAll(Set.of("meta-0", "meta-1", "meta-2"));
    Plan p = w.plan();
    assertThat(p.step()).isEqualTo(Step.NONE);
    assertThat(p.message()).startsWith("no quorum");
  }

  @Test
  void upgradeHaltsWhenAnUpdatedMemberIsUnhealthyAndSaysWhy() {
    World w = new World(3, 3, 3).outdated(0, 1).notReady(2);
    w.down.add("meta-2");
    Plan p = w.plan();
    assertThat(p.step()).isEqualTo(Step.NONE);
    assertThat(p.reason()).isEqualTo(Planner.UPGRADING);
    assertThat(p.message())
        .contains("waiting for meta-2 (revision " + REV + ") to be healthy")
        .contains("fix the spec or the member");
  }

  // ---- member replacement ----------------------------------------------------------------------

  @Test
  void aVoterAnsweringAsAListenerIsRemovedFirstWithIntent() {
    World w = new World(3, 3, 3);
    w.listeners.add("meta-1");
    Plan p = w.plan();
    assertThat(p.step()).isEqualTo(new Step.RemoveMember("meta-1"));
    assertThat(p.reason()).isEqualTo(Planner.REPLACING_MEMBER);
    assertThat(p.operation().type).isEqualTo(OperationStatus.REPLACE_MEMBER);
    assertThat(p.operation().member).isEqualTo("meta-1");
    assertThat(p.operation().podUid).isNull();
    assertThat(p.operation().reason).contains("answers as a Listener");
    assertThat(p.stsReplicas()).isEqualTo(3);
  }

  /** Every member reports the store id status recorded for it. */
  static World sameStores(World w) {
    for (int i = 0; i < w.replicas; i++) {
      w.storeIds.put("meta-" + i, "store-" + i);
      w.recordedStoreIds.put("meta-" + i, "store-" + i);
    }
    return w;
  }

  @Test
  void aHealthyVoterWithANewStoreLostItsDataAndIsRemovedFirst() {
    World w = sameStores(new World(3, 3, 3));
    w.storeIds.put("meta-2", "store-2b"); // caught up again, healthy follower: only its id tells
    Plan p = w.plan();
    assertThat(p.step()).isEqualTo(new Step.RemoveMember("meta-2"));
    assertThat(p.reason()).isEqualTo(Planner.REPLACING_MEMBER);
    assertThat(p.operation().member).isEqualTo("meta-2");
    assertThat(p.operation().reason)
        .isEqualTo(
            "it came back with a different store (lost its data): store id store-2 -> store-2b");
  }

  @Test
  void theSameStoreOrNoRecordedStoreReplacesNothing() {
    assertThat(sameStores(new World(3, 3, 3)).plan().step()).isEqualTo(Step.NONE);

    World unrecorded = sameStores(new World(3, 3, 3));
    unrecorded.recordedStoreIds.remove("meta-2"); // status from before store ids, or a new member
    unrecorded.storeIds.put("meta-2", "store-2b");
    Plan p = unrecorded.plan();
    assertThat(p.step()).isEqualTo(Step.NONE);
    assertThat(p.operation()).isNull();

    World unreported = sameStores(new World(3, 3, 3));
    unreported.storeIds.put("meta-2", ""); // a master that does not report one
    assertThat(unreported.plan().step()).isEqualTo(Step.NONE);
  }

  @Test
  void aReplacementForANewStoreGoesOnWhileTheLeaderCannotBeRemovedYet() {
    World w = sameStores(new World(3, 3, 3)).replacing("meta-0", null);
    w.op.reason = "it came back with a different store";
    w.storeIds.put("meta-0", "store-0b");
    Plan p = w.plan();
    assertThat(p.step()).isEqualTo(Step.NONE);
    assertThat(p.operation()).as("still in flight, not done").isNotNull();
    assertThat(p.message()).contains("elect a leader other than meta-0");
  }

  @Test
  void aMasterRefusingItsStoreIsReplacedButAMemberMerelyDownIsNot() {
    World refusing = new World(3, 3, 3).refusing(2);
    Plan p = refusing.plan();
    assertThat(p.step()).isEqualTo(new Step.RemoveMember("meta-2"));
    assertThat(p.operation().reason).contains("store refused: corrupt block");

    World down = new World(3, 3, 3);
    down.down.add("meta-2");
    Plan none = down.plan();
    assertThat(none.step()).isEqualTo(Step.NONE);
    assertThat(none.operation()).isNull();
  }

  @Test
  void onceRemovedItsClaimsAndPodAreDeletedWithTheOldPodsUidRecorded() {
    World w = new World(3, 3, 3).replacing("meta-1", null);
    w.voters.remove("meta-1");
    Plan p = w.plan();
    assertThat(p.step()).isEqualTo(new Step.ReplaceVolumes(1, "meta-1"));
    assertThat(p.operation().podUid).isEqualTo("uid-1");
    assertThat(p.message()).contains("deleting its volume claims and its pod");

    // an operator restarted between the intent and the deletion: the same pod is still there,
    // so the deletion is taken again (it is idempotent); nothing else is
    w.op.podUid = "uid-1";
    assertThat(w.plan().step()).isEqualTo(new Step.ReplaceVolumes(1, "meta-1"));
  }

  @Test
  void theRecreatedMemberIsAddedOnceItRunsAsAJoinerThenDoneWhenCaughtUp() {
    World w = new World(3, 3, 3).replacing("meta-1", "uid-1").recreated(1);
    w.voters.remove("meta-1");
    Plan waiting = w.plan();
    assertThat(waiting.step()).isEqualTo(Step.NONE);
    assertThat(waiting.message()).contains("waiting for meta-1 to run as a joiner");
    assertThat(waiting.operation().type).isEqualTo(OperationStatus.REPLACE_MEMBER);

    w.refusing(1);
    assertThat(w.plan().message()).contains("it refuses its new volumes too: store refused");
    w.recreated(1);
    w.down.remove("meta-1");
    w.joiners.add("meta-1");
    assertThat(w.plan().step()).isEqualTo(new Step.AddMembers(List.of("meta-1")));

    w.joiners.remove("meta-1");
    w.voters.add("meta-1");
    w.lag.put("meta-1", 50_000L);
    Plan catchingUp = w.plan();
    assertThat(catchingUp.step()).isEqualTo(Step.NONE);
    assertThat(catchingUp.message()).contains("meta-1 to catch up (50000 entries behind)");

    w.lag.put("meta-1", 0L);
    Plan done = w.plan();
    assertThat(done.operation()).isNull();
    assertThat(done.reason()).isNull();
  }

  @Test
  void withoutQuorumNoReplacementStartsOrContinues() {
    World w = new World(3, 3, 3);
    w.listeners.add("meta-1");
    w.down.add("meta-2");
    Plan p = w.plan();
    assertThat(p.step()).isEqualTo(Step.NONE);
    assertThat(p.operation()).isNull();
    assertThat(p.message()).contains("meta-1 needs replacing").contains("no quorum");

    // in flight, removed already, and now another member is down: no volumes are deleted
    World inFlight = new World(3, 3, 3).replacing("meta-1", null);
    inFlight.voters.remove("meta-1");
    inFlight.down.add("meta-2");
    Plan paused = inFlight.plan();
    assertThat(paused.step()).isEqualTo(Step.NONE);
    assertThat(paused.operation().member).isEqualTo("meta-1");
    assertThat(paused.message()).startsWith("no quorum");
  }

  @Test
  void aMemberStillNamedLeaderIsNotRemovedUntilAnotherLeads() {
    World w = new World(3, 3, 3).replacing("meta-0", null).refusing(0);
    ClusterView v = w.view();
    // the followers still name the crashed meta-0 until they elect (a reported leader)
    ClusterObservation named =
        new ClusterObservation(
            "meta-0", 1, v.observation().members(), 2, Set.of("meta-0", "meta-1", "meta-2"));
    Plan p =
        Planner.decide(
            new ClusterView(
                "meta",
                3,
                3,
                REV,
                v.pods(),
                v.claimOrdinals(),
                named,
                w.op,
                true,
                1000,
                0,
                1,
                null,
                Map.of()));
    assertThat(p.step()).isEqualTo(Step.NONE);
    assertThat(p.message()).contains("elect a leader other than meta-0");
  }

  @Test
  void aReplacementInFlightKeepsItsRecordWhileLeftoverVolumesWait() {
    World w = new World(3, 3, 3).replacing("meta-1", null);
    w.voters.remove("meta-1");
    w.claims.add(3); // a member that left earlier; its pod is still going
    w.pods.put(3, new PodView(3, REV, true, true, "uid-3", null));
    Plan p = w.plan();
    assertThat(p.step()).isEqualTo(new Step.ReplaceVolumes(1, "meta-1"));
    assertThat(p.operation().type).isEqualTo(OperationStatus.REPLACE_MEMBER);
  }

  @Test
  void aMemberHealthyAgainBeforeItsRemovalIsLeftAlone() {
    Plan p = new World(3, 3, 3).replacing("meta-1", null).plan();
    assertThat(p.step()).isEqualTo(Step.NONE);
    assertThat(p.operation()).isNull();
  }

  @Test
  void noReplacementWhileAnotherOperationIsInFlight() {
    World w = new World(5, 5, 3).op(OperationStatus.SCALE_UP, 3, 5);
    w.listeners.add("meta-1");
    Plan p = w.plan();
    assertThat(p.operation().type).isEqualTo(OperationStatus.SCALE_UP);
    assertThat(p.step()).isNotEqualTo(new Step.RemoveMember("meta-1"));
  }

  @Test
  void beyondTheBoundAReplacementIsReportedNotDone() {
    World w = new World(3, 3, 3);
    w.listeners.add("meta-1");
    w.replacementsLastHour = 1;
    Plan p = w.plan();
    assertThat(p.step()).isEqualTo(Step.NONE);
    assertThat(p.operation()).isNull();
    assertThat(p.refusalReason()).isEqualTo(Planner.REPLACEMENT_LIMIT_REACHED);
    assertThat(p.refusal())
        .contains("meta-1 needs replacing")
        .contains("1 replacement(s) started within the last hour");

    w.replacementsLastHour = 0;
    w.maxReplacementsPerHour = 0;
    assertThat(w.plan().refusal()).contains("automatic replacement is off");
  }
}

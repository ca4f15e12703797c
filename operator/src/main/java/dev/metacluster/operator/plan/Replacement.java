package dev.metacluster.operator.plan;

import static dev.metacluster.operator.plan.Planner.REPLACING_MEMBER;
import static dev.metacluster.operator.plan.Planner.act;
import static dev.metacluster.operator.plan.Planner.done;
import static dev.metacluster.operator.plan.Planner.noQuorum;
import static dev.metacluster.operator.plan.Planner.state;
import static dev.metacluster.operator.plan.Planner.waiting;

import dev.metacluster.operator.crd.OperationStatus;
import dev.metacluster.operator.observe.ClusterObservation;
import dev.metacluster.operator.observe.MemberObservation;
import java.util.List;
import java.util.Optional;

/**
 * Member replacement, the part of the {@link Planner} for a voter whose data is gone: it answers as
 * a voter that reports a store id other than the one recorded in status for it (its store was
 * created anew: it lost entries it had acknowledged, even if it caught up again from the leader),
 * it answers as a {@code Listener} although the group lists it as a voter (it came back on an empty
 * volume and started as a joiner), or its master refuses its own volumes ({@code store refused:
 * ...} in the pod's termination message). With a quorum that survives its removal, and within
 * spec.maxReplacementsPerHour, one step per reconcile:
 *
 * <ol>
 *   <li>never while it is named leader (it cannot lead like that: the others elect another first);
 *   <li>{@link Step.RemoveMember}: out of the group;
 *   <li>{@link Step.ReplaceVolumes}: its claims, then its pod are deleted; the StatefulSet creates
 *       both again, empty; the pod's uid is recorded first, so a recreated pod is told from the
 *       old;
 *   <li>{@link Step.AddMembers} once it runs as a joiner; snapshot installation catches it up;
 *   <li>done when it is a healthy voter, caught up, its pod ready.
 * </ol>
 *
 * Which step is next follows from two observed facts, so an operator restart resumes anywhere: is
 * the member a voter, and does its pod still have the recorded uid.
 */
final class Replacement {
  private Replacement() {}

  /** A member to replace and why, in words. */
  record Candidate(String member, String why) {}

  /** The first voter below ordinal {@code n} that needs replacing, if any. */
  static Optional<Candidate> candidate(ClusterView v, int n) {
    ClusterObservation obs = v.observation();
    if (obs == null || !obs.votersKnown() || !v.groupFormed()) {
      return Optional.empty();
    }
    for (int i = 0; i < n; i++) {
      String id = v.member(i);
      Optional<String> why = why(v, i);
      if (why.isPresent()) {
        return Optional.of(new Candidate(id, why.get()));
      }
    }
    return Optional.empty();
  }

  /** Why the member of {@code ordinal} needs replacing, empty when it does not. */
  private static Optional<String> why(ClusterView v, int ordinal) {
    ClusterObservation obs = v.observation();
    String id = v.member(ordinal);
    PodView pod = v.pods().get(ordinal);
    if (pod == null || pod.terminating() || !obs.voters().contains(id)) {
      return Optional.empty();
    }
    Optional<MemberObservation> m = obs.member(id);
    String recorded = v.recordedStoreIds().getOrDefault(id, "");
    String reported = m.map(MemberObservation::storeId).orElse("");
    if (!recorded.isEmpty() && !reported.isEmpty() && !recorded.equals(reported)) {
      return Optional.of(
          "it came back with a different store (lost its data): store id "
              + recorded
              + " -> "
              + reported);
    }
    if (m.isPresent() && "Listener".equals(m.get().role())) {
      return Optional.of(
          "it answers as a Listener while the group lists it as a voter: it lost its Raft log"
              + " (its volume was lost or replaced)");
    }
    if (pod.storeRefusal() != null && m.map(x -> !x.healthy()).orElse(true)) {
      return Optional.of("its master refuses its volumes (" + pod.storeRefusal() + ")");
    }
    return Optional.empty();
  }

  /** Starts replacing {@code c}: the first step if it can be taken now, else why not. */
  static Plan start(ClusterView v, int n, Candidate c, boolean quorum) {
    if (!quorum) {
      return waiting(
          n,
          null,
          REPLACING_MEMBER,
          c.member() + " needs replacing: " + c.why() + "; " + noQuorum(v.observation(), "change"),
          null);
    }
    String unsafe = Planner.removalLosesQuorum(v.observation(), c.member());
    if (unsafe != null) {
      return waiting(
          n,
          null,
          REPLACING_MEMBER,
          c.member() + " needs replacing (" + c.why() + "), but " + unsafe + "; waiting",
          null);
    }
    OperationStatus op = new OperationStatus(OperationStatus.REPLACE_MEMBER, n, n);
    op.member = c.member();
    op.reason = c.why();
    return next(v, n, op, quorum);
  }

  /** Why the bound stops a replacement of {@code c}: a Degraded message. */
  static String limited(ClusterView v, Candidate c) {
    int max = v.maxReplacementsPerHour();
    return c.member()
        + " needs replacing ("
        + c.why()
        + ") but "
        + (max == 0
            ? "automatic replacement is off (spec.maxReplacementsPerHour is 0)"
            : v.replacementsLastHour()
                + " replacement(s) started within the last hour, the most"
                + " spec.maxReplacementsPerHour allows; it is replaced once the hour has passed."
                + " Several members failing like this points at a common cause (image, nodes,"
                + " disks) to fix first");
  }

  /** The next step of the replacement in flight. */
  static Plan next(ClusterView v, int n, OperationStatus op, boolean quorum) {
    ClusterObservation obs = v.observation();
    String member = op.member;
    int ordinal = Planner.ordinalOf(member);
    PodView pod = v.pods().get(ordinal);
    if (!quorum) {
      return waiting(n, op, REPLACING_MEMBER, noQuorum(obs, "step of replacing " + member), null);
    }
    boolean voter = obs.voters().contains(member);
    boolean replaced = op.podUid != null && (pod == null || !op.podUid.equals(pod.uid()));
    if (!replaced && voter) {
      if (why(v, ordinal).isEmpty()) {
        // healthy again before anything was done to it: nothing to replace
        return done(n);
      }
      if (member.equals(obs.leader())) {
        // a member that lost its data cannot lead; the others still name it until they elect
        return waiting(
            n,
            op,
            REPLACING_MEMBER,
            "waiting for the group to elect a leader other than " + member + " before removing it",
            null);
      }
      String unsafe = Planner.removalLosesQuorum(obs, member);
      if (unsafe != null) {
        return waiting(n, op, REPLACING_MEMBER, unsafe, null);
      }
      return act(
          n,
          new Step.RemoveMember(member),
          op,
          member,
          REPLACING_MEMBER,
          "replacing " + member + " (" + op.reason + "): removing it from the group",
          null);
    }
    if (!replaced) {
      if (pod == null || pod.terminating()) {
        return waiting(
            n,
            op,
            REPLACING_MEMBER,
            "waiting for pod " + member + " to exist before deleting its volumes",
            null);
      }
      OperationStatus withUid = Planner.copy(op);
      withUid.podUid = pod.uid();
      return act(
          n,
          new Step.ReplaceVolumes(ordinal, member),
          withUid,
          member,
          REPLACING_MEMBER,
          "replacing "
              + member
              + ": deleting its volume claims and its pod; the StatefulSet recreates both, empty",
          null);
    }
    if (!voter) {
      boolean joiner =
          pod != null
              && !pod.terminating()
              && obs.member(member).map(m -> "Listener".equals(m.role())).orElse(false);
      if (!joiner) {
        String now =
            pod == null
                ? "no pod yet"
                : pod.storeRefusal() != null
                    ? "it refuses its new volumes too: "
                        + pod.storeRefusal()
                        + "; look at the node and its disks"
                    : state(obs, member);
        return waiting(
            n,
            op,
            REPLACING_MEMBER,
            "waiting for " + member + " to run as a joiner on its new volumes (" + now + ")",
            null);
      }
      return act(
          n,
          new Step.AddMembers(List.of(member)),
          op,
          member,
          REPLACING_MEMBER,
          "adding "
              + member
              + " back to the group; it catches up through snapshot installation before voting",
          null);
    }
    Optional<MemberObservation> m = obs.member(member);
    if (m.isEmpty() || !m.get().healthy()) {
      return waiting(
          n, op, REPLACING_MEMBER, "waiting for " + member + " (" + state(obs, member) + ")", null);
    }
    if (m.get().lag() < 0 || m.get().lag() > v.maxLag() || pod == null || !pod.ready()) {
      return waiting(
          n,
          op,
          REPLACING_MEMBER,
          "waiting for "
              + member
              + " to catch up ("
              + (pod == null || !pod.ready() ? "pod not ready" : m.get().lag() + " entries behind")
              + ")",
          null);
    }
    return done(n);
  }
}

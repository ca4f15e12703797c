package dev.metacluster.operator.plan;

import dev.metacluster.operator.crd.OperationStatus;
import dev.metacluster.operator.model.PodDisruptionBudgetModel;
import dev.metacluster.operator.observe.ClusterObservation;
import dev.metacluster.operator.observe.MemberObservation;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The day-2 decisions as one pure function: observed state in, the single next step out. Every step
 * is derived again from what the API server and the masters show, so a reconcile after an operator
 * restart picks up where the last one stopped; the recorded operation only keeps the size an
 * in-flight scale is heading for.
 *
 * <p>In order of precedence:
 *
 * <ol>
 *   <li>A member replacement in flight ({@link Replacement}) continues.
 *   <li>Volumes of a member beyond the StatefulSet (it left the group) are deleted once its pod is
 *       gone, so it can never rejoin on stale data.
 *   <li>Member replacement: with nothing else in flight, a voter that lost its data (answers as a
 *       Listener, or its master refuses its volumes) is replaced, within
 *       spec.maxReplacementsPerHour (beyond it: reported, not done).
 *   <li>A scale in flight continues towards its recorded size; a spec asking for the opposite
 *       direction meanwhile is refused (reported) and taken up as a new operation afterwards.
 *   <li>Scale up: grow the StatefulSet (new pods start as joiners), add the joiners once they run,
 *       done when every member votes and is caught up.
 *   <li>Scale down, one member at a time from the highest ordinal: leadership moves away first,
 *       then the member is removed (only if a majority of the remaining voters stays healthy), then
 *       the StatefulSet shrinks, then (rule 2) its volumes go.
 *   <li>Upgrade (pods on an old revision; the StatefulSet uses OnDelete): an old-revision member
 *       that is down is restarted first; a member on the new revision that is not healthy halts the
 *       rollout; followers one at a time, each only when every member is ready and caught up; then
 *       leadership moves to a caught-up follower and the old leader restarts last. When the cluster
 *       backs up before upgrades, the first restart of a running member waits until the revision's
 *       backup has succeeded (a failed one stops the rollout).
 * </ol>
 *
 * No membership change and no restart of a healthy member without a quorum.
 */
public final class Planner {
  public static final String SCALING_UP = "ScalingUp";
  public static final String SCALING_DOWN = "ScalingDown";
  public static final String UPGRADING = "Upgrading";
  public static final String BACKING_UP = "BackingUp";
  public static final String REPLACING_MEMBER = "ReplacingMember";

  /** Degraded reason: a member needs replacing beyond spec.maxReplacementsPerHour. */
  public static final String REPLACEMENT_LIMIT_REACHED = "ReplacementLimitReached";

  private Planner() {}

  public static Plan decide(ClusterView v) {
    if (v.stsReplicas() == null) {
      return new Plan(v.specReplicas(), Step.NONE, null, null, null, null);
    }
    int n = v.stsReplicas();
    OperationStatus op = v.inFlight();
    boolean scaleInFlight = op != null && op.isScale() && op.toReplicas != null;
    int target = scaleInFlight ? op.toReplicas : v.specReplicas();
    String refusal = scaleInFlight ? refusal(op, v.specReplicas()) : null;

    ClusterObservation obs = v.observation();
    boolean quorum = obs != null && obs.quorumUp() && obs.votersKnown();
    // a replacement in flight finishes first (it keeps its own record; leftovers wait for it)
    if (op != null && op.isReplacement()) {
      return Replacement.next(v, n, op, quorum);
    }

    // 1. leftover volumes of members that left
    List<Integer> leftovers =
        v.claimOrdinals().stream().filter(o -> o >= n).sorted(Comparator.reverseOrder()).toList();
    if (!leftovers.isEmpty()) {
      int ordinal = leftovers.get(0);
      String member = v.member(ordinal);
      OperationStatus down =
          scaleInFlight ? op : new OperationStatus(OperationStatus.SCALE_DOWN, n, target);
      if (v.pods().containsKey(ordinal)) {
        return waiting(
            n,
            down,
            SCALING_DOWN,
            "waiting for pod " + member + " to go before deleting its volumes",
            refusal);
      }
      return act(
          n,
          new Step.DeleteVolumes(ordinal, member),
          down,
          member,
          SCALING_DOWN,
          "deleting the volumes of "
              + member
              + ", which left the group, so it can never rejoin"
              + " on stale data",
          refusal);
    }

    String limit = null;
    if (op == null) {
      Optional<Replacement.Candidate> candidate = Replacement.candidate(v, n);
      if (candidate.isPresent()) {
        if (v.replacementsLastHour() < v.maxReplacementsPerHour()) {
          return Replacement.start(v, n, candidate.get(), quorum);
        }
        limit = Replacement.limited(v, candidate.get());
      }
    }
    List<String> newcomers = new ArrayList<>();
    if (obs != null && obs.votersKnown()) {
      for (int i = 0; i < n; i++) {
        if (!obs.voters().contains(v.member(i))) {
          newcomers.add(v.member(i));
        }
      }
    }

    if (target > n
        || (scaleInFlight && OperationStatus.SCALE_UP.equals(op.type))
        || (target == n && !newcomers.isEmpty() && v.groupFormed())) {
      OperationStatus up =
          scaleInFlight && OperationStatus.SCALE_UP.equals(op.type)
              ? op
              : new OperationStatus(OperationStatus.SCALE_UP, n, Math.max(target, n));
      return limited(scaleUp(v, n, Math.max(target, n), up, newcomers, quorum, refusal), limit);
    }
    if (target < n || (scaleInFlight && OperationStatus.SCALE_DOWN.equals(op.type))) {
      OperationStatus down =
          scaleInFlight ? op : new OperationStatus(OperationStatus.SCALE_DOWN, n, target);
      if (target >= n) {
        return limited(done(n), limit);
      }
      return limited(scaleDown(v, n, down, quorum, refusal), limit);
    }
    return limited(upgrade(v, n, op, quorum), limit);
  }

  /** The plan, reporting {@code limit} (a replacement beyond the bound) unless it refuses else. */
  private static Plan limited(Plan plan, String limit) {
    if (limit == null || plan.refusal() != null) {
      return plan;
    }
    return new Plan(
        plan.stsReplicas(),
        plan.step(),
        plan.operation(),
        plan.reason(),
        plan.message(),
        limit,
        REPLACEMENT_LIMIT_REACHED);
  }

  private static Plan scaleUp(
      ClusterView v,
      int n,
      int target,
      OperationStatus op,
      List<String> newcomers,
      boolean quorum,
      String refusal) {
    ClusterObservation obs = v.observation();
    boolean starting = v.inFlight() == null || !v.inFlight().isScale();
    if (!quorum) {
      return waiting(n, starting ? null : op, SCALING_UP, noQuorum(obs, "adding members"), refusal);
    }
    if (!v.groupFormed()) {
      return waiting(n, starting ? null : op, SCALING_UP, "the group has not formed yet", refusal);
    }
    if (n < target) {
      List<String> unhealthy = unhealthyVoters(obs);
      if (starting && !unhealthy.isEmpty()) {
        return waiting(
            n,
            null,
            SCALING_UP,
            "scaling "
                + n
                + " -> "
                + target
                + " waits until every member is healthy ("
                + String.join("; ", unhealthy)
                + ")",
            refusal);
      }
      List<String> joiners = new ArrayList<>();
      for (int i = n; i < target; i++) {
        joiners.add(v.member(i));
      }
      return act(
          target,
          new Step.Grow(n, target),
          op,
          null,
          SCALING_UP,
          "growing the StatefulSet from "
              + n
              + " to "
              + target
              + "; "
              + String.join(", ", joiners)
              + " start as joiners and are added to the group once they run",
          refusal);
    }
    if (!newcomers.isEmpty()) {
      List<String> notRunning =
          newcomers.stream()
              .filter(id -> !obs.member(id).map(m -> "Listener".equals(m.role())).orElse(false))
              .toList();
      if (!notRunning.isEmpty()) {
        return waiting(
            n,
            op,
            SCALING_UP,
            "waiting for "
                + notRunning.stream().map(id -> id + " (" + state(obs, id) + ")").toList()
                + " to run as joiners before adding them",
            refusal);
      }
      return act(
          n,
          new Step.AddMembers(List.copyOf(newcomers)),
          op,
          String.join(",", newcomers),
          SCALING_UP,
          "adding " + String.join(", ", newcomers) + " to the group; they catch up before voting",
          refusal);
    }
    List<String> behind = notCaughtUp(v, n);
    if (!behind.isEmpty()) {
      return waiting(n, op, SCALING_UP, "waiting for " + String.join("; ", behind), refusal);
    }
    return done(n);
  }

  private static Plan scaleDown(
      ClusterView v, int n, OperationStatus op, boolean quorum, String refusal) {
    ClusterObservation obs = v.observation();
    String member = v.member(n - 1);
    if (!quorum) {
      return waiting(n, op, SCALING_DOWN, noQuorum(obs, "removing " + member), refusal);
    }
    if (!obs.voters().contains(member)) {
      return act(
          n - 1,
          new Step.Shrink(n, n - 1),
          op,
          member,
          SCALING_DOWN,
          "shrinking the StatefulSet from "
              + n
              + " to "
              + (n - 1)
              + "; "
              + member
              + " has left the group",
          refusal);
    }
    if (member.equals(obs.leader())) {
      Optional<String> successor = successor(v, member, n - 1, null);
      if (successor.isEmpty()) {
        return waiting(
            n,
            op,
            SCALING_DOWN,
            member + " leads and no other member is healthy and caught up to take over",
            refusal);
      }
      return act(
          n,
          new Step.TransferLeadership(member, successor.get()),
          op,
          member,
          SCALING_DOWN,
          "moving leadership from " + member + " to " + successor.get() + " before removing it",
          refusal);
    }
    String unsafe = removalLosesQuorum(obs, member);
    if (unsafe != null) {
      return waiting(n, op, SCALING_DOWN, unsafe, refusal);
    }
    return act(
        n,
        new Step.RemoveMember(member),
        op,
        member,
        SCALING_DOWN,
        "removing " + member + " from the group (a healthy majority of the others remains)",
        refusal);
  }

  /**
   * Why removing {@code member} would leave less than a healthy majority, null when it would not.
   */
  static String removalLosesQuorum(ClusterObservation obs, String member) {
    Set<String> remaining = new TreeSet<>(obs.voters());
    remaining.remove(member);
    long healthy =
        obs.members().stream().filter(m -> m.healthy() && remaining.contains(m.id())).count();
    int majority = PodDisruptionBudgetModel.quorum(remaining.size());
    if (healthy >= majority) {
      return null;
    }
    return "removing "
        + member
        + " would leave "
        + healthy
        + " healthy of "
        + remaining.size()
        + " voters, below a majority of "
        + majority;
  }

  private static Plan upgrade(ClusterView v, int n, OperationStatus previous, boolean quorum) {
    String revision = v.updateRevision();
    if (revision == null) {
      return done(n);
    }
    ClusterObservation obs = v.observation();
    List<Integer> outdated = new ArrayList<>();
    List<Integer> missing = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      PodView pod = v.pods().get(i);
      if (pod == null || pod.terminating()) {
        missing.add(i);
      } else if (!revision.equals(pod.revision())) {
        outdated.add(i);
      }
    }
    boolean inFlight = previous != null && OperationStatus.UPGRADE.equals(previous.type);
    if (outdated.isEmpty()) {
      if (!inFlight) {
        return done(n);
      }
      List<String> behind = notCaughtUp(v, n);
      if (!missing.isEmpty() || !behind.isEmpty()) {
        List<String> why = new ArrayList<>();
        missing.forEach(i -> why.add(v.member(i) + " (pod not there yet)"));
        why.addAll(behind);
        return waiting(n, previous, UPGRADING, "waiting for " + String.join("; ", why), null);
      }
      return done(n);
    }
    OperationStatus op =
        inFlight && revision.equals(previous.revision) ? previous : upgradeOperation(n, revision);
    if (!missing.isEmpty()) {
      return waiting(
          n,
          op,
          UPGRADING,
          "waiting for pod " + v.member(missing.get(0)) + " to come back before the next restart",
          null);
    }
    // a member on the old revision that is down costs nothing to restart: first. Down means the
    // kubelet finds the pod not ready too, so an operator that cannot reach the masters does not
    // mistake every member for a dead one.
    for (int i = outdated.size() - 1; i >= 0; i--) {
      int ordinal = outdated.get(i);
      if (!up(v, ordinal) && !v.pods().get(ordinal).ready()) {
        String member = v.member(ordinal);
        return act(
            n,
            new Step.RestartPod(member),
            op,
            member,
            UPGRADING,
            "restarting "
                + member
                + " on revision "
                + revision
                + " first: it is down ("
                + state(obs, member)
                + ")",
            null);
      }
    }
    for (int i = n - 1; i >= 0; i--) {
      if (!outdated.contains(i) && !up(v, i)) {
        String member = v.member(i);
        return waiting(
            n,
            op,
            UPGRADING,
            "waiting for "
                + member
                + " (revision "
                + revision
                + ") to be healthy: "
                + state(obs, member)
                + "; no other member restarts until it is (if it never is, fix the spec or the"
                + " member)",
            null);
      }
    }
    if (!quorum) {
      return waiting(n, op, UPGRADING, noQuorum(obs, "restarting a member"), null);
    }
    Plan backup = backupFirst(v, n, op);
    if (backup != null) {
      return backup;
    }
    List<String> behind = notCaughtUp(v, n);
    if (!behind.isEmpty()) {
      return waiting(
          n,
          op,
          UPGRADING,
          "waiting for " + String.join("; ", behind) + " before the next restart",
          null);
    }
    String leader = obs.leader();
    for (int i = outdated.size() - 1; i >= 0; i--) {
      String member = v.member(outdated.get(i));
      if (!member.equals(leader)) {
        return act(
            n,
            new Step.RestartPod(member),
            op,
            member,
            UPGRADING,
            "restarting follower " + member + " on revision " + revision,
            null);
      }
    }
    Set<String> updated =
        java.util.stream.IntStream.range(0, n)
            .filter(i -> !outdated.contains(i))
            .mapToObj(v::member)
            .collect(Collectors.toSet());
    Optional<String> successor = successor(v, leader, n, updated);
    if (successor.isEmpty()) {
      return waiting(
          n,
          op,
          UPGRADING,
          "only the leader "
              + leader
              + " is left to restart and no updated follower is caught up"
              + " to take over",
          null);
    }
    return act(
        n,
        new Step.TransferLeadership(leader, successor.get()),
        op,
        leader,
        UPGRADING,
        "moving leadership from "
            + leader
            + " to "
            + successor.get()
            + " before restarting "
            + leader
            + " last",
        null);
  }

  /**
   * The upgrade's backup, before the first restart of a running member: create it, wait for it, or
   * stop on its failure. Null when it succeeded or none is wanted.
   */
  private static Plan backupFirst(ClusterView v, int n, OperationStatus op) {
    BackupView backup = v.preUpgradeBackup();
    if (backup == null || backup.succeeded()) {
      return null;
    }
    if (!backup.exists()) {
      return act(
          n,
          new Step.Backup(backup.name()),
          op,
          null,
          BACKING_UP,
          "taking backup " + backup.name() + " before restarting any member",
          null);
    }
    if (backup.failed()) {
      return waiting(
          n,
          op,
          BACKING_UP,
          "backup "
              + backup.name()
              + " failed ("
              + backup.message()
              + "); the rollout waits: delete that MetadataBackup to try again, or set"
              + " spec.backup.beforeUpgrade=false to upgrade without a backup",
          null);
    }
    return waiting(
        n,
        op,
        BACKING_UP,
        "waiting for backup "
            + backup.name()
            + " ("
            + backup.phase()
            + ") before the first restart",
        null);
  }

  private static OperationStatus upgradeOperation(int n, String revision) {
    OperationStatus op = new OperationStatus(OperationStatus.UPGRADE, n, n);
    op.revision = revision;
    return op;
  }

  /** The pod is ready and its member a healthy voter. */
  private static boolean up(ClusterView v, int ordinal) {
    PodView pod = v.pods().get(ordinal);
    ClusterObservation obs = v.observation();
    return pod != null
        && pod.ready()
        && obs != null
        && obs.member(v.member(ordinal)).map(MemberObservation::healthy).orElse(false);
  }

  /** Members of ordinals below {@code n} not healthy or behind the leader, in words. */
  private static List<String> notCaughtUp(ClusterView v, int n) {
    List<String> behind = new ArrayList<>();
    ClusterObservation obs = v.observation();
    for (int i = 0; i < n; i++) {
      String id = v.member(i);
      PodView pod = v.pods().get(i);
      Optional<MemberObservation> m = obs == null ? Optional.empty() : obs.member(id);
      if (m.isEmpty() || !m.get().healthy()) {
        behind.add(id + " (" + state(obs, id) + ")");
      } else if (m.get().lag() < 0 || m.get().lag() > v.maxLag()) {
        behind.add(id + " to catch up (" + m.get().lag() + " entries behind)");
      } else if (pod == null || !pod.ready()) {
        behind.add(id + " (pod not ready)");
      }
    }
    return behind;
  }

  /**
   * The healthy follower below ordinal {@code limit} (and in {@code among}, when given) that is
   * least behind and caught up.
   */
  private static Optional<String> successor(
      ClusterView v, String leaving, int limit, Set<String> among) {
    ClusterObservation obs = v.observation();
    return java.util.stream.IntStream.range(0, limit)
        .mapToObj(v::member)
        .filter(id -> !id.equals(leaving))
        .filter(id -> among == null || among.contains(id))
        .filter(id -> v.pods().containsKey(ordinalOf(id)) && v.pods().get(ordinalOf(id)).ready())
        .map(obs::member)
        .flatMap(Optional::stream)
        .filter(m -> m.healthy() && m.lag() >= 0 && m.lag() <= v.maxLag())
        .filter(m -> obs.voters().contains(m.id()))
        .min(Comparator.comparingLong(MemberObservation::lag).thenComparing(MemberObservation::id))
        .map(MemberObservation::id);
  }

  static int ordinalOf(String member) {
    return Integer.parseInt(member.substring(member.lastIndexOf('-') + 1));
  }

  private static List<String> unhealthyVoters(ClusterObservation obs) {
    return obs.members().stream()
        .filter(m -> obs.voters().contains(m.id()) && !m.healthy())
        .map(m -> m.id() + ": " + m.message())
        .toList();
  }

  static String state(ClusterObservation obs, String id) {
    if (obs == null) {
      return "not asked";
    }
    return obs.member(id)
        .map(m -> m.healthy() ? m.role().toLowerCase(java.util.Locale.ROOT) : m.message())
        .orElse("not observed");
  }

  static String noQuorum(ClusterObservation obs, String what) {
    return "no quorum"
        + (obs == null
            ? ""
            : " (" + obs.healthyMembers() + " healthy, a majority is " + obs.quorum() + ")")
        + ": no "
        + what
        + " until a majority of the members is back";
  }

  private static String refusal(OperationStatus op, int spec) {
    boolean up = op.toReplicas > op.fromReplicas;
    boolean opposite = up ? spec < op.toReplicas : spec > op.toReplicas;
    if (!opposite) {
      return null;
    }
    return "spec.replicas "
        + spec
        + " is refused while scaling "
        + (up ? "up" : "down")
        + " from "
        + op.fromReplicas
        + " to "
        + op.toReplicas
        + " is in flight: a membership change is not reversed half-way; it completes first,"
        + " then spec.replicas is taken up as a new operation";
  }

  static Plan act(
      int stsReplicas,
      Step step,
      OperationStatus op,
      String member,
      String reason,
      String message,
      String refusal) {
    OperationStatus next = copy(op);
    next.member = member;
    next.step = message;
    return new Plan(stsReplicas, step, next, reason, message, refusal);
  }

  static Plan waiting(
      int stsReplicas, OperationStatus op, String reason, String message, String refusal) {
    OperationStatus next = op == null ? null : copy(op);
    if (next != null) {
      next.step = message;
    }
    return new Plan(stsReplicas, Step.NONE, next, reason, message, refusal);
  }

  static Plan done(int n) {
    return new Plan(n, Step.NONE, null, null, null, null);
  }

  static OperationStatus copy(OperationStatus op) {
    OperationStatus c = new OperationStatus(op.type, op.fromReplicas, op.toReplicas);
    c.revision = op.revision;
    c.member = op.member;
    c.podUid = op.podUid;
    c.reason = op.reason;
    c.step = op.step;
    c.startedAt = op.startedAt;
    c.lastStepAt = op.lastStepAt;
    return c;
  }
}

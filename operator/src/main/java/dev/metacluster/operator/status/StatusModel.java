package dev.metacluster.operator.status;

import static dev.metacluster.operator.status.ClusterConditions.AVAILABLE;
import static dev.metacluster.operator.status.ClusterConditions.DEGRADED;
import static dev.metacluster.operator.status.ClusterConditions.FALSE;
import static dev.metacluster.operator.status.ClusterConditions.PROGRESSING;
import static dev.metacluster.operator.status.ClusterConditions.READY;
import static dev.metacluster.operator.status.ClusterConditions.TRUE;
import static dev.metacluster.operator.status.ClusterConditions.UNKNOWN;
import static dev.metacluster.operator.status.ClusterConditions.condition;

import dev.metacluster.operator.crd.MemberStatus;
import dev.metacluster.operator.crd.MetadataCluster;
import dev.metacluster.operator.crd.MetadataClusterStatus;
import dev.metacluster.operator.crd.OperationStatus;
import dev.metacluster.operator.crd.ReplacementStatus;
import dev.metacluster.operator.observe.ClusterObservation;
import dev.metacluster.operator.observe.MemberObservation;
import dev.metacluster.operator.plan.Plan;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Status as a pure function of what the reconcile saw: the spec's problems, the StatefulSet, and
 * the masters' answers. The previous status only keeps condition transition times and tells "never
 * came up" (Creating) from "came up and went down" (Unavailable).
 */
public final class StatusModel {
  public static final String PHASE_CREATING = "Creating";
  public static final String PHASE_RUNNING = "Running";
  public static final String PHASE_UPDATING = "Updating";
  public static final String PHASE_DEGRADED = "Degraded";
  public static final String PHASE_UNAVAILABLE = "Unavailable";
  public static final String PHASE_INVALID = "Invalid";

  private StatusModel() {}

  /**
   * @param problems what {@link SpecValidator} found; children were left untouched if non-empty
   * @param sts the StatefulSet, null if it does not exist
   * @param observation the masters' answers; null when there is nothing to ask yet
   */
  public static MetadataClusterStatus compute(
      MetadataCluster mdc,
      List<String> problems,
      StatefulSet sts,
      ClusterObservation observation,
      Instant now) {
    return compute(mdc, problems, sts, observation, null, false, now);
  }

  /**
   * @param plan the day-2 decision of this reconcile (its operation, intent and refusal), null when
   *     none was made (invalid spec, paused)
   * @param groupFormed the Raft group has formed (sticky)
   */
  public static MetadataClusterStatus compute(
      MetadataCluster mdc,
      List<String> problems,
      StatefulSet sts,
      ClusterObservation observation,
      Plan plan,
      boolean groupFormed,
      Instant now) {
    MetadataClusterStatus previous = mdc.getStatus();
    List<Condition> before = previous == null ? List.of() : previous.conditions;
    long generation =
        mdc.getMetadata().getGeneration() == null ? 0 : mdc.getMetadata().getGeneration();
    boolean paused = mdc.getSpec() != null && mdc.getSpec().isPaused();

    MetadataClusterStatus status = new MetadataClusterStatus();
    status.observedGeneration = generation;
    status.replicas =
        sts == null || sts.getStatus() == null ? 0 : nz(sts.getStatus().getReplicas());
    status.readyReplicas =
        sts == null || sts.getStatus() == null ? 0 : nz(sts.getStatus().getReadyReplicas());
    if (observation != null) {
      status.leader = observation.leader();
      status.term = observation.term() < 0 ? null : observation.term();
      Map<String, String> recorded = recordedStoreIds(previous);
      status.members =
          observation.members().stream()
              .map(
                  m ->
                      member(
                          m,
                          renewedStore(previous, m.id())
                              ? storeIdOrRecorded(recorded.get(m.id()), m)
                              : storeId(recorded.get(m.id()), m, observation)))
              .toList();
    }
    leaderHistory(previous, status, observation, now);
    status.groupFormed =
        groupFormed || (previous != null && Boolean.TRUE.equals(previous.groupFormed))
            ? Boolean.TRUE
            : null;
    if (plan != null) {
      status.operation = operation(previous, plan, now);
    } else if (previous != null) {
      status.operation = previous.operation; // paused or invalid: the operation waits
    }
    status.replacements = replacements(previous, status.operation, now);
    String intent = plan == null ? null : plan.reason();
    String refusal = plan == null ? null : plan.refusal();

    boolean invalid = !problems.isEmpty();
    boolean available = observation != null && observation.quorumUp();
    String rollout = rollout(sts);
    boolean progressing = rollout != null;

    // Available: can the service answer?
    Condition availableCond;
    if (sts == null) {
      availableCond =
          condition(
              AVAILABLE,
              FALSE,
              invalid ? ClusterConditions.REASON_INVALID_SPEC : ClusterConditions.REASON_CREATING,
              invalid ? "no masters: the spec is invalid" : "the masters are being created",
              generation,
              before,
              now);
    } else if (available) {
      availableCond =
          condition(
              AVAILABLE,
              TRUE,
              ClusterConditions.REASON_QUORUM_UP,
              "leader "
                  + observation.leader()
                  + "; "
                  + observation.healthyMembers()
                  + " of "
                  + observation.members().size()
                  + " members healthy (a majority is "
                  + observation.quorum()
                  + ")",
              generation,
              before,
              now);
    } else {
      availableCond =
          condition(
              AVAILABLE,
              FALSE,
              !cameUpBefore(previous)
                  ? ClusterConditions.REASON_CREATING
                  : observation != null && observation.leader() == null
                      ? ClusterConditions.REASON_NO_LEADER
                      : ClusterConditions.REASON_QUORUM_LOST,
              quorumMessage(observation),
              generation,
              before,
              now);
    }

    Condition progressingCond;
    if (paused) {
      progressingCond =
          condition(
              PROGRESSING,
              UNKNOWN,
              ClusterConditions.REASON_PAUSED,
              "spec.paused is true: the operator applies no changes, status stays current",
              generation,
              before,
              now);
    } else if (intent != null) {
      progressingCond =
          condition(PROGRESSING, TRUE, intent, plan.message(), generation, before, now);
    } else if (progressing) {
      progressingCond =
          condition(
              PROGRESSING,
              TRUE,
              sts == null
                  ? ClusterConditions.REASON_CREATING
                  : ClusterConditions.REASON_ROLLING_OUT,
              rollout,
              generation,
              before,
              now);
    } else {
      progressingCond =
          condition(
              PROGRESSING,
              FALSE,
              ClusterConditions.REASON_ROLLED_OUT,
              "every master runs the current template",
              generation,
              before,
              now);
    }

    List<String> unhealthy = unhealthyMembers(observation);
    Condition degradedCond;
    if (invalid) {
      degradedCond =
          condition(
              DEGRADED,
              TRUE,
              ClusterConditions.REASON_INVALID_SPEC,
              String.join("; ", problems),
              generation,
              before,
              now);
    } else if (sts != null && !available && cameUpBefore(previous)) {
      degradedCond =
          condition(
              DEGRADED,
              TRUE,
              ClusterConditions.REASON_QUORUM_LOST,
              quorumMessage(observation),
              generation,
              before,
              now);
    } else if (refusal != null) {
      degradedCond =
          condition(
              DEGRADED,
              TRUE,
              plan.refusalReason() == null
                  ? ClusterConditions.REASON_SCALE_REFUSED
                  : plan.refusalReason(),
              refusal,
              generation,
              before,
              now);
    } else if (sts != null && !progressing && intent == null && !unhealthy.isEmpty()) {
      degradedCond =
          condition(
              DEGRADED,
              TRUE,
              ClusterConditions.REASON_MEMBERS_UNHEALTHY,
              String.join("; ", unhealthy),
              generation,
              before,
              now);
    } else {
      degradedCond =
          condition(
              DEGRADED,
              FALSE,
              ClusterConditions.REASON_AS_EXPECTED,
              "nothing needs attention",
              generation,
              before,
              now);
    }

    boolean ready =
        !invalid
            && available
            && !progressing
            && intent == null
            && refusal == null
            && unhealthy.isEmpty();
    Condition readyCond;
    if (ready) {
      readyCond =
          condition(
              READY,
              TRUE,
              ClusterConditions.REASON_READY,
              "all " + observation.members().size() + " members healthy, leader " + status.leader,
              generation,
              before,
              now);
    } else {
      Condition cause =
          invalid || refusal != null
              ? degradedCond
              : !available
                  ? availableCond
                  : progressing || intent != null ? progressingCond : degradedCond;
      readyCond =
          condition(READY, FALSE, cause.getReason(), cause.getMessage(), generation, before, now);
    }
    status.conditions =
        new ArrayList<>(List.of(readyCond, availableCond, progressingCond, degradedCond));
    status.phase = phase(previous, invalid, sts, available, ready, progressing || intent != null);
    return status;
  }

  private static String phase(
      MetadataClusterStatus previous,
      boolean invalid,
      StatefulSet sts,
      boolean available,
      boolean ready,
      boolean progressing) {
    if (sts == null) {
      return invalid ? PHASE_INVALID : PHASE_CREATING;
    }
    if (!available) {
      return cameUpBefore(previous) ? PHASE_UNAVAILABLE : PHASE_CREATING;
    }
    if (ready) {
      return PHASE_RUNNING;
    }
    return progressing ? PHASE_UPDATING : PHASE_DEGRADED;
  }

  /** Whether the cluster was ever available: after that, no quorum is a loss, not a start. */
  private static boolean cameUpBefore(MetadataClusterStatus previous) {
    return previous != null
        && previous.phase != null
        && !PHASE_CREATING.equals(previous.phase)
        && !PHASE_INVALID.equals(previous.phase);
  }

  /** Null when the StatefulSet is fully rolled out and ready; else what is still happening. */
  static String rollout(StatefulSet sts) {
    if (sts == null) {
      return "creating the StatefulSet";
    }
    int want = sts.getSpec() == null ? 0 : nz(sts.getSpec().getReplicas());
    var s = sts.getStatus();
    if (s == null) {
      return "waiting for the StatefulSet controller";
    }
    Long gen = sts.getMetadata().getGeneration();
    if (gen != null && (s.getObservedGeneration() == null || s.getObservedGeneration() < gen)) {
      return "waiting for the StatefulSet controller to see generation " + gen;
    }
    if (s.getUpdateRevision() != null
        && s.getCurrentRevision() != null
        && !s.getUpdateRevision().equals(s.getCurrentRevision())) {
      return nz(s.getUpdatedReplicas()) + " of " + want + " masters run the new template";
    }
    if (nz(s.getReadyReplicas()) < want) {
      return nz(s.getReadyReplicas()) + " of " + want + " masters ready";
    }
    return null;
  }

  private static String quorumMessage(ClusterObservation observation) {
    if (observation == null) {
      return "no master has been asked yet";
    }
    return observation.healthyMembers()
        + " of "
        + observation.members().size()
        + " members healthy, a majority of "
        + observation.quorum()
        + " is needed"
        + (observation.leader() == null ? "; no leader" : "")
        + detail(unhealthyMembers(observation));
  }

  private static String detail(List<String> unhealthy) {
    return unhealthy.isEmpty() ? "" : " (" + String.join("; ", unhealthy) + ")";
  }

  private static List<String> unhealthyMembers(ClusterObservation observation) {
    if (observation == null) {
      return List.of();
    }
    return observation.members().stream()
        .filter(m -> !m.healthy())
        .map(m -> m.id() + ": " + m.message())
        .collect(Collectors.toList());
  }

  /**
   * previousLeader and leaderChangedAt: set when the leader changes, including to "none" (the
   * previous leader is then the one lost) and from "none" (previousLeader stays the one lost).
   */
  private static void leaderHistory(
      MetadataClusterStatus previous,
      MetadataClusterStatus status,
      ClusterObservation observation,
      Instant now) {
    String before = previous == null ? null : blankToNull(previous.leader);
    String after = blankToNull(status.leader);
    status.previousLeader = previous == null ? null : previous.previousLeader;
    status.leaderChangedAt = previous == null ? null : previous.leaderChangedAt;
    if (observation == null || java.util.Objects.equals(before, after)) {
      return;
    }
    if (before != null) {
      status.previousLeader = before;
    }
    status.leaderChangedAt = now.truncatedTo(ChronoUnit.SECONDS).toString();
  }

  /** The plan's operation with its timestamps: started when first seen, last step when acting. */
  private static OperationStatus operation(MetadataClusterStatus previous, Plan plan, Instant now) {
    OperationStatus op = plan.operation();
    if (op == null) {
      return null;
    }
    OperationStatus was = previous == null ? null : previous.operation;
    String stamp = now.truncatedTo(ChronoUnit.SECONDS).toString();
    boolean same =
        was != null
            && java.util.Objects.equals(was.type, op.type)
            && java.util.Objects.equals(was.toReplicas, op.toReplicas)
            && java.util.Objects.equals(was.revision, op.revision)
            && (!op.isReplacement() || java.util.Objects.equals(was.member, op.member));
    op.startedAt = same && was.startedAt != null ? was.startedAt : stamp;
    op.lastStepAt = plan.acts() ? stamp : same ? was.lastStepAt : null;
    return op;
  }

  /**
   * The replacements started within the hour before {@code now}, plus the one {@code operation}
   * starts now (a replacement whose start time is this reconcile's).
   */
  static List<ReplacementStatus> replacements(
      MetadataClusterStatus previous, OperationStatus operation, Instant now) {
    List<ReplacementStatus> recent = new ArrayList<>(recentReplacements(previous, now));
    if (operation != null
        && operation.isReplacement()
        && recent.stream()
            .noneMatch(
                r ->
                    java.util.Objects.equals(r.member, operation.member)
                        && java.util.Objects.equals(r.startedAt, operation.startedAt))) {
      recent.add(new ReplacementStatus(operation.member, operation.reason, operation.startedAt));
    }
    return recent;
  }

  /** The replacements recorded in {@code previous} that started within the hour before now. */
  public static List<ReplacementStatus> recentReplacements(
      MetadataClusterStatus previous, Instant now) {
    if (previous == null || previous.replacements == null) {
      return List.of();
    }
    Instant hourAgo = now.minus(java.time.Duration.ofHours(1));
    return previous.replacements.stream()
        .filter(r -> r.startedAt != null && Instant.parse(r.startedAt).isAfter(hourAgo))
        .toList();
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }

  /** The store id recorded in status for each member that has one, by member id. */
  public static Map<String, String> recordedStoreIds(MetadataClusterStatus status) {
    Map<String, String> ids = new HashMap<>();
    if (status != null && status.members != null) {
      for (MemberStatus m : status.members) {
        if (m.name != null && m.storeId != null && !m.storeId.isEmpty()) {
          ids.put(m.name, m.storeId);
        }
      }
    }
    return ids;
  }

  /**
   * The store id to record for {@code m}: what it reports, except that a voter's recorded id stays
   * while it reports another (the evidence that it lost its data, kept until a replacement takes it
   * out of the group) or while the voters are not known. A member outside the group (a joiner, one
   * being replaced) has its new id recorded, so once it is added it votes with the id it has.
   */
  static String storeId(String recorded, MemberObservation m, ClusterObservation observation) {
    String reported = m.storeId() == null ? "" : m.storeId();
    if (recorded == null || recorded.isEmpty()) {
      return blankToNull(reported);
    }
    if (reported.isEmpty() || !observation.votersKnown() || observation.voters().contains(m.id())) {
      return recorded;
    }
    return reported;
  }

  /**
   * The member's volumes were replaced by the replacement in flight (its old pod's uid is
   * recorded), so the store it reports now is its new one, to be recorded even if it is back in the
   * group before the operator saw it outside (else the old id would set off a second replacement).
   */
  private static boolean renewedStore(MetadataClusterStatus previous, String member) {
    OperationStatus op = previous == null ? null : previous.operation;
    return op != null && op.isReplacement() && member.equals(op.member) && op.podUid != null;
  }

  private static String storeIdOrRecorded(String recorded, MemberObservation m) {
    return m.storeId() == null || m.storeId().isEmpty() ? recorded : m.storeId();
  }

  private static MemberStatus member(MemberObservation m, String storeId) {
    MemberStatus s = new MemberStatus(m.id());
    s.storeId = storeId;
    s.role = m.role();
    s.term = m.term() < 0 ? null : m.term();
    s.appliedIndex = m.appliedIndex() < 0 ? null : m.appliedIndex();
    s.lag = m.lag() < 0 ? null : m.lag();
    s.healthy = m.healthy();
    s.message = m.message();
    return s;
  }

  private static int nz(Integer i) {
    return i == null ? 0 : i;
  }
}

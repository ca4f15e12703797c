package dev.metacluster.operator.status;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * The condition types of a MetadataCluster and their reasons (CamelCase, per the Kubernetes API
 * conventions). A condition keeps its lastTransitionTime until its status changes.
 */
public final class ClusterConditions {
  /**
   * Every member is a healthy voter, the leader is known, nothing is rolling, the spec is valid.
   */
  public static final String READY = "Ready";

  /** A majority of members are healthy voters under a known leader: the service can answer. */
  public static final String AVAILABLE = "Available";

  /** The StatefulSet is being created or rolled to a new template. */
  public static final String PROGRESSING = "Progressing";

  /** Something is wrong that needs attention: an invalid spec, unhealthy members, no quorum. */
  public static final String DEGRADED = "Degraded";

  public static final String REASON_READY = "AllMembersHealthy";
  public static final String REASON_QUORUM_UP = "QuorumUp";
  public static final String REASON_QUORUM_LOST = "QuorumLost";
  public static final String REASON_NO_LEADER = "NoLeader";
  public static final String REASON_CREATING = "Creating";
  public static final String REASON_ROLLING_OUT = "RollingOut";
  public static final String REASON_ROLLED_OUT = "RolledOut";
  public static final String REASON_PAUSED = "Paused";
  public static final String REASON_INVALID_SPEC = "InvalidSpec";
  public static final String REASON_MEMBERS_UNHEALTHY = "MembersUnhealthy";
  public static final String REASON_AS_EXPECTED = "AsExpected";

  /** A spec.replicas change opposite to the scale in flight; taken up once it completes. */
  public static final String REASON_SCALE_REFUSED = "OppositeScaleRefused";

  public static final String TRUE = "True";
  public static final String FALSE = "False";
  public static final String UNKNOWN = "Unknown";

  private ClusterConditions() {}

  public static Condition condition(
      String type,
      String status,
      String reason,
      String message,
      long generation,
      List<Condition> previous,
      Instant now) {
    String since =
        find(previous, type)
            .filter(c -> status.equals(c.getStatus()) && c.getLastTransitionTime() != null)
            .map(Condition::getLastTransitionTime)
            .orElse(now.truncatedTo(ChronoUnit.SECONDS).toString());
    return new ConditionBuilder()
        .withType(type)
        .withStatus(status)
        .withReason(reason)
        .withMessage(message)
        .withObservedGeneration(generation)
        .withLastTransitionTime(since)
        .build();
  }

  public static java.util.Optional<Condition> find(List<Condition> conditions, String type) {
    return conditions == null
        ? java.util.Optional.empty()
        : conditions.stream().filter(c -> type.equals(c.getType())).findFirst();
  }

  public static boolean isTrue(List<Condition> conditions, String type) {
    return find(conditions, type).map(c -> TRUE.equals(c.getStatus())).orElse(false);
  }
}

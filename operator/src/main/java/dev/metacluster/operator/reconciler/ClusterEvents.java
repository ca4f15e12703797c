package dev.metacluster.operator.reconciler;

import dev.metacluster.operator.crd.MetadataClusterStatus;
import dev.metacluster.operator.status.ClusterConditions;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kubernetes Events a status change deserves: leader elected or changed, quorum lost or back, a
 * spec refused. Decided by comparing the previous status with the new one, so each is emitted once
 * per change, not once per reconcile.
 */
public final class ClusterEvents {
  public static final String COMPONENT = "metacluster-operator";
  public static final String LEADER_ELECTED = "LeaderElected";
  public static final String LEADER_CHANGED = "LeaderChanged";
  public static final String QUORUM_LOST = "QuorumLost";
  public static final String QUORUM_RESTORED = "QuorumRestored";
  public static final String INVALID_SPEC = "InvalidSpec";
  public static final String STEP_FAILED = "StepFailed";
  public static final String SCALE_REFUSED = "OppositeScaleRefused";

  private static final Logger log = LoggerFactory.getLogger(ClusterEvents.class);

  /** One event to emit. */
  public record Notice(String type, String reason, String message) {}

  private ClusterEvents() {}

  /** The events between two statuses (previous may be null). */
  public static List<Notice> between(MetadataClusterStatus previous, MetadataClusterStatus next) {
    List<Notice> notices = new ArrayList<>();
    String before = previous == null ? null : blankToNull(previous.leader);
    String after = blankToNull(next.leader);
    if (after != null && !after.equals(before)) {
      notices.add(
          before == null
              ? new Notice("Normal", LEADER_ELECTED, "leader is " + after + term(next))
              : new Notice(
                  "Normal",
                  LEADER_CHANGED,
                  "leader is now " + after + " (was " + before + ")" + term(next)));
    }
    List<Condition> was = previous == null ? List.of() : previous.conditions;
    boolean wasAvailable = ClusterConditions.isTrue(was, ClusterConditions.AVAILABLE);
    boolean isAvailable = ClusterConditions.isTrue(next.conditions, ClusterConditions.AVAILABLE);
    if (wasAvailable && !isAvailable) {
      notices.add(new Notice("Warning", QUORUM_LOST, message(next, ClusterConditions.AVAILABLE)));
    } else if (!wasAvailable && isAvailable && hadLostQuorum(was)) {
      notices.add(
          new Notice("Normal", QUORUM_RESTORED, message(next, ClusterConditions.AVAILABLE)));
    }
    String refusedBefore = degradedMessage(was, ClusterConditions.REASON_SCALE_REFUSED);
    String refusedNow = degradedMessage(next.conditions, ClusterConditions.REASON_SCALE_REFUSED);
    if (refusedNow != null && !refusedNow.equals(refusedBefore)) {
      notices.add(new Notice("Warning", SCALE_REFUSED, refusedNow));
    }
    String invalidBefore = invalidMessage(was);
    String invalidNow = invalidMessage(next.conditions);
    if (invalidNow != null && !invalidNow.equals(invalidBefore)) {
      notices.add(new Notice("Warning", INVALID_SPEC, invalidNow));
    }
    return notices;
  }

  /** Posts the events; a failure is logged, never fails the reconcile. */
  public static void emit(KubernetesClient client, HasMetadata mdc, List<Notice> notices) {
    for (Notice n : notices) {
      post(client, mdc, n, null);
    }
  }

  /**
   * Posts {@code notice} about {@code about} at most once, however often it is called: the Event's
   * name is derived from the object (its uid) and {@code occasion}, so a second post is refused by
   * the API server as a duplicate. For outcomes that happen once per object (a backup finished),
   * where a reconcile that still sees the old state could report them again.
   */
  public static void emitOnce(
      KubernetesClient client, HasMetadata about, Notice notice, String occasion) {
    String uid = about.getMetadata().getUid();
    String name =
        about.getMetadata().getName()
            + "."
            + (uid == null ? "" : uid.substring(0, Math.min(8, uid.length())) + ".")
            + occasion.toLowerCase(java.util.Locale.ROOT);
    post(client, about, notice, name);
  }

  private static void post(KubernetesClient client, HasMetadata mdc, Notice n, String name) {
    String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    log.info("event {} {}: {}", n.type(), n.reason(), n.message());
    Event event =
        new EventBuilder()
            .withNewMetadata()
            .withName(name)
            .withGenerateName(name == null ? mdc.getMetadata().getName() + "." : null)
            .withNamespace(mdc.getMetadata().getNamespace())
            .endMetadata()
            .withNewInvolvedObject()
            .withApiVersion(mdc.getApiVersion())
            .withKind(mdc.getKind())
            .withName(mdc.getMetadata().getName())
            .withNamespace(mdc.getMetadata().getNamespace())
            .withUid(mdc.getMetadata().getUid())
            .withResourceVersion(mdc.getMetadata().getResourceVersion())
            .endInvolvedObject()
            .withType(n.type())
            .withReason(n.reason())
            .withMessage(n.message())
            .withFirstTimestamp(now)
            .withLastTimestamp(now)
            .withCount(1)
            .withNewSource()
            .withComponent(COMPONENT)
            .endSource()
            .build();
    try {
      client.v1().events().inNamespace(mdc.getMetadata().getNamespace()).resource(event).create();
    } catch (KubernetesClientException e) {
      if (name != null && e.getCode() == 409) {
        log.debug("event {} already posted", name);
      } else {
        log.warn("could not post event {}: {}", n.reason(), e.getMessage());
      }
    }
  }

  private static String invalidMessage(List<Condition> conditions) {
    return degradedMessage(conditions, ClusterConditions.REASON_INVALID_SPEC);
  }

  private static String degradedMessage(List<Condition> conditions, String reason) {
    return ClusterConditions.find(conditions, ClusterConditions.DEGRADED)
        .filter(c -> reason.equals(c.getReason()))
        .map(Condition::getMessage)
        .orElse(null);
  }

  private static String message(MetadataClusterStatus status, String type) {
    return ClusterConditions.find(status.conditions, type).map(Condition::getMessage).orElse("");
  }

  private static String term(MetadataClusterStatus status) {
    return status.term == null ? "" : ", term " + status.term;
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }

  private static boolean hadLostQuorum(List<Condition> conditions) {
    return ClusterConditions.find(conditions, ClusterConditions.AVAILABLE)
        .map(
            c ->
                ClusterConditions.REASON_QUORUM_LOST.equals(c.getReason())
                    || ClusterConditions.REASON_NO_LEADER.equals(c.getReason()))
        .orElse(false);
  }
}

package dev.metacluster.operator.plan;

import dev.metacluster.operator.crd.OperationStatus;

/**
 * The decision of one reconcile.
 *
 * @param stsReplicas the replicas the StatefulSet is applied with (it follows the membership, not
 *     the spec directly)
 * @param step the one risky action to take now, {@link Step#NONE} for none
 * @param operation the operation in flight after this decision (written to status before the step
 *     runs), null when none
 * @param reason ScalingUp, ScalingDown or Upgrading while an operation is in flight, else null
 * @param message what is about to happen or what the operation waits for, null when idle
 * @param refusal why something asked for is not done now (a scale in the opposite direction, a
 *     replacement beyond the bound), null when none
 * @param refusalReason the Degraded reason for {@code refusal}; null means an opposite scale
 */
public record Plan(
    int stsReplicas,
    Step step,
    OperationStatus operation,
    String reason,
    String message,
    String refusal,
    String refusalReason) {

  /** A plan whose refusal, if any, is an opposite scale. */
  public Plan(
      int stsReplicas,
      Step step,
      OperationStatus operation,
      String reason,
      String message,
      String refusal) {
    this(stsReplicas, step, operation, reason, message, refusal, null);
  }

  public boolean acts() {
    return !(step instanceof Step.None);
  }
}

package dev.metacluster.operator.plan;

/**
 * One master pod as the API server shows it.
 *
 * @param ordinal the StatefulSet ordinal
 * @param revision the StatefulSet revision the pod was created from ({@code
 *     controller-revision-hash}), null if unknown
 * @param ready the pod's Ready condition is True
 * @param terminating the pod has a deletion timestamp
 * @param uid the pod's uid (a pod recreated under the same name has another), null if unknown
 * @param storeRefusal the master's last termination message when it refused its own volumes ({@code
 *     store refused: ...}), else null
 */
public record PodView(
    int ordinal,
    String revision,
    boolean ready,
    boolean terminating,
    String uid,
    String storeRefusal) {

  /** The prefix of the master's termination message when it refuses its volumes. */
  public static final String STORE_REFUSED = "store refused: ";

  public PodView(int ordinal, String revision, boolean ready, boolean terminating) {
    this(ordinal, revision, ready, terminating, null, null);
  }
}

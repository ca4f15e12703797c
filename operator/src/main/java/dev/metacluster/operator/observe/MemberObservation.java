package dev.metacluster.operator.observe;

/**
 * One member as it answered (or did not).
 *
 * @param id member id
 * @param role LEADER, FOLLOWER, CANDIDATE, LISTENER, or UNKNOWN when it did not answer
 * @param term the term it reports, -1 if unknown
 * @param appliedIndex its applied index, -1 if unknown
 * @param lag leader's commit index minus this member's applied index, -1 if unknown
 * @param healthy answered and is a voting leader or follower of the group
 * @param message why it is not healthy, null when healthy
 * @param storeId the id of its metastore, new whenever the store was created empty; "" if unknown
 */
public record MemberObservation(
    String id,
    String role,
    long term,
    long appliedIndex,
    long lag,
    boolean healthy,
    String message,
    String storeId) {

  /** A member that reported no store id (it did not answer). */
  public MemberObservation(
      String id, String role, long term, long appliedIndex, long lag, boolean healthy, String msg) {
    this(id, role, term, appliedIndex, lag, healthy, msg, "");
  }
}

package dev.metacluster.master.journal;

import java.util.List;

/**
 * One member's view of the cluster: who is in the group, who leads, and how far each member is.
 *
 * @param self the member answering
 * @param leader the leader's id, or "" when none is known
 * @param term the current term as this member sees it
 * @param commitIndex this member's commit index
 * @param appliedIndex this member's applied index
 * @param members the group's voting members (commit index as last reported to this member)
 * @param storeId this member's store id: new whenever its metastore was created empty
 */
public record ClusterInfo(
    String self,
    String role,
    String leader,
    long term,
    long commitIndex,
    long appliedIndex,
    List<Member> members,
    String storeId) {

  /**
   * A member of the group: its Raft address and its client API address ("" when unknown); {@code
   * commitIndex} is -1 when this member has no report of it.
   */
  public record Member(
      String id, String address, String clientAddress, boolean leader, long commitIndex) {}
}

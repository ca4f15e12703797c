package org.apache.ratis.server.impl;

import org.apache.ratis.server.RaftServer;

/**
 * The leader-lease check of Ratis 3.2.2's own linearizable read path, callable from outside Ratis.
 *
 * <p>Ratis serves a linearizable read on the leader like this ({@code RaftServerImpl.readAsync},
 * {@code LeaderStateImpl.getReadIndex}): read the commit index, then, if the leader is ready (it
 * has committed an entry of its term) and holds its lease (a majority acknowledged heartbeats sent
 * less than {@code raft.server.read.leader.lease.timeout.ratio} x the minimum election timeout ago,
 * so no other member can have been elected meanwhile), use that commit index as the read index;
 * wait until it is applied, then query the state machine. The classes involved are package-private
 * and 3.2.2 exposes no public way to ask for the lease, so this one class lives in Ratis's package
 * (the jar is not sealed and Ratis is not a named module here). It calls exactly what Ratis calls
 * and nothing else. Remove it once Ratis exposes the lease.
 */
public final class LeaseReadIndex {
  private LeaseReadIndex() {}

  /**
   * The read index for a linearizable read served locally: the commit index read before a
   * successful lease check, or -1 when {@code division} is not a ready leader holding its lease
   * (the caller must then take Ratis's ReadIndex path).
   */
  public static long of(RaftServer.Division division) {
    if (!(division instanceof RaftServerImpl impl)) {
      return -1;
    }
    LeaderStateImpl leader = impl.getRole().getLeaderState().orElse(null);
    if (leader == null) {
      return -1;
    }
    // The same order as LeaderStateImpl.getReadIndex: commit index first, then the lease.
    long commitIndex = impl.getRaftLog().getLastCommittedIndex();
    return leader.hasLease() ? commitIndex : -1;
  }
}

package dev.metacluster.master.server;

import dev.metacluster.master.journal.JournalServer;
import java.io.IOException;
import java.util.Collection;
import org.apache.ratis.proto.RaftProtos.CommitInfoProto;
import org.apache.ratis.proto.RaftProtos.RoleInfoProto;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.util.LifeCycle;

/**
 * What the probes report. Alive: the Raft server runs. Ready: this member is a voter of the group,
 * a leader is known and, on a follower, it heard from that leader recently and has applied all but
 * at most {@code maxLag} of the entries it knows to be committed (by itself or, as last reported,
 * by the leader) and of those its log held when it started. A follower installing a snapshot is not
 * ready (its applied index is far below the commit index).
 */
public final class MemberHealth {
  /** Ready or not, and why (the /readyz body, for a person reading probe events). */
  public record Status(boolean ok, String reason) {}

  private final JournalServer journal;
  private final long maxLag;
  private final long leaderSilenceMs;

  public MemberHealth(JournalServer journal, long maxLag) {
    this.journal = journal;
    this.maxLag = maxLag;
    // Three election timeouts without a word from the leader: it is gone or we are cut off.
    this.leaderSilenceMs = 3 * journal.config().electionTimeoutMax().toMillis();
  }

  public Status alive() {
    LifeCycle.State state = journal.raftServer().getLifeCycleState();
    return state == LifeCycle.State.RUNNING
        ? new Status(true, "running")
        : new Status(false, "raft server is " + state);
  }

  /**
   * How far a follower must have applied to be caught up: the commit index it knows, and at least
   * the entries its log held when it started. Right after a restart the commit index is not known
   * yet (the leader tells it with the next appends), while the member replays its log from its last
   * flush: it looked caught up then, and a rolling restart (or the failover benchmark) moved on
   * while it replayed thousands of entries. If it is elected meanwhile, writes wait for that
   * replay. Entries of the log at start that a new leader truncates are not waited for ({@code
   * logEnd}, the log's end now, caps the target).
   */
  static long catchUpTarget(long commit, long logEndAtStart, long logEnd) {
    return Math.max(commit, Math.min(logEndAtStart, logEnd));
  }

  /**
   * The highest commit index this member knows of: its own, or one the leader reported with its
   * appends (Ratis passes the leader's commit infos along). A follower's own commit index only
   * covers entries it holds, so while it still receives a backlog of entries it lags the leader's;
   * a rolling restart (and the failover benchmark) took such a member for caught up, and when it
   * was elected next, writes waited about a second while it applied that backlog.
   */
  static long highestCommit(long own, Collection<CommitInfoProto> reported) {
    long highest = own;
    for (CommitInfoProto info : reported) {
      highest = Math.max(highest, info.getCommitIndex());
    }
    return highest;
  }

  public Status ready() {
    try {
      var division = journal.division();
      var info = division.getInfo();
      RaftPeerId self = division.getId();
      // A voter of the current configuration (getPeer looks at followers, i.e. voters, by default).
      if (division.getRaftConf().getPeer(self) == null) {
        return new Status(false, "not a member of the group yet (waiting to be added)");
      }
      if (info.isLeader()) {
        return info.isLeaderReady()
            ? new Status(true, "leader")
            : new Status(false, "leader, but its first entry of the term is not committed yet");
      }
      if (info.getLeaderId() == null) {
        return new Status(false, "no leader known");
      }
      RoleInfoProto role = info.getRoleInfoProto();
      if (role.hasFollowerInfo()) {
        long silent = role.getFollowerInfo().getLeaderInfo().getLastRpcElapsedTimeMs();
        if (silent > leaderSilenceMs) {
          return new Status(
              false, "no word from leader " + info.getLeaderId() + " for " + silent + " ms");
        }
      }
      long applied = info.getLastAppliedIndex();
      long target =
          catchUpTarget(
              highestCommit(
                  division.getRaftLog().getLastCommittedIndex(), division.getCommitInfos()),
              journal.logEndAtStart(),
              journal.lastLogIndex());
      if (target - applied > maxLag) {
        return new Status(false, "catching up: applied " + applied + " of " + target + " entries");
      }
      return new Status(true, "follower of " + info.getLeaderId() + ", applied " + applied);
    } catch (IOException | RuntimeException e) {
      return new Status(false, "journal unavailable: " + e.getMessage());
    }
  }
}

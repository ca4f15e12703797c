package dev.metacluster.master.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.metacluster.master.namespace.Commands;
import dev.metacluster.master.proto.CommandResult;
import dev.metacluster.master.proto.ReadReply;
import dev.metacluster.master.proto.ReadRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import org.apache.ratis.client.RaftClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Linearizable reads on the leader are served from the state machine while the leader holds its
 * lease ({@link JournalServer#leaseReadIndex()}), and through Ratis's ReadIndex otherwise.
 */
class JournalLeaseReadIT {
  @TempDir Path dir;

  /**
   * Every read that starts after a write was acknowledged sees that write, also across a leader
   * kill: the reader always asks whichever member it believes leads, as a client would.
   */
  @Test
  void aReadAfterAnAcknowledgedWriteSeesItAcrossALeaderKill() throws Exception {
    try (JournalCluster cluster = new JournalCluster("lease-reads", dir, 3).startAll();
        RaftClient client = cluster.client()) {
      String firstLeader = cluster.leaderId();
      int leaseReads = 0;
      for (int i = 0; i < 400; i++) {
        if (i == 200) {
          cluster.stop(firstLeader); // abruptly: no leadership hand-over
        }
        String path = "/lin/f" + i;
        CommandResult written = JournalCluster.write(client, Commands.createFile(path, true, "u"));
        assertThat(written.hasInode()).as("create %s: %s", path, written).isTrue();
        JournalServer leader = cluster.awaitLeader();
        if (leader.leaseReadIndex() >= 0) {
          leaseReads++;
        }
        ReadReply reply = readOnLeader(cluster, ReadRequest.newBuilder().setExists(path).build());
        assertThat(reply.getExists())
            .as("%s read right after its write was acknowledged", path)
            .isTrue();
      }
      assertThat(cluster.leaderId()).isNotEqualTo(firstLeader);
      // The fast path was taken: a leader holds its lease while a majority answers heartbeats.
      assertThat(leaseReads).isPositive();
    }
  }

  /**
   * A leader that can no longer reach a majority loses its lease within the lease timeout and then
   * never answers a linearizable read from its own state: the read fails instead.
   */
  @Test
  void aLeaderCutOffFromItsFollowersStopsAnsweringReadsFromItsLease() throws Exception {
    // A leader without a majority steps down after the maximum election timeout, its lease lapses
    // after 0.9 x the minimum: a wide range leaves a window of seconds in which the member still
    // leads without a lease, which is what this test needs to look at.
    try (JournalCluster cluster =
        new JournalCluster("lease-lapse", dir, 3)
            .electionTimeouts(Duration.ofMillis(300), Duration.ofSeconds(5))
            .startAll()) {
      JournalServer leader = cluster.awaitLeader();
      assertThat(leader.submit(Commands.mkdir("/kept", false, "u").setTimeMs(1).build()).get())
          .matches(CommandResult::hasInode);
      ReadRequest stat = ReadRequest.newBuilder().setGetStatus("/kept").build();
      await().atMost(Duration.ofSeconds(30)).until(() -> leader.leaseReadIndex() >= 0);
      assertThat(leader.read(stat, -1).get().getInode().getName()).isEqualTo("kept");

      for (String member : cluster.peers.keySet()) {
        if (!member.equals(leader.config().memberId())) {
          cluster.stop(member);
        }
      }
      // The lease lapses while the member still believes it leads: the window in which answering
      // from local state would be wrong (another member may be elected once the lease is over).
      await()
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(10))
          .until(() -> leader.isLeader() && leader.leaseReadIndex() < 0);
      // Ratis's ReadIndex path cannot confirm leadership without a majority: the read fails
      // (read timeout, or not-leader once the leader steps down) rather than answer stale.
      assertThat(leader.read(stat, -1)).failsWithin(Duration.ofSeconds(60));
      // Reads with an explicit index stay local and bounded-stale, as documented.
      assertThat(leader.read(stat, 0).get().getInode().getName()).isEqualTo("kept");
    }
  }

  private static ReadReply readOnLeader(JournalCluster cluster, ReadRequest read) throws Exception {
    for (int attempt = 0; ; attempt++) {
      JournalServer leader = cluster.awaitLeader();
      try {
        return leader.read(read, -1).get();
      } catch (ExecutionException e) {
        // It stopped leading between the lookup and the read; ask the new leader.
        if (attempt >= 50) {
          throw e;
        }
      }
    }
  }
}

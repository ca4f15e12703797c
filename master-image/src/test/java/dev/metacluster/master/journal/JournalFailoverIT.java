package dev.metacluster.master.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.metacluster.master.namespace.Commands;
import dev.metacluster.master.proto.CommandResult;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.exceptions.NotLeaderException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JournalFailoverIT {
  @TempDir Path dir;

  @Test
  void leaderLossUnderLoadKeepsEveryAcknowledgedWrite() throws Exception {
    try (JournalCluster cluster = new JournalCluster("failover", dir, 3).startAll();
        RaftClient client = cluster.client()) {
      String firstLeader = cluster.leaderId();
      ConcurrentLinkedQueue<String> acknowledged = new ConcurrentLinkedQueue<>();
      AtomicBoolean stop = new AtomicBoolean();
      Thread writer =
          new Thread(
              () -> {
                for (int i = 0; !stop.get() && i < 100_000; i++) {
                  String path = "/load/f" + i;
                  try {
                    CommandResult r =
                        JournalCluster.write(client, Commands.createFile(path, true, "u"));
                    if (r.hasInode()) {
                      acknowledged.add(path);
                    }
                  } catch (Exception e) {
                    // not acknowledged: may or may not exist afterwards
                  }
                }
              });
      writer.start();
      await().atMost(Duration.ofSeconds(30)).until(() -> acknowledged.size() >= 100);
      cluster.stop(firstLeader); // the leader goes away mid-load
      int atKill = acknowledged.size();
      await().atMost(Duration.ofSeconds(30)).until(() -> acknowledged.size() >= atKill + 100);
      stop.set(true);
      writer.join(60_000);

      String newLeader = cluster.leaderId();
      assertThat(newLeader).isNotEqualTo(firstLeader);
      long index = cluster.awaitLeader().stateMachine().getLastAppliedTermIndex().getIndex();
      cluster.awaitApplied(index);
      for (JournalServer survivor : cluster.running.values()) {
        for (String path : List.copyOf(acknowledged)) {
          assertThat(survivor.stateMachine().namespace().exists(path))
              .as("%s on %s", path, survivor.config().memberId())
              .isTrue();
        }
      }

      // The old leader comes back and catches up to the same tree.
      cluster.start(firstLeader, cluster.peers);
      cluster.awaitApplied(index);
      String expected = cluster.checksum(newLeader);
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(() -> assertThat(cluster.checksum(firstLeader)).isEqualTo(expected));
    }
  }

  /**
   * A write that reaches a follower while no leader can be elected is held until one is, then
   * applied there or answered with the new leader's name: it does not come back at once with "no
   * leader known", which would send the client into its backoff past the election.
   */
  @Test
  void aWriteDuringAnElectionWaitsForItsOutcome() throws Exception {
    // Long timeouts: a write waits up to two election timeouts (6 s), time enough for a member to
    // come back and vote.
    try (JournalCluster cluster =
        new JournalCluster("election-wait", dir, 3)
            .electionTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(3))
            .startAll()) {
      String leader = cluster.leaderId();
      List<String> followers =
          cluster.peers.keySet().stream().filter(m -> !m.equals(leader)).toList();
      String asked = followers.get(0);
      String returning = followers.get(1);
      cluster.stop(returning);
      cluster.stop(leader);
      JournalServer member = cluster.running.get(asked);
      // Alone, it cannot win: it becomes a candidate and knows no leader.
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> member.division().getInfo().getLeaderId() == null);
      cluster.start(returning, cluster.peers);

      CompletableFuture<JournalServer.WriteResult> write =
          member.submitWrite(
              ClientId.randomId(),
              1,
              Commands.createFile("/during-election", true, "u").setTimeMs(1_000).build());

      try {
        JournalServer.WriteResult applied = write.get(30, TimeUnit.SECONDS);
        assertThat(applied.result().hasInode()).isTrue();
        assertThat(member.isLeader()).isTrue();
      } catch (ExecutionException e) {
        assertThat(e.getCause())
            .as("the member that was asked lost the election")
            .isInstanceOfSatisfying(
                NotLeaderException.class,
                notLeader ->
                    assertThat(notLeader.getSuggestedLeader())
                        .as("the new leader is named")
                        .isNotNull()
                        .extracting(p -> p.getId().toString())
                        .isEqualTo(returning));
      }
    }
  }

  /** The periodic reset of reconnect backoffs reaches Ratis's real channel to every peer. */
  @Test
  void everyMemberResetsTheBackoffOfItsChannelsToItsPeers() throws Exception {
    try (JournalCluster cluster = new JournalCluster("peer-channels", dir, 3).startAll()) {
      cluster.awaitLeader();
      for (JournalServer member : cluster.running.values()) {
        try (PeerChannels channels =
            new PeerChannels(member.raftServer(), member.group().getGroupId())) {
          assertThat(channels.resetBackoff())
              .as("channels reset by %s", member.config().memberId())
              .isEqualTo(2);
        }
      }
    }
  }
}

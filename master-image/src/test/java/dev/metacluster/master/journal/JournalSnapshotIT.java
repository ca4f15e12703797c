package dev.metacluster.master.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.metacluster.master.namespace.Commands;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.ratis.client.RaftClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JournalSnapshotIT {
  @TempDir Path dir;

  @Test
  void aMemberFarBehindCatchesUpBySnapshotInstallation() throws Exception {
    try (JournalCluster cluster =
            new JournalCluster("snapshots", dir, 3).snapshotEvery(100, 50).startAll();
        RaftClient client = cluster.client()) {
      String leader = cluster.leaderId();
      String lagging =
          cluster.peers.keySet().stream().filter(m -> !m.equals(leader)).findFirst().orElseThrow();
      String storeId = cluster.running.get(lagging).stateMachine().metastore().storeId();
      cluster.stop(lagging);
      for (int i = 0; i < 2000; i++) {
        JournalCluster.write(client, Commands.mkdir("/snap/d" + (i % 20) + "/e" + i, true, "u"));
      }
      JournalServer leaderServer = cluster.awaitLeader();
      // The leader has purged the entries the lagging member misses: only a snapshot can help.
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> leaderServer.division().getRaftLog().getStartIndex() > 1);

      cluster.start(lagging, cluster.peers);
      long index = leaderServer.stateMachine().getLastAppliedTermIndex().getIndex();
      cluster.awaitApplied(index);
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () -> assertThat(cluster.checksum(lagging)).isEqualTo(cluster.checksum(leader)));
      Path snapshots = dir.resolve(lagging).resolve("metastore").resolve("snapshots");
      try (var list = Files.list(snapshots)) {
        assertThat(list.map(p -> p.getFileName().toString()))
            .as("the lagging member holds the installed snapshot")
            .anyMatch(n -> n.startsWith("snapshot."));
      }
      assertThat(new ClusterAdmin(cluster.running.get(lagging)).info().storeId())
          .as("installing the leader's snapshot keeps the member's own store id")
          .isEqualTo(storeId)
          .isNotEqualTo(new ClusterAdmin(leaderServer).info().storeId());
    }
  }

  /**
   * A leader stops while idle; its successor starts a new log segment with the new term, snapshots
   * and purges the old term's segments, so its log now starts exactly at the entry the old leader
   * needs next, and the entry before it (which the leader must name as "previous") is gone. The old
   * leader must come back anyway, by snapshot. (Ratis 3.2.2 alone fails here: its appender throws
   * "Previous TermIndex not found" and is never restarted.)
   */
  @Test
  void aFormerLeaderCatchesUpWhenItsSuccessorPurgedExactlyItsTerm() throws Exception {
    try (JournalCluster cluster =
            new JournalCluster("purged-term", dir, 3).snapshotEvery(100, 50).startAll();
        RaftClient client = cluster.client()) {
      for (int i = 0; i < 20; i++) {
        JournalCluster.write(client, Commands.mkdir("/before/d" + i, true, "u"));
      }
      String oldLeader = cluster.leaderId();
      long oldLast =
          cluster.awaitLeader().division().getRaftLog().getLastEntryTermIndex().getIndex();
      cluster.awaitApplied(oldLast);
      cluster.stop(oldLeader);

      JournalServer newLeader = cluster.awaitLeader();
      // Fewer entries than a 64 KiB segment holds: the new term's first segment stays open.
      for (int i = 0; i < 150; i++) {
        JournalCluster.write(client, Commands.mkdir("/after/d" + i, true, "u"));
      }
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> newLeader.division().getRaftLog().getStartIndex() > 0);
      assertThat(newLeader.division().getRaftLog().getStartIndex())
          .as("the new leader's log starts right after the old leader's last entry")
          .isEqualTo(oldLast + 1);

      cluster.start(oldLeader, cluster.peers);
      long index = newLeader.stateMachine().getLastAppliedTermIndex().getIndex();
      cluster.awaitApplied(index);
      String leader = newLeader.config().memberId();
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () -> assertThat(cluster.checksum(oldLeader)).isEqualTo(cluster.checksum(leader)));
    }
  }
}

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
    }
  }
}

package dev.metacluster.master.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.metacluster.master.namespace.Commands;
import dev.metacluster.master.server.LoopbackPorts;
import dev.metacluster.master.store.Metastore;
import dev.metacluster.master.store.RocksInodeStore;
import dev.metacluster.master.store.StoreConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.ratis.client.RaftClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JournalRestartIT {
  @TempDir Path dir;

  @Test
  void wholeClusterRestartKeepsEverythingAndReplaysOnlyTheTail() throws Exception {
    String before;
    try (JournalCluster cluster =
            new JournalCluster("restart", dir, 3).snapshotEvery(200, 100).startAll();
        RaftClient client = cluster.client()) {
      for (int i = 0; i < 700; i++) {
        JournalCluster.write(client, Commands.createFile("/r/d" + (i % 7) + "/f" + i, true, "u"));
      }
      long index = cluster.awaitLeader().stateMachine().getLastAppliedTermIndex().getIndex();
      cluster.awaitApplied(index);
      before = cluster.checksum("m0");
    }
    try (JournalCluster cluster = new JournalCluster("restart", dir, 0)) {
      cluster.peers.putAll(portsOf(dir));
      cluster.snapshotEvery(200, 100).startAll();
      for (JournalServer member : cluster.running.values()) {
        // The metastore opened far past index 1: only entries after its last flush are replayed.
        assertThat(member.stateMachine().openedAtIndex()).isGreaterThanOrEqualTo(600);
      }
      cluster.awaitLeader();
      for (String member : cluster.running.keySet()) {
        assertThat(cluster.checksum(member)).isEqualTo(before);
      }
    }
  }

  /**
   * RocksDB runs without its WAL under the journal, so a crash leaves on disk what was last
   * flushed, and the member replays the rest of the log when it restarts. A background flush every
   * tenth of the snapshot threshold keeps that to a tenth, not up to a whole threshold.
   */
  @Test
  void aCrashLeavesTheMetastoreOnDiskWithinATenthOfTheSnapshotThreshold() throws Exception {
    try (JournalCluster cluster =
            new JournalCluster("flushes", dir, 1).snapshotEvery(1_000, 100).startAll();
        RaftClient client = cluster.client()) {
      for (int i = 0; i < 650; i++) {
        JournalCluster.write(client, Commands.createFile("/c/f" + i, true, "u"));
      }
      assertThat(cluster.awaitLeader().stateMachine().getLatestSnapshot())
          .as("no snapshot yet: only the background flushes put the entries on disk")
          .isNull();
      // A read-only open sees what a crash now would leave: the flushed state only.
      Path db = dir.resolve("m0").resolve("metastore").resolve("db");
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () -> {
                try (RocksInodeStore onDisk = new RocksInodeStore(StoreConfig.defaults(db), true)) {
                  assertThat(onDisk.appliedIndex()).isGreaterThanOrEqualTo(600);
                }
              });
    }
  }

  @Test
  void refusesAMetastoreOfAnotherCluster() throws Exception {
    try (JournalCluster a = new JournalCluster("cluster-a", dir, 1).startAll()) {
      a.awaitLeader();
    }
    JournalCluster b = new JournalCluster("cluster-b", dir, 0);
    b.peers.putAll(portsOf(dir));
    assertThatThrownBy(b::startAll).hasStackTraceContaining("belongs to cluster");
    b.close();
  }

  @Test
  void refusesACorruptMetastore() throws Exception {
    try (JournalCluster cluster = new JournalCluster("corrupt", dir, 1).startAll();
        RaftClient client = cluster.client()) {
      JournalCluster.write(client, Commands.mkdir("/x", false, "u"));
    }
    Path db = dir.resolve("m0").resolve("metastore").resolve("db");
    try (Stream<Path> files = Files.list(db)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        if (f.getFileName().toString().startsWith("MANIFEST-")) {
          Files.write(f, new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        }
      }
    }
    JournalCluster again = new JournalCluster("corrupt", dir, 0);
    again.peers.putAll(portsOf(dir));
    assertThatThrownBy(again::startAll).hasStackTraceContaining("cannot open metastore");
    again.close();
  }

  @Test
  void refusesToServeWhenTheMetastoreIsLostAndTheLogWasPurged() throws Exception {
    try (JournalCluster cluster =
            new JournalCluster("lost", dir, 1).snapshotEvery(100, 50).startAll();
        RaftClient client = cluster.client()) {
      for (int i = 0; i < 1500; i++) {
        JournalCluster.write(client, Commands.mkdir("/l/d" + i, true, "u"));
      }
      JournalServer only = cluster.awaitLeader();
      org.awaitility.Awaitility.await()
          .atMost(java.time.Duration.ofSeconds(30))
          .until(() -> only.division().getRaftLog().getStartIndex() > 1);
    }
    Metastore.deleteRecursively(dir.resolve("m0").resolve("metastore"));
    JournalCluster again = new JournalCluster("lost", dir, 0);
    again.peers.putAll(portsOf(dir));
    assertThatThrownBy(again::startAll).hasStackTraceContaining("the metastore was lost");
    again.close();
  }

  /** The members of a previous run under {@code root}, with fresh ports. */
  private static Map<String, java.net.InetSocketAddress> portsOf(Path root) throws IOException {
    Map<String, java.net.InetSocketAddress> peers = new java.util.TreeMap<>();
    try (Stream<Path> members = Files.list(root)) {
      for (Path m : (Iterable<Path>) members::iterator) {
        if (Files.isDirectory(m.resolve("journal"))) {
          peers.put(
              m.getFileName().toString(),
              new java.net.InetSocketAddress("127.0.0.1", LoopbackPorts.free()));
        }
      }
    }
    return peers;
  }
}

package dev.metacluster.master.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.metacluster.master.namespace.Commands;
import dev.metacluster.master.proto.NamespaceCommand;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
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
   * A member installs the leader's snapshot while the leader, under a write load, keeps taking
   * newer snapshots and purging its log behind them, so a second snapshot follows the first at
   * once, often before the member has loaded the first. The member must load them in turn and go on
   * applying. (With Ratis 3.2.2 alone it could stop applying for good, or stop altogether.)
   */
  @Test
  void aMemberKeepsApplyingWhenSnapshotsFollowEachOtherQuickly() throws Exception {
    try (JournalCluster cluster =
            new JournalCluster("installs", dir, 3).snapshotEvery(100, 10).startAll();
        RaftClient client = cluster.client();
        RaftClient loadClient = cluster.client()) {
      String leader = cluster.leaderId();
      String lagging =
          cluster.peers.keySet().stream().filter(m -> !m.equals(leader)).findFirst().orElseThrow();
      JournalServer leaderServer = cluster.awaitLeader();
      AtomicBoolean loadOn = new AtomicBoolean(true);
      AtomicLong loadWrites = new AtomicLong();
      // Many writes in flight, with long paths (about 1 KiB per entry), so that the leader takes
      // a snapshot and purges a log segment every fraction of a second: faster than a member
      // loads a snapshot.
      String deep = ("/" + "p".repeat(250)).repeat(3);
      Semaphore inFlight = new Semaphore(128);
      Thread load =
          new Thread(
              () -> {
                while (loadOn.get()) {
                  inFlight.acquireUninterruptibly();
                  NamespaceCommand command =
                      Commands.mkdir(
                              deep + "/" + "d".repeat(200) + loadWrites.incrementAndGet(),
                              true,
                              "u")
                          .setTimeMs(1_000)
                          .build();
                  loadClient
                      .async()
                      .send(JournalCodec.entry(command))
                      .whenComplete((reply, e) -> inFlight.release());
                }
                inFlight.acquireUninterruptibly(128);
              },
              "load");
      load.setDaemon(true);
      load.start();
      try {
        for (int round = 0; round < 3; round++) {
          assertAlive(cluster, lagging);
          cluster.stop(lagging);
          long purgedFrom = leaderServer.division().getRaftLog().getLastEntryTermIndex().getIndex();
          // Write until the leader has purged what the stopped member lacks.
          for (int i = 0;
              leaderServer.division().getRaftLog().getStartIndex() <= purgedFrom + 1;
              i++) {
            assertThat(i).as("writes before the leader purges its log").isLessThan(20_000);
            JournalCluster.write(client, Commands.mkdir("/r" + round + "/d" + i, true, "u"));
          }
          JournalServer member = cluster.start(lagging, cluster.peers);
          long target = leaderServer.stateMachine().getLastAppliedTermIndex().getIndex() + 200;
          await()
              .atMost(Duration.ofSeconds(30))
              .until(() -> member.stateMachine().getLastAppliedTermIndex().getIndex() >= target);
        }
      } finally {
        loadOn.set(false);
        load.join(30_000);
      }
      assertAlive(cluster, lagging);
      assertThat(loadWrites.get()).as("the load kept writing").isGreaterThan(200);
      cluster.awaitApplied(leaderServer.stateMachine().getLastAppliedTermIndex().getIndex());
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () -> assertThat(cluster.checksum(lagging)).isEqualTo(cluster.checksum(leader)));
    }
  }

  private static void assertAlive(JournalCluster cluster, String member) throws IOException {
    assertThat(cluster.running.get(member).division().getInfo().isAlive())
        .as("%s is still running (it stops when it cannot load a snapshot)", member)
        .isTrue();
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

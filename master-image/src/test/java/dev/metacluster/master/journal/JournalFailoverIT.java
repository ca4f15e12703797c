package dev.metacluster.master.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.metacluster.master.namespace.Commands;
import dev.metacluster.master.proto.CommandResult;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.ratis.client.RaftClient;
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
}

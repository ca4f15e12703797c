package dev.metacluster.master.journal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.metacluster.master.namespace.Commands;
import dev.metacluster.master.proto.CommandResult;
import java.nio.file.Path;
import org.apache.ratis.client.RaftClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JournalReplicationIT {
  @TempDir Path dir;

  @Test
  void writesReplicateToEveryMemberIdentically() throws Exception {
    try (JournalCluster cluster = new JournalCluster("replication", dir, 3).startAll();
        RaftClient client = cluster.client()) {
      cluster.awaitLeader();
      long lastIndex = 0;
      for (int i = 0; i < 50; i++) {
        CommandResult r =
            JournalCluster.write(
                client, Commands.createFile("/data/d" + (i % 5) + "/f" + i, true, "u"));
        assertThat(r.hasInode()).as("create %d: %s", i, r).isTrue();
      }
      CommandResult refused =
          JournalCluster.write(client, Commands.createFile("/data/d0/f0", false, "u"));
      assertThat(refused.getError().getCode().name()).isEqualTo("ALREADY_EXISTS");
      lastIndex = cluster.awaitLeader().stateMachine().getLastAppliedTermIndex().getIndex();
      cluster.awaitApplied(lastIndex);
      String expected = cluster.checksum("m0");
      assertThat(cluster.checksum("m1")).isEqualTo(expected);
      assertThat(cluster.checksum("m2")).isEqualTo(expected);
    }
  }
}

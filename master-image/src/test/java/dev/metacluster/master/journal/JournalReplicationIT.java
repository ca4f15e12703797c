package dev.metacluster.master.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.metacluster.master.namespace.Commands;
import dev.metacluster.master.proto.CommandResult;
import dev.metacluster.master.proto.ReadRequest;
import java.nio.file.Path;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.protocol.exceptions.NotLeaderException;
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

  @Test
  void readsAreLinearizableOnTheLeaderAndReadYourWritesOnFollowers() throws Exception {
    try (JournalCluster cluster = new JournalCluster("reads", dir, 3).startAll()) {
      JournalServer leader = cluster.awaitLeader();
      JournalServer follower =
          cluster.running.values().stream().filter(s -> s != leader).findFirst().orElseThrow();
      CommandResult written =
          leader.submit(Commands.mkdir("/fresh", false, "u").setTimeMs(1).build()).get();
      assertThat(written.hasInode()).isTrue();
      long writeIndex = leader.stateMachine().getLastAppliedTermIndex().getIndex();

      ReadRequest stat = ReadRequest.newBuilder().setGetStatus("/fresh").build();
      assertThat(leader.read(stat, -1).get().getInode().getName()).isEqualTo("fresh");
      // A follower answers once it has applied the caller's last write, never before.
      assertThat(follower.read(stat, writeIndex).get().getInode().getName()).isEqualTo("fresh");
      // A linearizable read on a follower asks the leader for its commit index (ReadIndex) first.
      assertThat(follower.read(stat, -1).get().getInode().getName()).isEqualTo("fresh");
      // Writes are the leader's: a follower refuses and names the leader.
      assertThatThrownBy(() -> follower.submit(Commands.mkdir("/w", false, "u").build()).get())
          .cause()
          .isInstanceOfSatisfying(
              NotLeaderException.class,
              e ->
                  assertThat(e.getSuggestedLeader().getId().toString())
                      .isEqualTo(leader.config().memberId()));
    }
  }
}

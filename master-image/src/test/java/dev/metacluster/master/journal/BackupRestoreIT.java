package dev.metacluster.master.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.metacluster.master.namespace.Commands;
import dev.metacluster.master.proto.SnapshotManifest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import org.apache.ratis.client.RaftClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BackupRestoreIT {
  @TempDir Path source;
  @TempDir Path target;

  @Test
  void aBackupRestoredIntoANewClusterGivesTheSameNamespace() throws Exception {
    byte[] archive;
    SnapshotManifest manifest;
    String expected;
    try (JournalCluster cluster = new JournalCluster("prod", source, 3).startAll();
        RaftClient client = cluster.client()) {
      for (int i = 0; i < 300; i++) {
        JournalCluster.write(client, Commands.createFile("/b/d" + (i % 10) + "/f" + i, true, "u"));
      }
      JournalServer leader = cluster.awaitLeader();
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      manifest = new ClusterAdmin(leader).backup(out);
      archive = out.toByteArray();
      expected = cluster.checksum(leader.config().memberId());
      // Writes after the backup are not in it.
      JournalCluster.write(client, Commands.mkdir("/after-backup", false, "u"));
    }
    assertThat(manifest.getNamespaceChecksum()).isEqualTo(expected);
    assertThat(manifest.getInodeCount()).isEqualTo(1 + 1 + 10 + 300);
    assertThat(manifest.getIndex()).isPositive();

    JournalCluster restored = new JournalCluster("restored", target, 3);
    String clusterId = restored.config("m0", restored.peers).groupUuid().toString();
    for (String member : restored.peers.keySet()) {
      Path metastore = target.resolve(member).resolve("metastore");
      BackupArchive.restore(new ByteArrayInputStream(archive), metastore, clusterId);
    }
    try (restored;
        RaftClient client = restored.startAll().client()) {
      restored.awaitLeader();
      for (String member : restored.running.keySet()) {
        assertThat(restored.checksum(member)).isEqualTo(expected);
      }
      // The new cluster takes writes on top of the restored tree, on every member.
      JournalCluster.write(client, Commands.createFile("/b/d0/new", false, "u"));
      long index = restored.awaitLeader().stateMachine().getLastAppliedTermIndex().getIndex();
      restored.awaitApplied(index);
      String after = restored.checksum("m0");
      assertThat(after).isNotEqualTo(expected);
      assertThat(restored.checksum("m1")).isEqualTo(after);
      assertThat(restored.checksum("m2")).isEqualTo(after);
    }
  }

  @Test
  void aDamagedArchiveIsRefusedAndLeavesNothingBehind() throws Exception {
    byte[] archive;
    try (JournalCluster cluster = new JournalCluster("prod", source, 1).startAll();
        RaftClient client = cluster.client()) {
      JournalCluster.write(client, Commands.mkdir("/x", false, "u"));
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      new ClusterAdmin(cluster.awaitLeader()).backup(out);
      archive = out.toByteArray();
    }
    byte[] damaged = archive.clone();
    damaged[damaged.length / 2] ^= 0x5a; // a flipped byte inside some file's data
    Path metastore = target.resolve("m0").resolve("metastore");
    assertThatThrownBy(
            () ->
                BackupArchive.restore(new ByteArrayInputStream(damaged), metastore, "new-cluster"))
        .isInstanceOf(IOException.class);
    assertThat(metastore.resolve("db")).doesNotExist();
    assertThatThrownBy(
            () ->
                BackupArchive.restore(
                    new ByteArrayInputStream("not a zip".getBytes()), metastore, "new-cluster"))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("not a metacluster backup");
  }
}

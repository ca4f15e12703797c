package dev.metacluster.master.journal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.metacluster.master.store.Metastore;
import dev.metacluster.master.store.StoreConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.ratis.server.protocol.TermIndex;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SnapshotStoreTest {
  @TempDir Path root;

  @Test
  void cleanupKeepsTheTwoNewestAndAnySnapshotBeingSent() throws IOException {
    SnapshotStore store = new SnapshotStore(new Metastore(root, StoreConfig.defaults(root), "c"));
    for (long index : new long[] {100, 200, 300, 400}) {
      Files.createDirectories(root.resolve("snapshots").resolve("snapshot.1_" + index));
    }
    store.sendingStarted(TermIndex.valueOf(1, 100));
    store.sendingStarted(TermIndex.valueOf(1, 100)); // to two followers

    store.cleanupOldSnapshots(null);
    assertThat(snapshotDirs())
        .containsExactly("snapshot.1_100", "snapshot.1_300", "snapshot.1_400");

    store.sendingEnded(TermIndex.valueOf(1, 100));
    store.cleanupOldSnapshots(null);
    assertThat(snapshotDirs()).as("still sent to one").contains("snapshot.1_100");

    store.sendingEnded(TermIndex.valueOf(1, 100));
    store.cleanupOldSnapshots(null);
    assertThat(snapshotDirs()).containsExactly("snapshot.1_300", "snapshot.1_400");
  }

  @Test
  void aSnapshotSwappedInIsUnloadedUntilReloaded() throws IOException {
    SnapshotStore store = new SnapshotStore(new Metastore(root, StoreConfig.defaults(root), "c"));
    store.reload();
    assertThat(store.hasUnloadedSnapshot()).isFalse();

    Files.createDirectories(root.resolve("snapshots").resolve("snapshot.2_500"));
    assertThat(store.hasUnloadedSnapshot()).isTrue();

    store.reload(); // not a usable snapshot (no manifest), but looked at
    assertThat(store.hasUnloadedSnapshot()).isFalse();
  }

  @Test
  void reloadingRemovesUnfinishedDownloads() throws IOException {
    Path unfinished = root.resolve("snapshots.tmp").resolve("snapshot-request-1");
    Files.createDirectories(unfinished);
    Files.writeString(unfinished.resolve("000012.sst"), "partial");
    new SnapshotStore(new Metastore(root, StoreConfig.defaults(root), "c")).reload();
    assertThat(unfinished).doesNotExist();
  }

  private List<String> snapshotDirs() throws IOException {
    try (Stream<Path> dirs = Files.list(root.resolve("snapshots"))) {
      return dirs.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }
}

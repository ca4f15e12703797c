package dev.metacluster.master.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.metacluster.master.proto.Inode;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CachingInodeStoreTest {
  @TempDir Path dir;

  @Test
  void servesCommittedChangesAndForgetsRemovals() {
    try (CachingInodeStore store =
        new CachingInodeStore(new RocksInodeStore(StoreConfig.defaults(dir)), 100, 100)) {
      assertThat(store.getChildId(1, "x")).isEqualTo(InodeStore.NO_INODE); // cached miss
      store.commit(
          new StoreBatch(0, 1, 10)
              .putInode(Inode.newBuilder().setId(5).setName("x").build())
              .putEdge(1, "x", 5));
      assertThat(store.getChildId(1, "x")).isEqualTo(5);
      assertThat(store.getInode(5).getName()).isEqualTo("x");
      store.commit(new StoreBatch(0, 2, 10).removeInode(5).removeEdge(1, "x"));
      assertThat(store.getChildId(1, "x")).isEqualTo(InodeStore.NO_INODE);
      assertThat(store.getInode(5)).isNull();
    }
  }

  @Test
  void peekReadsThroughWithoutFillingTheCache() {
    try (RocksInodeStore rocks = new RocksInodeStore(StoreConfig.defaults(dir));
        CachingInodeStore store = new CachingInodeStore(rocks, 100, 100)) {
      // Written behind the cache's back, so the cache cannot know it.
      rocks.commit(
          new StoreBatch(0, 1, 10).putInode(Inode.newBuilder().setId(5).setName("x").build()));
      store.cleanUp();
      long before = store.cachedEntries();
      assertThat(store.peekInode(5).getName()).isEqualTo("x");
      assertThat(store.peekInode(6)).isNull();
      store.cleanUp();
      assertThat(store.cachedEntries()).as("peek fills nothing").isEqualTo(before);

      assertThat(store.getInode(5).getName()).isEqualTo("x"); // a locked read fills
      store.cleanUp();
      assertThat(store.cachedEntries()).isEqualTo(before + 1);
      store.commit(
          new StoreBatch(0, 2, 10).putInode(Inode.newBuilder().setId(5).setName("y").build()));
      assertThat(store.peekInode(5).getName()).as("peek serves the cached value").isEqualTo("y");
    }
  }

  @Test
  void staysWithinItsEntryBoundWhateverTheNumberOfInodes() {
    try (CachingInodeStore store =
        new CachingInodeStore(new RocksInodeStore(StoreConfig.defaults(dir)), 50, 50)) {
      for (long id = 1; id <= 5_000; id++) {
        store.commit(
            new StoreBatch(0, id, id + 1)
                .putInode(Inode.newBuilder().setId(id).setName("f" + id).build())
                .putEdge(0, "f" + id, id));
      }
      for (long id = 1; id <= 5_000; id++) {
        assertThat(store.getInode(id).getName()).isEqualTo("f" + id);
        assertThat(store.getChildId(0, "f" + id)).isEqualTo(id);
      }
      store.cleanUp();
      assertThat(store.cachedEntries()).isLessThanOrEqualTo(100);
    }
  }
}

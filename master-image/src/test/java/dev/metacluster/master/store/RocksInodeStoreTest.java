package dev.metacluster.master.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.metacluster.master.proto.Inode;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.RocksDB;

class RocksInodeStoreTest {
  @TempDir Path dir;

  private static Inode inode(long id, long parent, String name) {
    return Inode.newBuilder().setId(id).setParentId(parent).setName(name).build();
  }

  private static List<String> names(List<Edge> edges) {
    return edges.stream().map(Edge::name).toList();
  }

  @Test
  void listsOneDirectoryInUtf8ByteOrderWithoutTouchingItsNeighbours() {
    try (RocksInodeStore store = new RocksInodeStore(StoreConfig.defaults(dir))) {
      StoreBatch batch = new StoreBatch(0, 1, 100);
      // Ids 255 and 256 differ in the last byte only: a prefix scan of 255 must not see 256's.
      String[] names = {"b", "a", "é", "𝄞", "\uFFFD", "aa"};
      for (int i = 0; i < names.length; i++) {
        batch.putEdge(255, names[i], 10 + i);
      }
      batch.putEdge(256, "a", 99).putEdge(254, "z", 98);
      store.commit(batch);

      assertThat(names(store.listChildren(255, "", 100)))
          .containsExactly("a", "aa", "b", "é", "\uFFFD", "𝄞");
      assertThat(names(store.listChildren(255, "aa", 2))).containsExactly("b", "é");
      assertThat(names(store.listChildren(255, "ab", 100)))
          .containsExactly("b", "é", "\uFFFD", "𝄞");
      assertThat(store.listChildren(257, "", 10)).isEmpty();
      assertThat(store.getChildId(255, "é")).isEqualTo(12);
      assertThat(store.getChildId(255, "c")).isEqualTo(InodeStore.NO_INODE);
    }
  }

  @Test
  void keepsDataAppliedIndexAndNextIdAcrossReopen() {
    try (RocksInodeStore store = new RocksInodeStore(StoreConfig.defaults(dir))) {
      store.commit(new StoreBatch(0, 7, 50).putInode(inode(40, 1, "x")).putEdge(1, "x", 40));
    }
    try (RocksInodeStore store = new RocksInodeStore(StoreConfig.defaults(dir))) {
      assertThat(store.appliedIndex()).isEqualTo(7);
      assertThat(store.nextInodeId()).isEqualTo(50);
      assertThat(store.getInode(40).getName()).isEqualTo("x");
      assertThat(store.getChildId(1, "x")).isEqualTo(40);
    }
  }

  @Test
  void nextIdIsAboveEveryStoredInodeEvenIfTheCounterLagged() {
    try (RocksInodeStore store = new RocksInodeStore(StoreConfig.defaults(dir))) {
      // Concurrent local applies can record the counter out of order.
      store.commit(new StoreBatch(0, 2, 10).putInode(inode(70, 1, "late")));
    }
    try (RocksInodeStore store = new RocksInodeStore(StoreConfig.defaults(dir))) {
      assertThat(store.nextInodeId()).isEqualTo(71);
    }
  }

  @Test
  void refusesAMetastoreWithAnotherLayoutVersion() throws Exception {
    try (RocksInodeStore store = new RocksInodeStore(StoreConfig.defaults(dir))) {
      store.commit(new StoreBatch(0, 1, 2).putInode(inode(1, 0, "")));
    }
    // Rewrite the version the way a future, incompatible master would have left it.
    try (var options = new org.rocksdb.DBOptions();
        var cfOptions = new org.rocksdb.ColumnFamilyOptions()) {
      List<org.rocksdb.ColumnFamilyDescriptor> cfs =
          List.of(
              new org.rocksdb.ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, cfOptions),
              new org.rocksdb.ColumnFamilyDescriptor("inodes".getBytes(), cfOptions),
              new org.rocksdb.ColumnFamilyDescriptor("edges".getBytes(), cfOptions),
              new org.rocksdb.ColumnFamilyDescriptor("meta".getBytes(), cfOptions));
      List<org.rocksdb.ColumnFamilyHandle> handles = new java.util.ArrayList<>();
      try (RocksDB db = RocksDB.open(options, dir.toString(), cfs, handles)) {
        db.put(handles.get(3), "layout-version".getBytes(), StoreKeys.longBytes(99));
        handles.forEach(org.rocksdb.ColumnFamilyHandle::close);
      }
    }
    assertThatThrownBy(() -> new RocksInodeStore(StoreConfig.defaults(dir)))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("layout version 99");
  }

  @Test
  void scansEveryInodeAndEdge() {
    try (RocksInodeStore store = new RocksInodeStore(StoreConfig.defaults(dir))) {
      store.commit(
          new StoreBatch(0, 1, 10)
              .putInode(inode(2, 1, "a"))
              .putInode(inode(3, 1, "b"))
              .putEdge(1, "a", 2)
              .putEdge(1, "b", 3));
      store.commit(new StoreBatch(0, 2, 10).removeInode(2).removeEdge(1, "a"));
      List<Long> ids = new java.util.ArrayList<>();
      store.scanInodes(i -> ids.add(i.getId()));
      List<Edge> edges = new java.util.ArrayList<>();
      store.scanEdges(edges::add);
      assertThat(ids).containsExactly(3L);
      assertThat(edges).containsExactly(new Edge(1, "b", 3));
    }
  }
}

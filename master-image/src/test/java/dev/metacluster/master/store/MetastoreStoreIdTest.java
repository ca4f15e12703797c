package dev.metacluster.master.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.metacluster.master.proto.Inode;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store id tells a store's data apart from data made anew on the same member. */
class MetastoreStoreIdTest {
  private static final String CLUSTER = UUID.randomUUID().toString();

  @TempDir Path dir;

  @Test
  void aReopenedStoreKeepsItsId() {
    String first;
    try (Metastore m = open(dir.resolve("m"))) {
      first = m.storeId();
      assertThat(UUID.fromString(first)).isNotNull();
    }
    try (Metastore m = open(dir.resolve("m"))) {
      assertThat(m.storeId()).isEqualTo(first);
    }
  }

  @Test
  void aWipedStoreGetsANewId() {
    assertNewIdAfterDeleting("m");
  }

  @Test
  void aStoreWhoseDataWasLostGetsANewIdEvenIfTheOldIdFileRemains() {
    assertNewIdAfterDeleting("m/db");
  }

  private void assertNewIdAfterDeleting(String lost) {
    String first;
    try (Metastore m = open(dir.resolve("m"))) {
      first = m.storeId();
    }
    Metastore.deleteRecursively(dir.resolve(lost));
    try (Metastore m = open(dir.resolve("m"))) {
      assertThat(m.storeId()).isNotEqualTo(first);
    }
  }

  @Test
  void installingAnotherStoresCheckpointKeepsTheOwnId() {
    Path checkpoint = dir.resolve("checkpoint");
    String otherId;
    try (Metastore other = open(dir.resolve("other"))) {
      other
          .store()
          .commit(
              new StoreBatch(1, 5, 8).putInode(Inode.newBuilder().setId(7).setName("x").build()));
      other.rocks().checkpoint(checkpoint);
      otherId = other.storeId();
    }
    try (Metastore m = open(dir.resolve("m"))) {
      String own = m.storeId();
      m.installFrom(checkpoint);
      assertThat(m.store().appliedIndex()).as("the checkpoint's data").isEqualTo(5);
      assertThat(m.storeId()).isEqualTo(own).isNotEqualTo(otherId);
    }
    try (Metastore m = open(dir.resolve("m"))) {
      assertThat(m.storeId()).as("after a restart too").isNotEqualTo(otherId);
    }
  }

  private static Metastore open(Path root) {
    Metastore m = new Metastore(root, StoreConfig.defaults(root), CLUSTER);
    m.open();
    return m;
  }
}

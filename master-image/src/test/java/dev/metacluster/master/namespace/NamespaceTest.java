package dev.metacluster.master.namespace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.metacluster.master.proto.ErrorCode;
import dev.metacluster.master.proto.Inode;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NamespaceTest {
  @TempDir Path dir;
  LocalNamespace ns;

  @BeforeEach
  void open() {
    ns = NamespaceTestSupport.open(dir);
  }

  @AfterEach
  void close() {
    ns.close();
  }

  private List<String> names(String path) throws NamespaceException {
    return ns.namespace().listStatus(path, "", 1000).children().stream()
        .map(Inode::getName)
        .toList();
  }

  @Test
  void createsListsRenamesAndDeletes() throws Exception {
    ns.execute(Commands.mkdir("/a/b", true, "alice"));
    ns.execute(Commands.createFile("/a/b/f", false, "alice"));
    Inode done = ns.execute(Commands.complete("/a/b/f", 42));
    assertThat(done.getLength()).isEqualTo(42);
    assertThat(done.getCompleted()).isTrue();
    assertThat(names("/a/b")).containsExactly("f");
    assertThat(ns.namespace().getStatus("/a").getChildCount()).isEqualTo(1);

    ns.execute(Commands.rename("/a/b/f", "/a/g"));
    assertThat(names("/a")).containsExactly("b", "g");
    assertThat(ns.namespace().exists("/a/b/f")).isFalse();
    assertThat(ns.namespace().getStatus("/a/g").getLength()).isEqualTo(42);

    assertThatThrownBy(() -> ns.execute(Commands.delete("/a", false)))
        .isInstanceOfSatisfying(
            NamespaceException.class,
            e -> assertThat(e.code()).isEqualTo(ErrorCode.DIRECTORY_NOT_EMPTY));
    ns.execute(Commands.delete("/a", true));
    assertThat(names("/")).isEmpty();
    assertThat(NamespaceTree.verify(ns.namespace().store())).isEmpty();
  }

  @Test
  void countsTheEntriesBelowAPathUpToOneOverTheLimit() throws Exception {
    // 3 directories and 2,100 files below /big (more than two pages of 1,024 in /big/x)
    ns.execute(Commands.mkdir("/big/x/y", true, "alice"));
    ns.execute(Commands.mkdir("/big/z", true, "alice"));
    for (int i = 0; i < 2_000; i++) {
      ns.execute(Commands.createFile("/big/x/f" + i, false, "alice"));
    }
    for (int i = 0; i < 100; i++) {
      ns.execute(Commands.createFile("/big/x/y/g" + i, false, "alice"));
    }
    Namespace n = ns.namespace();
    assertThat(n.countBelow("/big", 10_000, () -> false)).isEqualTo(2_103);
    assertThat(n.countBelow("/big", 2_103, () -> false)).isEqualTo(2_103);
    assertThat(n.countBelow("/big", 2_102, () -> false))
        .as("stops one over the limit")
        .isEqualTo(2_103);
    assertThat(n.countBelow("/big", 10, () -> false)).isEqualTo(11);
    assertThat(n.countBelow("/big/x/y", 10_000, () -> false)).isEqualTo(100);
    assertThat(n.countBelow("/big/z", 10, () -> false)).as("an empty directory").isZero();
    assertThat(n.countBelow("/big/x/f1", 10, () -> false)).as("a file").isZero();
    assertThat(n.countBelow("/missing", 10, () -> false)).as("a missing path").isZero();
    assertThat(n.countBelow("/big", 10_000, () -> true)).as("given up at once").isZero();
  }

  @Test
  void listsInPages() throws Exception {
    for (int i = 0; i < 25; i++) {
      ns.execute(Commands.createFile(String.format("/d/f%02d", i), true, "u"));
    }
    Listing first = ns.namespace().listStatus("/d", "", 10);
    assertThat(first.hasMore()).isTrue();
    assertThat(first.children()).hasSize(10);
    Listing last = ns.namespace().listStatus("/d", "f19", 10);
    assertThat(last.hasMore()).isFalse();
    assertThat(last.children())
        .extracting(Inode::getName)
        .containsExactly("f20", "f21", "f22", "f23", "f24");
  }

  @Test
  void refusesToRenameIntoAFileAsNotADirectory() throws Exception {
    ns.execute(Commands.createFile("/a/g", true, "u"));
    ns.execute(Commands.createFile("/f", false, "u"));
    String before = NamespaceTree.checksum(ns.namespace().store());
    assertThatThrownBy(() -> ns.execute(Commands.rename("/a/g", "/f/g")))
        .isInstanceOfSatisfying(
            NamespaceException.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.NOT_A_DIRECTORY);
              assertThat(e.getMessage()).contains("/f is a file");
            });
    assertThat(NamespaceTree.checksum(ns.namespace().store())).isEqualTo(before);
  }

  @Test
  void refusesToMoveADirectoryUnderItself() throws Exception {
    ns.execute(Commands.mkdir("/a/b", true, "u"));
    assertThatThrownBy(() -> ns.execute(Commands.rename("/a", "/a/b/c")))
        .isInstanceOfSatisfying(
            NamespaceException.class,
            e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_RENAME));
  }
}

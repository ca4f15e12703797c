package dev.metacluster.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BenchPathsTest {
  @Test
  void namesEntriesPerDirectoryWithPadding() {
    BenchPaths paths = new BenchPaths("/bench/create", "file", 2500, 1000);

    assertThat(paths.path(0)).isEqualTo("/bench/create/dir0000/file0000000");
    assertThat(paths.path(1999)).isEqualTo("/bench/create/dir0001/file0001999");
    assertThat(paths.dir(2000)).isEqualTo("/bench/create/dir0002");
    assertThat(paths.name(2000)).isEqualTo("file0002000");
  }

  @Test
  void widensNumbersSoNamesKeepSortingInIndexOrder() {
    BenchPaths paths = new BenchPaths("/r", "f", 20_000_001, 1);

    assertThat(paths.path(7)).isEqualTo("/r/dir00000007/f00000007");
    assertThat(paths.name(20_000_000)).isEqualTo("f20000000");
  }

  @Test
  void countsEntriesAfterOneInItsDirectory() {
    BenchPaths paths = new BenchPaths("/r", "f", 250, 100);

    assertThat(paths.entriesAfter(0)).isEqualTo(99);
    assertThat(paths.entriesAfter(99)).isZero();
    assertThat(paths.entriesAfter(200)).isEqualTo(49); // the last directory is not full
  }
}

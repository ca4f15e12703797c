package dev.metacluster.cli.bench;

import dev.metacluster.master.namespace.LocalNamespace;
import dev.metacluster.master.store.CachingInodeStore;
import dev.metacluster.master.store.RocksInodeStore;
import dev.metacluster.master.store.StoreConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * {@code --mode engine}: the namespace engine in this process (RocksDB + on-heap cache + locks, no
 * journal, no RPC), in the shape of HDFS NNThroughputBenchmark.
 *
 * <ul>
 *   <li>create: createFile(recursive) + complete(length 0) of {@code /bench/create/dirDDDD/fileN}.
 *   <li>mkdirs: mkdir(recursive) of {@code /bench/mkdirs/dirDDDD/dN}.
 *   <li>getStatus, listStatus, rename, delete work on input files {@code
 *       /bench/files/dirDDDD/fileN} created (untimed, same threads) before the first of them runs.
 *       getStatus reads each; listStatus does max(files/10, threads) listings of up to 100 entries
 *       of a random input directory after a random existing name; rename renames each to name +
 *       ".r" in place; delete deletes each (renamed, if rename ran).
 *   <li>fill ({@code --inodes N}): createFile of N files under {@code /bench/fill}, then flush and
 *       compact RocksDB, GC, and report heap and disk use.
 * </ul>
 *
 * <p>Ops that fail (any exception, or a result that does not match what the benchmark created) are
 * counted as errors.
 */
public final class EngineBench implements BenchMode {
  @Override
  public String name() {
    return "engine";
  }

  @Override
  public List<BenchResult> run(BenchOptions options, PrintWriter progress) throws Exception {
    Path dir = options.dir();
    boolean temporary = dir == null;
    if (temporary) {
      dir = Files.createTempDirectory("metactl-bench-");
    }
    StoreConfig config = StoreConfig.defaults(dir);
    if (options.cacheEntries() != null) {
      config = config.withCacheEntries(options.cacheEntries());
    }
    progress.printf(
        "engine: RocksDB in %s, cache %,d inodes / %,d edges, %d threads%n",
        dir, config.inodeCacheEntries(), config.edgeCacheEntries(), options.threads());
    progress.flush();
    try {
      RocksInodeStore rocks = new RocksInodeStore(config);
      try (LocalNamespace engine =
              new LocalNamespace(
                  new CachingInodeStore(
                      rocks, config.inodeCacheEntries(), config.edgeCacheEntries()),
                  Clock.systemUTC());
          ParallelRunner runner = new ParallelRunner(options.threads(), progress)) {
        NamespaceWorkload run =
            new NamespaceWorkload(name(), options, BenchTarget.of(engine), runner, dir, progress);
        return options.fill() ? List.of(run.fill(rocks)) : run.ops();
      }
    } finally {
      if (temporary) {
        deleteRecursively(dir);
      }
    }
  }

  /** Bytes of all regular files under {@code dir}. */
  static long directorySize(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      return files
          .filter(Files::isRegularFile)
          .mapToLong(
              f -> {
                try {
                  return Files.size(f);
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              })
          .sum();
    }
  }

  static void deleteRecursively(Path dir) throws IOException {
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}

package dev.metacluster.cli.bench;

import dev.metacluster.master.namespace.Commands;
import dev.metacluster.master.namespace.Listing;
import dev.metacluster.master.namespace.LocalNamespace;
import dev.metacluster.master.namespace.Namespace;
import dev.metacluster.master.proto.Inode;
import dev.metacluster.master.store.CachingInodeStore;
import dev.metacluster.master.store.RocksInodeStore;
import dev.metacluster.master.store.StoreConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongFunction;
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
  static final String USER = "bench";
  static final int LIST_PAGE = 100;

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
        Run run = new Run(options, engine, rocks, runner, dir, progress);
        return options.fill() ? List.of(run.fill()) : run.ops();
      }
    } finally {
      if (temporary) {
        deleteRecursively(dir);
      }
    }
  }

  /** One run's state: the open engine and which inputs exist. */
  private final class Run {
    private final BenchOptions options;
    private final LocalNamespace engine;
    private final Namespace namespace;
    private final RocksInodeStore rocks;
    private final ParallelRunner runner;
    private final Path dir;
    private final PrintWriter progress;
    private final BenchPaths inputs;
    private boolean inputsCreated;
    private boolean inputsRenamed;

    Run(
        BenchOptions options,
        LocalNamespace engine,
        RocksInodeStore rocks,
        ParallelRunner runner,
        Path dir,
        PrintWriter progress) {
      this.options = options;
      this.engine = engine;
      this.namespace = engine.namespace();
      this.rocks = rocks;
      this.runner = runner;
      this.dir = dir;
      this.progress = progress;
      this.inputs = paths("/bench/files", "file");
    }

    List<BenchResult> ops() throws Exception {
      BenchPaths creates = paths("/bench/create", "file");
      BenchPaths mkdirs = paths("/bench/mkdirs", "d");
      List<String> roots = new ArrayList<>();
      if (options.ops().contains(BenchOp.CREATE)) {
        roots.add(creates.root());
      }
      if (options.ops().contains(BenchOp.MKDIRS)) {
        roots.add(mkdirs.root());
      }
      roots.add(inputs.root());
      requireAbsent(roots);

      List<BenchResult> results = new ArrayList<>();
      for (BenchOp op : options.ops()) {
        ParallelRunner.Phase phase =
            switch (op) {
              case CREATE -> timed(op, creates.count(), creates::path, this::createAndComplete);
              case MKDIRS ->
                  timed(
                      op,
                      mkdirs.count(),
                      mkdirs::path,
                      p -> engine.execute(Commands.mkdir(p, true, USER)));
              case GET_STATUS -> {
                createInputs();
                yield timed(op, inputs.count(), inputs::path, this::getStatus);
              }
              case LIST_STATUS -> {
                createInputs();
                long listings = Math.max(inputs.count() / 10, options.threads());
                yield timed(op, listings, i -> listing(randomInput()), this::listStatus);
              }
              case RENAME -> {
                createInputs();
                inputsRenamed = true;
                yield timed(
                    op,
                    inputs.count(),
                    i -> new String[] {inputs.path(i), inputs.path(i) + ".r"},
                    p -> engine.execute(Commands.rename(p[0], p[1])));
              }
              case DELETE -> {
                createInputs();
                String suffix = inputsRenamed ? ".r" : "";
                yield timed(
                    op,
                    inputs.count(),
                    i -> inputs.path(i) + suffix,
                    p -> engine.execute(Commands.delete(p, false)));
              }
            };
        results.add(
            BenchResult.of(
                name(),
                op.label(),
                options.threads(),
                options.files(),
                options.filesPerDir(),
                phase));
      }
      return results;
    }

    BenchResult fill() throws Exception {
      long n = options.inodes();
      BenchPaths files = new BenchPaths("/bench/fill", "file", n, options.filesPerDir());
      requireAbsent(List.of(files.root()));
      progress.printf("fill: creating %,d files, %,d per directory%n", n, options.filesPerDir());
      progress.flush();
      ParallelRunner.Phase phase =
          runner.run(
              "fill", n, files::path, p -> engine.execute(Commands.createFile(p, true, USER)));
      long directories = (n + options.filesPerDir() - 1) / options.filesPerDir();
      progress.printf("fill: flushing and compacting RocksDB%n");
      progress.flush();
      rocks.flush();
      rocks.compact();
      MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
      for (int i = 0; i < 3; i++) {
        System.gc();
      }
      long heapUsed = memory.getHeapMemoryUsage().getUsed();
      long maxHeap = memory.getHeapMemoryUsage().getMax();
      return BenchResult.of(name(), "fill", options.threads(), n, options.filesPerDir(), phase)
          .withFill(n + directories, heapUsed, maxHeap, directorySize(dir));
    }

    private BenchPaths paths(String root, String prefix) {
      return new BenchPaths(root, prefix, options.files(), options.filesPerDir());
    }

    private <T> ParallelRunner.Phase timed(
        BenchOp op, long count, LongFunction<T> input, ParallelRunner.Body<T> body)
        throws InterruptedException {
      progress.printf("%s: %,d ops%n", op.label(), count);
      progress.flush();
      return runner.run(op.label(), count, input, body);
    }

    private void createAndComplete(String path) throws Exception {
      engine.execute(Commands.createFile(path, true, USER));
      engine.execute(Commands.complete(path, 0));
    }

    /** Creates the input files once, untimed; a failure here makes the run meaningless. */
    private void createInputs() throws InterruptedException, BenchFailure {
      if (inputsCreated) {
        return;
      }
      progress.printf("inputs: creating %,d files (not timed)%n", inputs.count());
      progress.flush();
      ParallelRunner.Phase phase =
          runner.run("inputs", inputs.count(), inputs::path, this::createAndComplete);
      LatencyRecorder l = phase.latencies();
      if (l.errors() > 0) {
        throw new BenchFailure(
            "creating the input files failed " + l.errors() + " times; first: " + l.firstError());
      }
      inputsCreated = true;
    }

    private void getStatus(String path) throws Exception {
      Inode inode = namespace.getStatus(path);
      int slash = path.length() - inode.getName().length() - 1;
      if (inode.getDirectory() || !path.endsWith(inode.getName()) || path.charAt(slash) != '/') {
        throw new IllegalStateException("getStatus " + path + " returned " + inode);
      }
    }

    private long randomInput() {
      return ThreadLocalRandom.current().nextLong(inputs.count());
    }

    /** One page of input directory entries after entry {@code i}, and how many it must hold. */
    private record ListInput(String dir, String startAfter, long expected) {}

    private ListInput listing(long i) {
      return new ListInput(
          inputs.dir(i), inputs.name(i), Math.min(LIST_PAGE, inputs.entriesAfter(i)));
    }

    private void listStatus(ListInput in) throws Exception {
      Listing page = namespace.listStatus(in.dir(), in.startAfter(), LIST_PAGE);
      if (page.children().size() != in.expected()) {
        throw new IllegalStateException(
            "listStatus "
                + in.dir()
                + " after "
                + in.startAfter()
                + " returned "
                + page.children().size()
                + " entries, expected "
                + in.expected());
      }
    }

    private void requireAbsent(List<String> roots) throws Exception {
      for (String root : roots) {
        if (namespace.exists(root)) {
          throw new BenchFailure(
              root + " already exists in " + dir + "; give --dir an empty (or new) directory");
        }
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

  private static void deleteRecursively(Path dir) throws IOException {
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}

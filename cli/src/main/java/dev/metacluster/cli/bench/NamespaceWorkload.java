package dev.metacluster.cli.bench;

import dev.metacluster.master.store.RocksInodeStore;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongFunction;

/**
 * The NNThroughputBenchmark-shaped workload (see {@link BenchCommand}'s help) against any {@link
 * BenchTarget}: one run's state, i.e. the target and which inputs exist.
 */
final class NamespaceWorkload {
  static final String USER = "bench";
  static final int LIST_PAGE = 100;
  // Warm-up ends by time; the index range only has to be out of reach (and split over threads).
  private static final long WARMUP_SLOTS = 1L << 40;

  private final BenchOptions options;
  private final String mode;
  private final BenchTarget target;
  private final ParallelRunner runner;
  private final Path dir;
  private final String root;
  private final PrintWriter progress;
  private final BenchPaths inputs;
  private boolean inputsCreated;
  private boolean inputsRenamed;

  NamespaceWorkload(
      String mode,
      BenchOptions options,
      BenchTarget target,
      ParallelRunner runner,
      Path dir,
      PrintWriter progress) {
    this(mode, options, target, runner, dir, "/bench", progress);
  }

  /**
   * A workload under {@code root} instead of /bench (cluster mode: a fresh directory per run).
   *
   * @param dir the data directory, for messages; {@code null} for a remote cluster
   */
  NamespaceWorkload(
      String mode,
      BenchOptions options,
      BenchTarget target,
      ParallelRunner runner,
      Path dir,
      String root,
      PrintWriter progress) {
    this.mode = mode;
    this.options = options;
    this.target = target;
    this.runner = runner;
    this.dir = dir;
    this.root = root;
    this.progress = progress;
    this.inputs = paths(root + "/files", "file");
  }

  List<BenchResult> ops() throws Exception {
    BenchPaths creates = paths(root + "/create", "file");
    BenchPaths mkdirs = paths(root + "/mkdirs", "d");
    List<String> roots = new ArrayList<>();
    if (options.ops().contains(BenchOp.CREATE)) {
      roots.add(creates.root());
    }
    if (options.ops().contains(BenchOp.MKDIRS)) {
      roots.add(mkdirs.root());
    }
    roots.add(inputs.root());
    if (options.warmupSeconds() > 0) {
      roots.add(root + "/warmup");
    }
    requireAbsent(roots);
    if (options.warmupSeconds() > 0) {
      warmUp();
    }

    List<BenchResult> results = new ArrayList<>();
    for (BenchOp op : options.ops()) {
      ParallelRunner.Phase phase =
          switch (op) {
            case CREATE -> timed(op, creates.count(), creates::path, this::createAndComplete);
            case MKDIRS -> timed(op, mkdirs.count(), mkdirs::path, target::mkdirs);
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
                  p -> target.rename(p[0], p[1]));
            }
            case DELETE -> {
              createInputs();
              String suffix = inputsRenamed ? ".r" : "";
              yield timed(op, inputs.count(), i -> inputs.path(i) + suffix, target::delete);
            }
          };
      results.add(
          BenchResult.of(
              mode, op.label(), options.threads(), options.files(), options.filesPerDir(), phase));
    }
    return results;
  }

  BenchResult fill(RocksInodeStore rocks) throws Exception {
    long n = options.inodes();
    BenchPaths files = new BenchPaths(root + "/fill", "file", n, options.filesPerDir());
    requireAbsent(List.of(files.root()));
    progress.printf("fill: creating %,d files, %,d per directory%n", n, options.filesPerDir());
    progress.flush();
    ParallelRunner.Phase phase = runner.run("fill", n, files::path, target::createFile);
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
    return BenchResult.of(mode, "fill", options.threads(), n, options.filesPerDir(), phase)
        .withFill(
            new BenchResult.Fill(
                n + directories, heapUsed, maxHeap, EngineBench.directorySize(dir)));
  }

  private BenchPaths paths(String root, String prefix) {
    return new BenchPaths(root, prefix, options.files(), options.filesPerDir());
  }

  private <T> ParallelRunner.Phase timed(
      BenchOp op, long count, LongFunction<T> input, ParallelRunner.Body<T> body)
      throws InterruptedException {
    progress.printf("%s: %,d ops%n", op.label(), count);
    progress.flush();
    ParallelRunner.Phase phase = runner.run(op.label(), count, input, body);
    if (phase.cpuNanos() >= 0) {
      progress.printf(
          "%s: %.1f s, process CPU %.1f s = %.0f µs per op%n",
          op.label(), phase.elapsedSeconds(), phase.cpuNanos() / 1e9, phase.cpuUsPerOp());
      progress.flush();
    }
    return phase;
  }

  /**
   * Runs every op for {@code --warmup-seconds} under {@code <root>/warmup}, untimed: short runs
   * otherwise spend much of their CPU in the JIT compiler and measure code still interpreted.
   */
  private void warmUp() throws Exception {
    BenchPaths files =
        new BenchPaths(root + "/warmup/files", "file", WARMUP_SLOTS, options.filesPerDir());
    BenchPaths dirs =
        new BenchPaths(root + "/warmup/mkdirs", "d", WARMUP_SLOTS, options.filesPerDir());
    progress.printf("warm-up: %d s of every op (not timed)%n", options.warmupSeconds());
    progress.flush();
    long deadline = System.nanoTime() + options.warmupSeconds() * 1_000_000_000L;
    ParallelRunner.Phase phase =
        runner.run(
            "warm-up",
            WARMUP_SLOTS,
            () -> System.nanoTime() - deadline > 0,
            i -> i,
            i -> warmUpRound(files, dirs, i));
    LatencyRecorder l = phase.latencies();
    if (l.errors() > 0) {
      throw new BenchFailure(
          "the warm-up failed " + l.errors() + " times; first: " + l.firstError());
    }
    progress.printf("warm-up: %,d rounds of 7 ops%n", l.ops());
    progress.flush();
  }

  private void warmUpRound(BenchPaths files, BenchPaths dirs, long i) throws Exception {
    String path = files.path(i);
    createAndComplete(path);
    getStatus(path);
    target.listStatus(files.dir(i), "", LIST_PAGE);
    target.rename(path, path + ".r");
    target.delete(path + ".r");
    target.mkdirs(dirs.path(i));
  }

  private void createAndComplete(String path) throws Exception {
    target.createFile(path);
    target.completeFile(path);
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
    BenchTarget.Status inode = target.getStatus(path);
    int slash = path.length() - inode.name().length() - 1;
    if (inode.directory() || !path.endsWith(inode.name()) || path.charAt(slash) != '/') {
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
    int entries = target.listStatus(in.dir(), in.startAfter(), LIST_PAGE);
    if (entries != in.expected()) {
      throw new IllegalStateException(
          "listStatus "
              + in.dir()
              + " after "
              + in.startAfter()
              + " returned "
              + entries
              + " entries, expected "
              + in.expected());
    }
  }

  private void requireAbsent(List<String> roots) throws Exception {
    for (String r : roots) {
      if (target.exists(r)) {
        throw new BenchFailure(
            dir == null
                ? r + " already exists in the cluster; remove it or run again"
                : r + " already exists in " + dir + "; give --dir an empty (or new) directory");
      }
    }
  }
}

package dev.metacluster.cli.bench;

import dev.metacluster.cli.Metactl;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code metactl bench}: metadata throughput and latency in the shape of HDFS
 * NNThroughputBenchmark. The options pick a {@link Mode} (one {@link BenchMode} class each) and the
 * workload; results go to stdout as a table and, with {@code --json}, to a file as a JSON array.
 * Exit code 1 when any op failed.
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Measures metadata ops/s and latency (p50/p99/p999) in the shape of HDFS"
          + " NNThroughputBenchmark, or with --inodes the heap and disk cost per inode.",
      ""
    },
    footer = {
      "",
      "Ops (run in this order whatever the order of --op, each timed on its own):",
      "  create      createFile(recursive) + complete(length 0) of",
      "              /bench/create/dirDDDD/fileNNNNNNN, files-per-dir per directory",
      "  mkdirs      mkdir(recursive) of /bench/mkdirs/dirDDDD/dNNNNNNN",
      "  getStatus   getStatus of each of the --files input files",
      "              /bench/files/dirDDDD/fileNNNNNNN; the inputs are created",
      "              (create + complete, same threads, not timed) before the first",
      "              op that needs them",
      "  listStatus  max(files/10, threads) listings of up to 100 entries of an",
      "              input directory, starting after a random existing name",
      "  rename      rename each input file to <name>.r in the same directory",
      "  delete      delete each input file (the renamed one if rename ran)",
      "",
      "With --warmup-seconds S, every thread first loops over create + complete,",
      "getStatus, listStatus, rename, delete and mkdirs under <root>/warmup for",
      "S seconds; none of it is timed or reported.",
      "",
      "Each thread takes one contiguous block of the index range, so threads",
      "mostly work in different directories. ops/s = ops / wall-clock seconds of",
      "the timed phase; latencies (µs, HdrHistogram) are of successful ops. An op",
      "that fails, or returns something other than what the benchmark created,",
      "counts as an error.",
      "",
      "Fill (--inodes N): createFile of N files under /bench/fill, files-per-dir",
      "per directory; then flush + compact RocksDB, a few full GCs, and report the",
      "heap used, the bytes on disk of the data directory, and bytes per inode",
      "(files + their directories).",
      "",
      "Cluster (--mode cluster): the same ops against a running cluster (--target,",
      "$METACTL_TARGET or `make run`'s) over gRPC, every thread sharing one client;",
      "each run works under a fresh /bench/cluster-<id> and leaves it there. With",
      "--connections N: N clients (each its own channels) connect with one getStatus",
      "each (op 'connect'), then --active-percent of them issue --files getStatus",
      "calls while all stay open (op 'getStatus'); both report the connections,",
      "the open file descriptors and the limit (ulimit -n) of this process.",
      "",
      "Exit codes: 0 ok, 1 some op failed (or the benchmark could not run),",
      "2 usage error."
    })
public final class BenchCommand implements Callable<Integer> {

  /** The values of {@code --mode}; each makes one {@link BenchMode}. */
  public enum Mode {
    /** The namespace engine in this process: RocksDB + cache + locks, no journal, no RPC. */
    engine(EngineBench::new),
    /** The engine behind a Raft journal of --members members in this process, no RPC. */
    local(LocalBench::new),
    /** Kills the leader of a --members journal --kills times under a write load. */
    failover(FailoverBench::new),
    /** A running cluster over gRPC (--target), through the Java client. */
    cluster(ClusterBench::new);

    private final Supplier<BenchMode> factory;

    Mode(Supplier<BenchMode> factory) {
      this.factory = factory;
    }

    BenchMode create() {
      return factory.get();
    }
  }

  @Spec CommandSpec spec;

  @Option(
      names = "--mode",
      paramLabel = "MODE",
      defaultValue = "engine",
      description = "What to measure: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
  Mode mode;

  @Option(
      names = "--op",
      split = ",",
      paramLabel = "OP",
      converter = BenchOp.Converter.class,
      description =
          "Comma-separated ops to run (default: all): create, mkdirs, getStatus, listStatus,"
              + " rename, delete.")
  List<BenchOp> ops;

  @Option(
      names = "--threads",
      paramLabel = "N",
      defaultValue = "16",
      description = "Worker threads (default: ${DEFAULT-VALUE}).")
  int threads;

  @Option(
      names = "--files",
      paramLabel = "N",
      defaultValue = "100000",
      description = "Files (or directories, for mkdirs) per op (default: ${DEFAULT-VALUE}).")
  long files;

  @Option(
      names = "--files-per-dir",
      paramLabel = "N",
      defaultValue = "1000",
      description = "Entries per directory (default: ${DEFAULT-VALUE}).")
  int filesPerDir;

  @Option(
      names = "--dir",
      paramLabel = "PATH",
      description =
          "Data directory (RocksDB), kept afterwards (default: a fresh temporary directory,"
              + " deleted at the end).")
  Path dir;

  @Option(
      names = "--cache-entries",
      paramLabel = "N",
      description =
          "On-heap cache bound, for inodes and for edges each (default: the store's default).")
  Long cacheEntries;

  @Option(
      names = "--members",
      paramLabel = "N",
      description = "Journal members for local (default 1) and failover (default 3) modes.")
  Integer members;

  @Option(
      names = "--kills",
      paramLabel = "N",
      defaultValue = "20",
      description = "Failover mode: leader kills (default: ${DEFAULT-VALUE}).")
  int kills;

  @Option(
      names = "--connections",
      paramLabel = "N",
      defaultValue = "0",
      description =
          "Cluster mode: hold N client connections open (each client its own channels) while"
              + " --active-percent of them issue --files getStatus calls, instead of the ops.")
  int connections;

  @Option(
      names = "--active-percent",
      paramLabel = "P",
      defaultValue = "10",
      description =
          "Cluster mode with --connections: percent of the connections that issue getStatus"
              + " (default: ${DEFAULT-VALUE}).")
  int activePercent;

  @Option(
      names = "--warmup-seconds",
      paramLabel = "S",
      defaultValue = "0",
      description =
          "Before the timed ops, run every op for S seconds under /bench/warmup, untimed, so that"
              + " the JIT compiler is done before the figures (default: ${DEFAULT-VALUE}).")
  int warmupSeconds;

  @Option(
      names = "--json",
      paramLabel = "FILE",
      description = "Also write the results as a JSON array to FILE.")
  Path json;

  @Option(
      names = "--inodes",
      paramLabel = "N",
      description =
          "Fill mode: create N files instead of running ops, then report heap and disk use.")
  Long inodes;

  @Override
  public Integer call() throws Exception {
    BenchOptions options = validate();
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    List<BenchResult> results = mode.create().run(options, err);
    BenchReport.printTable(results, out);
    if (json != null) {
      BenchReport.writeJson(results, json);
    }
    return results.stream().anyMatch(r -> r.errors() > 0) ? 1 : 0;
  }

  private BenchOptions validate() {
    atLeast("--threads", threads, 1);
    atLeast("--files", files, 1);
    atLeast("--files-per-dir", filesPerDir, 1);
    if (cacheEntries != null) {
      atLeast("--cache-entries", cacheEntries, 0);
    }
    if (inodes != null) {
      atLeast("--inodes", inodes, 1);
      if (ops != null) {
        throw new ParameterException(
            spec.commandLine(), "--inodes (fill mode) runs no ops: leave out --op");
      }
    }
    EnumSet<BenchOp> selected =
        ops == null || ops.isEmpty() ? EnumSet.allOf(BenchOp.class) : EnumSet.copyOf(ops);
    int memberCount = members != null ? members : mode == Mode.failover ? 3 : 1;
    atLeast("--members", memberCount, mode == Mode.failover ? 3 : 1);
    atLeast("--kills", kills, 1);
    atLeast("--connections", connections, 0);
    atLeast("--active-percent", activePercent, 1);
    atLeast("--warmup-seconds", warmupSeconds, 0);
    if (activePercent > 100) {
      throw new ParameterException(
          spec.commandLine(), "--active-percent must be at most 100, was " + activePercent);
    }
    BenchOptions.Cluster cluster = null;
    if (mode == Mode.cluster) {
      Metactl root = Metactl.of(spec);
      cluster = new BenchOptions.Cluster(root.target().value(), root.clients());
    } else if (connections > 0) {
      throw new ParameterException(spec.commandLine(), "--connections needs --mode cluster");
    }
    return new BenchOptions(
        selected,
        threads,
        files,
        filesPerDir,
        dir,
        cacheEntries,
        inodes,
        memberCount,
        kills,
        cluster,
        connections,
        activePercent,
        warmupSeconds);
  }

  private void atLeast(String option, long value, long min) {
    if (value < min) {
      throw new ParameterException(
          spec.commandLine(), option + " must be at least " + min + ", was " + value);
    }
  }
}

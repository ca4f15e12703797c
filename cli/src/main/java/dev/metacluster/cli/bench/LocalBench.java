package dev.metacluster.cli.bench;

import dev.metacluster.master.journal.JournalServer;
import dev.metacluster.master.store.StoreConfig;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code --mode local}: the same workload as {@code engine}, but every write is a Raft entry
 * committed by a journal of {@code --members} members in this process (loopback gRPC between them,
 * the log fsynced on local disk) and every read is linearizable. The shape of HDFS
 * NNThroughputBenchmark, whose NameNode also journals to local disk. No client RPC.
 */
public final class LocalBench implements BenchMode {
  @Override
  public String name() {
    return "local";
  }

  @Override
  public List<BenchResult> run(BenchOptions options, PrintWriter progress) throws Exception {
    if (options.fill()) {
      throw new BenchFailure("--inodes (fill) is an engine measurement: use --mode engine");
    }
    Path dir = options.dir() != null ? options.dir() : Files.createTempDirectory("metactl-local-");
    StoreConfig store = StoreConfig.defaults(dir);
    if (options.cacheEntries() != null) {
      store = store.withCacheEntries(options.cacheEntries());
    }
    try (LocalCluster cluster = new LocalCluster(dir, options.members(), store).startAll();
        ParallelRunner runner = new ParallelRunner(options.threads(), progress)) {
      JournalServer leader = cluster.awaitLeader(30_000);
      progress.printf(
          "local: %d-member journal in %s, leader %s, %d threads%n",
          options.members(), dir, leader.config().memberId(), options.threads());
      progress.flush();
      return new NamespaceWorkload(name(), options, BenchTarget.of(leader), runner, dir, progress)
          .ops();
    } finally {
      if (options.dir() == null) {
        EngineBench.deleteRecursively(dir);
      }
    }
  }
}

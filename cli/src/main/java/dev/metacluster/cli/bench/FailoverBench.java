package dev.metacluster.cli.bench;

import dev.metacluster.api.client.MetadataClient;
import dev.metacluster.api.client.MetadataException;
import dev.metacluster.api.fs.v1.CreateFileRequest;
import io.grpc.Status;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code --mode failover}: a cluster of {@code --members} master processes on loopback under a
 * write load of {@code --threads} clients (one {@code MetadataClient}: leader discovery and retries
 * with stable call ids), whose leader is killed with SIGKILL {@code --kills} times. For each kill
 * it measures the time until another member says it leads, and until the first write submitted
 * after the kill succeeds. After each kill the member is restarted on its directories and must be
 * ready (its {@code /readyz} probe) and caught up before the next kill.
 *
 * <p>Separate processes, because closing an in-process Ratis server is not a crash: its appenders
 * kept sending heartbeats for up to seconds while it closed, and the elections that measured
 * included that.
 */
public final class FailoverBench implements BenchMode {
  @Override
  public String name() {
    return "failover";
  }

  @Override
  public List<BenchResult> run(BenchOptions options, PrintWriter progress) throws Exception {
    if (options.fill()) {
      throw new BenchFailure("--inodes (fill) is an engine measurement: use --mode engine");
    }
    Path dir =
        options.dir() != null ? options.dir() : Files.createTempDirectory("metactl-failover-");
    List<Long> elected = new ArrayList<>();
    List<Long> resumed = new ArrayList<>();
    AtomicLong killedAtNanos = new AtomicLong(Long.MAX_VALUE);
    AtomicLong firstWriteAfterKill = new AtomicLong(Long.MAX_VALUE);
    try (ProcessCluster cluster = new ProcessCluster(dir, options.members()).startAll();
        ParallelRunner runner = new ParallelRunner(options.threads(), progress)) {
      cluster.awaitLeader(null, 120_000);
      try (MetadataClient client =
          MetadataClient.builder().target(cluster.clientTargets()).build()) {
        AtomicLong written = new AtomicLong();
        Thread killer =
            new Thread(
                () -> {
                  try {
                    for (int k = 0; k < options.kills(); k++) {
                      // Let the load settle on the current leader before the next kill.
                      long target = written.get() + 200;
                      while (written.get() < target) {
                        java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
                      }
                      String victim = cluster.awaitLeader(null, 30_000);
                      firstWriteAfterKill.set(Long.MAX_VALUE);
                      long killedAt = System.nanoTime();
                      killedAtNanos.set(killedAt);
                      cluster.kill(victim);
                      cluster.awaitLeader(victim, 30_000);
                      elected.add((System.nanoTime() - killedAt) / 1_000_000);
                      while (firstWriteAfterKill.get() == Long.MAX_VALUE) {
                        java.util.concurrent.locks.LockSupport.parkNanos(200_000);
                      }
                      resumed.add((firstWriteAfterKill.get() - killedAt) / 1_000_000);
                      progress.printf(
                          "kill %d of %s: leader after %d ms, writes after %d ms%n",
                          k + 1,
                          victim,
                          elected.get(elected.size() - 1),
                          resumed.get(resumed.size() - 1));
                      progress.flush();
                      // Back on its directories and caught up before the next kill, so that
                      // every kill leaves a majority with current logs.
                      cluster.start(victim);
                      cluster.awaitReady(victim, 120_000);
                      cluster.awaitCaughtUp(victim, 1_000, 120_000);
                    }
                  } catch (Exception e) {
                    progress.println("failover run stopped: " + e);
                  } finally {
                    killedAtNanos.set(-1); // tells the writers to stop
                  }
                });
        killer.start();
        ParallelRunner.Phase phase =
            runner.run(
                "failover",
                1L << 40, // effectively unbounded; small enough that per-thread ranges never
                // overflow
                () -> killedAtNanos.get() == -1,
                i -> i,
                i -> {
                  long submitted = System.nanoTime();
                  send(client, "/failover/f" + i);
                  written.incrementAndGet();
                  if (submitted >= killedAtNanos.get()) {
                    firstWriteAfterKill.accumulateAndGet(System.nanoTime(), Math::min);
                  }
                });
        killer.join();
        BenchResult load =
            BenchResult.of(name(), "failover", options.threads(), written.get(), 0, phase);
        return List.of(
            load.withFailover(
                new BenchResult.Failover(
                    options.members(),
                    elected.size(),
                    percentile(elected, 50),
                    percentile(elected, 100),
                    percentile(resumed, 50),
                    percentile(resumed, 99),
                    percentile(resumed, 100))));
      }
    } finally {
      if (options.dir() == null) {
        EngineBench.deleteRecursively(dir);
      }
    }
  }

  /**
   * Creates {@code path} through the project's client: it finds the new leader and retries with the
   * same call id, which the retry cache answers if the first attempt applied. ALREADY_EXISTS can
   * only be that first attempt too (every op has its own path), so it counts as the one write.
   */
  private static void send(MetadataClient client, String path) {
    try {
      client.createFile(
          CreateFileRequest.newBuilder()
              .setPath(path)
              .setRecursive(true)
              .setOwner("bench")
              .build());
    } catch (MetadataException e) {
      if (e.code() != Status.Code.ALREADY_EXISTS) {
        throw e;
      }
    }
  }

  private static long percentile(List<Long> values, double p) {
    if (values.isEmpty()) {
      return -1;
    }
    List<Long> sorted = values.stream().sorted().toList();
    int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
  }
}

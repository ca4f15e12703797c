package dev.metacluster.cli.bench;

import dev.metacluster.master.journal.JournalCodec;
import dev.metacluster.master.journal.JournalServer;
import dev.metacluster.master.namespace.Commands;
import dev.metacluster.master.proto.CommandResult;
import dev.metacluster.master.proto.ErrorCode;
import dev.metacluster.master.store.StoreConfig;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.exceptions.AlreadyClosedException;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.util.TimeDuration;

/**
 * {@code --mode failover}: a journal of {@code --members} members in this process under a write
 * load of {@code --threads} clients (Ratis clients: leader discovery and retries as a real client
 * does), whose leader is killed {@code --kills} times. For each kill it measures the time until a
 * member is ready as the new leader, and until the first write submitted after the kill succeeds.
 * After each kill the member is restarted on its directories and caught up before the next.
 *
 * <p>A kill closes the member's Raft server without handing leadership over: its peers notice the
 * missing heartbeats and hold an election, as after a crash. (Its connections close at once, which
 * a crashed machine's would not; the election still waits for the timeout.)
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
    try (LocalCluster cluster =
            new LocalCluster(dir, options.members(), StoreConfig.defaults(dir)).startAll();
        ParallelRunner runner = new ParallelRunner(options.threads(), progress)) {
      cluster.awaitLeader(30_000);
      RaftProperties properties = new RaftProperties();
      try (RaftClient client =
          RaftClient.newBuilder()
              .setProperties(properties)
              .setRaftGroup(JournalServer.group(cluster.groupUuid(), cluster.peers()))
              .setRetryPolicy(
                  RetryPolicies.retryForeverWithSleep(
                      TimeDuration.valueOf(10, TimeUnit.MILLISECONDS)))
              .build()) {
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
                      JournalServer leader = cluster.awaitLeader(30_000);
                      String victim = leader.config().memberId();
                      firstWriteAfterKill.set(Long.MAX_VALUE);
                      long killedAt = System.nanoTime();
                      killedAtNanos.set(killedAt);
                      // Closing a Ratis server takes a while; the peers see the leader gone at
                      // once, so measure the election while the close runs on its own thread.
                      Thread closer =
                          new Thread(
                              () -> {
                                try {
                                  cluster.kill(victim);
                                } catch (java.io.IOException e) {
                                  progress.println("closing " + victim + ": " + e);
                                }
                              });
                      closer.start();
                      cluster.awaitNewLeader(victim, 30_000);
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
                      closer.join();
                      cluster.start(victim);
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
                options.members(),
                elected.size(),
                percentile(elected, 50),
                percentile(elected, 100),
                percentile(resumed, 50),
                percentile(resumed, 99),
                percentile(resumed, 100)));
      }
    } finally {
      if (options.dir() == null) {
        EngineBench.deleteRecursively(dir);
      }
    }
  }

  /**
   * Creates {@code path}. A member closing under the request answers AlreadyClosedException and the
   * Ratis client gives up on it; like any client we send again (to whoever leads now). The first
   * attempt may have applied: then the resend finds the file, ALREADY_EXISTS, which proves the
   * write applied exactly once (a create is never applied twice).
   */
  private static void send(RaftClient client, String path) throws Exception {
    boolean resent = false;
    while (true) {
      RaftClientReply reply;
      try {
        reply =
            client
                .io()
                .send(
                    JournalCodec.entry(
                        Commands.createFile(path, true, "bench")
                            .setTimeMs(System.currentTimeMillis())
                            .build()));
      } catch (AlreadyClosedException e) {
        resent = true;
        continue;
      }
      CommandResult result =
          CommandResult.parseFrom(reply.getMessage().getContent().asReadOnlyByteBuffer());
      boolean appliedEarlier =
          resent && result.hasError() && result.getError().getCode() == ErrorCode.ALREADY_EXISTS;
      if (!reply.isSuccess() || (result.hasError() && !appliedEarlier)) {
        throw new IllegalStateException("write failed: " + reply + " " + result);
      }
      return;
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

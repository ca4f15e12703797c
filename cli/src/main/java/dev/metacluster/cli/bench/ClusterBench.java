package dev.metacluster.cli.bench;

import dev.metacluster.api.client.MetadataClient;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.util.List;
import java.util.UUID;

/**
 * {@code --mode cluster}: the same workload as the other modes, against a running cluster over gRPC
 * through the Java client (leader discovery, retries, deadlines): every write is committed by the
 * cluster's Raft group, every read linearizable unless {@code --follower-reads}. All threads share
 * one client (one channel per member). Each run works under a fresh {@code /bench/cluster-<id>} and
 * leaves it there.
 *
 * <p>With {@code --connections N} it measures connections instead: N independent clients (each with
 * channels of its own) connect and do one getStatus each ("connect"); then, while all stay open,
 * {@code --active-percent} of them issue {@code --files} getStatus calls from {@code --threads}
 * threads ("getStatus"). Both results carry the connection count and the process's open file
 * descriptors against its limit ({@code ulimit -n}).
 */
public final class ClusterBench implements BenchMode {
  /** Input files the connection test reads (one per active client, at most this many). */
  static final int CONNECTION_INPUTS = 1000;

  @Override
  public String name() {
    return "cluster";
  }

  @Override
  public List<BenchResult> run(BenchOptions options, PrintWriter progress) throws Exception {
    if (options.fill()) {
      throw new BenchFailure("--inodes (fill) is an engine measurement: use --mode engine");
    }
    String root = "/bench/cluster-" + UUID.randomUUID().toString().substring(0, 8);
    try (ParallelRunner runner = new ParallelRunner(options.threads(), progress)) {
      if (options.connections() > 0) {
        return new Connections(options, runner, progress, root).run();
      }
      try (MetadataClient client = options.cluster().newClient().get()) {
        progress.printf(
            "cluster: %s, %d threads sharing one client, under %s%n",
            options.cluster().target(), options.threads(), root);
        progress.flush();
        return new NamespaceWorkload(
                name(), options, BenchTarget.of(client), runner, null, root, progress)
            .ops();
      }
    }
  }

  /** The connection test: N clients held open, a share of them reading. */
  private final class Connections {
    private final BenchOptions options;
    private final ParallelRunner runner;
    private final PrintWriter progress;
    private final String root;
    private final MetadataClient[] clients;
    private final int active;
    private final int inputs;

    Connections(BenchOptions options, ParallelRunner runner, PrintWriter progress, String root) {
      this.options = options;
      this.runner = runner;
      this.progress = progress;
      this.root = root;
      this.clients = new MetadataClient[options.connections()];
      this.active =
          (int) Math.max(1, Math.round(options.connections() * options.activePercent() / 100.0));
      this.inputs = Math.min(active, CONNECTION_INPUTS);
    }

    List<BenchResult> run() throws Exception {
      int n = clients.length;
      Long maxFds = fds(true);
      progress.printf(
          "cluster: %,d connections to %s, %,d of them active; file-descriptor limit %s%n",
          n, options.cluster().target(), active, maxFds == null ? "unknown" : maxFds);
      if (maxFds != null && n + 100 > maxFds) {
        progress.printf(
            "warning: ulimit -n is %d, below %,d connections + 100: expect 'Too many open files'"
                + " (raise it with ulimit -n)%n",
            maxFds, n);
      }
      progress.flush();
      try {
        try (MetadataClient setup = options.cluster().newClient().get()) {
          BenchTarget target = BenchTarget.of(setup);
          ParallelRunner.Phase created =
              runner.run(
                  "inputs",
                  inputs,
                  this::input,
                  p -> {
                    target.createFile(p);
                    target.completeFile(p);
                  });
          if (created.latencies().errors() > 0) {
            throw new BenchFailure(
                "creating the input files failed "
                    + created.latencies().errors()
                    + " times; first: "
                    + created.latencies().firstError());
          }
        }
        progress.printf("connect: %,d clients, one getStatus each%n", n);
        progress.flush();
        ParallelRunner.Phase connect =
            runner.run(
                "connect",
                n,
                i -> (int) i,
                i -> {
                  MetadataClient client = options.cluster().newClient().get();
                  clients[i] = client;
                  client.getStatus(input(i % inputs));
                });
        Long openAfterConnect = fds(false);
        progress.printf(
            "getStatus: %,d ops from %,d active clients while %,d are open (%s fds open)%n",
            options.files(), active, n, openAfterConnect == null ? "?" : openAfterConnect);
        progress.flush();
        ParallelRunner.Phase reads =
            runner.run(
                "getStatus",
                options.files(),
                i -> (int) (i % active),
                c -> {
                  MetadataClient client = clients[c];
                  if (client == null) {
                    throw new IllegalStateException("client " + c + " did not connect");
                  }
                  String path = input(c % inputs);
                  String name = client.getStatus(path).getName();
                  if (!path.endsWith("/" + name)) {
                    throw new IllegalStateException("getStatus " + path + " returned " + name);
                  }
                });
        return List.of(
            result("connect", n, connect, openAfterConnect, maxFds),
            result("getStatus", options.files(), reads, openAfterConnect, maxFds));
      } finally {
        closeAll();
      }
    }

    private BenchResult result(
        String op, long files, ParallelRunner.Phase phase, Long openFds, Long maxFds) {
      return BenchResult.of(name(), op, options.threads(), files, 0, phase)
          .withConnections(new BenchResult.Connections(clients.length, active, openFds, maxFds));
    }

    private String input(long i) {
      return root + "/connections/file" + i;
    }

    private void closeAll() throws InterruptedException {
      runner.run(
          "close",
          clients.length,
          i -> (int) i,
          i -> {
            if (clients[i] != null) {
              clients[i].close();
            }
          });
    }
  }

  /** The process's file-descriptor limit ({@code max}) or count open now; null if unknown. */
  static Long fds(boolean max) {
    OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
    if (os instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
      return max ? unix.getMaxFileDescriptorCount() : unix.getOpenFileDescriptorCount();
    }
    return null;
  }
}

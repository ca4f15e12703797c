package dev.metacluster.master.server;

import dev.metacluster.master.journal.JournalConfig;
import dev.metacluster.master.namespace.Commands;
import dev.metacluster.master.namespace.LocalNamespace;
import dev.metacluster.master.namespace.NamespaceException;
import dev.metacluster.master.namespace.NamespaceTree;
import dev.metacluster.master.proto.Inode;
import dev.metacluster.master.store.CachingInodeStore;
import dev.metacluster.master.store.RocksInodeStore;
import dev.metacluster.master.store.StoreConfig;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The master's command line. {@code server} runs a master (journal member, client API, probes) from
 * a configuration file; {@code restore} seeds a new member's volume from a backup archive; {@code
 * member} runs a bare journal member (tests, benchmarks); {@code demo} runs the namespace engine
 * alone with a small workload.
 */
@Command(
    name = "metacluster-master",
    mixinStandardHelpOptions = true,
    description = "The metacluster metadata master.")
public final class MasterMain implements Callable<Integer> {
  @Spec CommandSpec spec;

  public static void main(String[] args) {
    CommonPool.ensureParallelism(); // before anything uses CompletableFuture
    System.exit(commandLine(System.out).execute(args));
  }

  /** The command line with its subcommands; {@code out} receives the demo's report. */
  static CommandLine commandLine(PrintStream out) {
    return commandLine(out, System.getenv());
  }

  /**
   * As {@link #commandLine(PrintStream)}, with the environment {@code restore} reads (S3
   * credentials, $METACLUSTER_JOIN); public for tests that run {@code restore} in-process.
   */
  public static CommandLine commandLine(PrintStream out, Map<String, String> env) {
    return new CommandLine(new MasterMain())
        .addSubcommand("server", new ServerCommand())
        .addSubcommand("restore", new RestoreCommand(out, Map.copyOf(env)))
        .addSubcommand("member", new Member())
        .addSubcommand("demo", new Demo(out));
  }

  @Override
  public Integer call() {
    throw new ParameterException(
        spec.commandLine(), "Missing subcommand: server, restore, member or demo");
  }

  /** One member of a journal cluster, serving until SIGTERM. */
  @Command(
      name = "member",
      mixinStandardHelpOptions = true,
      description = {
        "Runs one member of a replicated journal cluster until SIGTERM; a leader hands its"
            + " leadership to the most advanced follower before it stops.",
        "Example: member --cluster demo --member-id m0"
            + " --peers m0=127.0.0.1:7001,m1=127.0.0.1:7002,m2=127.0.0.1:7003"
            + " --journal-dir data/m0/journal --metastore-dir data/m0/metastore"
      })
  static final class Member implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(
        names = "--cluster",
        required = true,
        description = "Cluster name; the Raft group id is derived from it.")
    String cluster;

    @Option(
        names = "--member-id",
        required = true,
        description = "This member's id; must be one of the ids in --peers.")
    String memberId;

    @Option(
        names = "--peers",
        required = true,
        paramLabel = "ID=HOST:PORT[,...]",
        description = "Every member's id and Raft address, this member included.")
    String peers;

    @Option(names = "--journal-dir", required = true, description = "The Raft log directory.")
    Path journalDir;

    @Option(
        names = "--metastore-dir",
        required = true,
        description = "The RocksDB directory (live data and snapshots).")
    Path metastoreDir;

    @Option(
        names = "--cache-entries",
        defaultValue = "" + StoreConfig.DEFAULT_INODE_CACHE_ENTRIES,
        description = "On-heap cache bound for inodes and for edges (default: ${DEFAULT-VALUE}).")
    long cacheEntries;

    @Option(
        names = "--snapshot-threshold",
        defaultValue = "" + JournalConfig.DEFAULT_SNAPSHOT_THRESHOLD,
        description = "Take a snapshot every this many log entries (default: ${DEFAULT-VALUE}).")
    long snapshotThreshold;

    @Option(
        names = "--purge-gap",
        defaultValue = "" + JournalConfig.DEFAULT_PURGE_GAP,
        description =
            "Purge the log up to the snapshot once this many entries can go"
                + " (default: ${DEFAULT-VALUE}).")
    int purgeGap;

    @Option(
        names = "--log-segment-bytes",
        defaultValue = "" + JournalConfig.DEFAULT_LOG_SEGMENT_BYTES,
        description =
            "Size of one Raft log segment file, at least 64 KiB (default: ${DEFAULT-VALUE}).")
    long logSegmentBytes;

    @Override
    public Integer call() throws Exception {
      JournalConfig config;
      try {
        config = config();
      } catch (IllegalArgumentException e) {
        throw new ParameterException(
            spec.commandLine(), "Invalid member options: " + e.getMessage());
      }
      MemberProcess.run(config, StoreConfig.defaults(metastoreDir).withCacheEntries(cacheEntries));
      return 0;
    }

    /** Checks every option before anything touches the disk or the network. */
    JournalConfig config() {
      MemberProcess.checkId("cluster name", cluster);
      MemberProcess.checkId("member id", memberId);
      Map<String, InetSocketAddress> peerMap;
      try {
        peerMap = MemberProcess.parsePeers(peers);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("--peers: " + e.getMessage(), e);
      }
      if (!peerMap.containsKey(memberId)) {
        throw new IllegalArgumentException(
            "member id '" + memberId + "' is not in --peers " + peerMap.keySet());
      }
      if (cacheEntries < 0) {
        throw new IllegalArgumentException("--cache-entries must be >= 0");
      }
      return JournalConfig.defaults(cluster, memberId, peerMap, journalDir, metastoreDir)
          .withLogCompaction(snapshotThreshold, purgeGap, logSegmentBytes);
    }
  }

  /** The namespace engine on a local metastore with a demo workload (no journal). */
  @Command(
      name = "demo",
      mixinStandardHelpOptions = true,
      description = "Runs the master engine on a local metastore directory with a demo workload.")
  static final class Demo implements Callable<Integer> {
    @Option(
        names = "--metastore-dir",
        defaultValue = "run-data/metastore",
        description = "RocksDB directory (default: ${DEFAULT-VALUE}).")
    Path metastoreDir;

    @Option(
        names = "--cache-entries",
        defaultValue = "" + StoreConfig.DEFAULT_INODE_CACHE_ENTRIES,
        description = "On-heap cache bound for inodes and for edges (default: ${DEFAULT-VALUE}).")
    long cacheEntries;

    private final PrintStream out;

    Demo(PrintStream out) {
      this.out = out;
    }

    @Override
    public Integer call() throws NamespaceException {
      StoreConfig config = StoreConfig.defaults(metastoreDir).withCacheEntries(cacheEntries);
      RocksInodeStore rocks = new RocksInodeStore(config);
      try (LocalNamespace ns =
          new LocalNamespace(
              new CachingInodeStore(rocks, cacheEntries, cacheEntries), Clock.systemUTC())) {
        out.printf("metastore %s opened at applied index %d%n", metastoreDir, rocks.appliedIndex());
        runDemo(ns);
        List<String> problems = NamespaceTree.verify(ns.namespace().store());
        out.printf(
            "tree checksum %s, invariants %s%n",
            NamespaceTree.checksum(ns.namespace().store()),
            problems.isEmpty() ? "hold" : "VIOLATED: " + problems);
        return problems.isEmpty() ? 0 : 1;
      }
    }

    /**
     * A small session a user would recognize: a project tree, files written, a rename, a cleanup.
     */
    private void runDemo(LocalNamespace ns) throws NamespaceException {
      String run = "/demo/run-" + System.currentTimeMillis();
      ns.execute(Commands.mkdir(run + "/logs", true, "demo"));
      for (int i = 0; i < 5; i++) {
        String file = String.format("%s/logs/part-%05d", run, i);
        ns.execute(Commands.createFile(file, false, "demo"));
        ns.execute(Commands.complete(file, 1024L * (i + 1)));
      }
      ns.execute(Commands.rename(run + "/logs", run + "/archive"));
      ns.execute(Commands.delete(run + "/archive/part-00000", false));
      out.println("demo tree:");
      NamespaceTree.walk(
          ns.namespace().store(),
          (path, inode) -> {
            if (path.startsWith(run) || run.startsWith(path)) {
              out.println("  " + describe(path, inode));
            }
          });
      Inode demo = ns.namespace().getStatus("/demo");
      out.printf("/demo holds %d runs (one per `make run`)%n", demo.getChildCount());
    }

    private static String describe(String path, Inode inode) {
      return inode.getDirectory()
          ? String.format("d %04o %s %s", inode.getMode(), inode.getOwner(), path)
          : String.format(
              "- %04o %s %s (%d bytes)",
              inode.getMode(), inode.getOwner(), path, inode.getLength());
    }
  }
}

package dev.metacluster.master.server;

import dev.metacluster.master.namespace.Commands;
import dev.metacluster.master.namespace.LocalNamespace;
import dev.metacluster.master.namespace.NamespaceException;
import dev.metacluster.master.namespace.NamespaceTree;
import dev.metacluster.master.proto.Inode;
import dev.metacluster.master.store.CachingInodeStore;
import dev.metacluster.master.store.RocksInodeStore;
import dev.metacluster.master.store.StoreConfig;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The master process. Today it opens the namespace engine on local disk and runs a demo workload
 * against it ({@code make run}); the Raft journal and the gRPC services come next.
 */
@Command(
    name = "metacluster-master",
    mixinStandardHelpOptions = true,
    description = "Runs the metacluster master engine on a local metastore directory.")
public final class MasterMain implements Callable<Integer> {
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

  MasterMain(PrintStream out) {
    this.out = out;
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new MasterMain(System.out)).execute(args));
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

  /** A small session a user would recognize: a project tree, files written, a rename, a cleanup. */
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
            "- %04o %s %s (%d bytes)", inode.getMode(), inode.getOwner(), path, inode.getLength());
  }
}

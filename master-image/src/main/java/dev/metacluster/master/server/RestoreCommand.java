package dev.metacluster.master.server;

import dev.metacluster.master.journal.BackupArchive;
import dev.metacluster.master.proto.SnapshotManifest;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code restore}: seeds the empty metastore volume of one member of a new cluster from a backup
 * archive (checksums verified). Run it for every member of the new cluster, then start them.
 */
@Command(
    name = "restore",
    mixinStandardHelpOptions = true,
    description = {
      "Restores a backup archive into the empty metastore directory of a member of a NEW cluster"
          + " (every file checked against its SHA-256, the namespace against the manifest's"
          + " checksum). Restore every member of the new cluster from the same archive, then start"
          + " them with `server`."
    })
final class RestoreCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--archive", required = true, description = "The backup archive (zip).")
  Path archive;

  @Option(
      names = "--metastore-dir",
      required = true,
      description = "The new member's metastore directory (must be empty or missing).")
  Path metastoreDir;

  @Option(names = "--cluster", required = true, description = "The NEW cluster's name.")
  String cluster;

  private final PrintStream out;

  RestoreCommand(PrintStream out) {
    this.out = out;
  }

  @Override
  public Integer call() throws Exception {
    SnapshotManifest manifest;
    try {
      manifest = BackupArchive.restoreForCluster(archive, metastoreDir, cluster);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    out.println(BackupArchive.restoreSummary(archive, metastoreDir, cluster, manifest));
    return 0;
  }
}

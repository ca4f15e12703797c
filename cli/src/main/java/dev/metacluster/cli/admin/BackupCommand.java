package dev.metacluster.cli.admin;

import dev.metacluster.api.admin.v1.BackupManifest;
import dev.metacluster.api.client.MetadataClient;
import dev.metacluster.cli.CliException;
import dev.metacluster.cli.ExitCodes;
import dev.metacluster.cli.Metactl;
import dev.metacluster.master.backup.BackupRecord;
import dev.metacluster.master.backup.BackupStore;
import dev.metacluster.master.backup.BackupUri;
import dev.metacluster.master.backup.Retention;
import dev.metacluster.master.backup.S3Options;
import dev.metacluster.master.backup.S3Settings;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code metactl admin backup}: streams a backup from the leader to a file or an S3 object, writes
 * its sidecar, and keeps the newest N of the folder. What the operator's backup Job runs.
 */
@Command(
    name = "backup",
    mixinStandardHelpOptions = true,
    description = {
      "Streams a backup archive from the leader to URI (checked against its manifest: SHA-256 and",
      "length), then writes the sidecar URI.json with the result, and with --keep deletes older",
      "backups of the same folder. A file is written to NAME.partial and moved into place, an S3",
      "object is uploaded in parts and completed only when whole: nothing is left on failure.",
      "Prints the result (-o json: the one-line JSON of the sidecar). --timeout bounds finding",
      "the leader; the stream may take up to an hour."
    })
final class BackupCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @ArgGroup(multiplicity = "1")
  Location location;

  /** Exactly one of the two. */
  static final class Location {
    @Option(
        names = "--to",
        paramLabel = "URI",
        description = "Where: s3://BUCKET/KEY.mcbak, file:///PATH.mcbak or a path.")
    String to;

    @Option(names = "--out", paramLabel = "FILE", description = "Same as --to FILE.")
    Path out;
  }

  @Option(
      names = "--keep",
      paramLabel = "N",
      description =
          "Then delete all but the N newest backups (*.mcbak with a sidecar) in the same"
              + " directory or key prefix.")
  Integer keep;

  @Option(
      names = "--result-file",
      paramLabel = "FILE",
      description = "Also write the one-line JSON result here (e.g. /dev/termination-log).")
  Path resultFile;

  @Option(names = "--force", description = "Overwrite the backup at URI if there is one.")
  boolean force;

  @Mixin S3Options s3;

  @Override
  public Integer call() {
    Metactl root = Metactl.of(spec);
    BackupUri uri;
    S3Settings settings;
    try {
      uri =
          BackupUri.parse(location.to != null ? location.to : location.out.toString(), root.cwd());
      settings = s3.settings();
      if (keep != null && keep < 1) {
        throw new IllegalArgumentException("--keep must be at least 1, got " + keep);
      }
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    try (BackupStore store = BackupStore.open(uri, settings, root.env())) {
      if (store.exists(uri.key())) {
        if (!force) {
          throw new CliException(
              ExitCodes.ALREADY_EXISTS, uri + " exists; pass --force to overwrite it");
        }
        store.delete(uri.sidecarKey()); // never a sidecar describing another archive
      }
      BackupRecord record;
      try (MetadataClient client = root.connect()) {
        // Find the leader within --timeout; the stream itself may take up to the backup timeout.
        client.clusterInfo();
        record = write(client, store, uri);
      }
      List<BackupUri> deleted = keep == null ? List.of() : Retention.prune(store, uri, keep);
      if (resultFile != null) {
        Files.writeString(resultFile, record.toJson() + "\n", StandardCharsets.UTF_8);
      }
      print(record, deleted, root.output() == Metactl.Output.json);
      return ExitCodes.OK;
    } catch (IOException e) {
      throw new CliException(ExitCodes.FAILED, e.getMessage(), e);
    }
  }

  /** The archive, then its sidecar: a backup without a sidecar is never taken for one. */
  private static BackupRecord write(MetadataClient client, BackupStore store, BackupUri uri)
      throws IOException {
    BackupManifest manifest;
    long size;
    try (BackupStore.Upload archive = store.create(uri.key())) {
      manifest = client.backup(archive); // checked against the manifest before the commit
      archive.commit();
      size = archive.bytes();
    }
    BackupRecord record =
        new BackupRecord(
            uri.toString(),
            manifest.getClusterId(),
            manifest.getTerm(),
            manifest.getIndex(),
            manifest.getInodeCount(),
            size,
            manifest.getArchiveSha256(),
            Instant.now().truncatedTo(ChronoUnit.MILLIS));
    try (BackupStore.Upload sidecar = store.create(uri.sidecarKey())) {
      sidecar.write(record.toJson().getBytes(StandardCharsets.UTF_8));
      sidecar.commit();
    } catch (IOException e) {
      try {
        store.delete(uri.key());
      } catch (IOException ignored) {
        // best effort: without a sidecar it is not listed as a backup anyway
      }
      throw e;
    }
    return record;
  }

  private void print(BackupRecord record, List<BackupUri> deleted, boolean json) {
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      out.println(record.toJson());
    } else {
      out.printf("%-13s %s%n", "uri:", record.uri());
      out.printf("%-13s %s%n", "clusterId:", record.clusterId());
      out.printf("%-13s %d%n", "term:", record.term());
      out.printf("%-13s %d%n", "index:", record.index());
      out.printf("%-13s %d%n", "inodes:", record.inodes());
      out.printf("%-13s %d%n", "sizeBytes:", record.sizeBytes());
      out.printf("%-13s %s%n", "sha256:", record.sha256());
      out.printf("%-13s %s%n", "completedAt:", record.completedAt());
      deleted.forEach(d -> out.printf("%-13s %s%n", "deleted:", d));
    }
    out.flush();
  }
}

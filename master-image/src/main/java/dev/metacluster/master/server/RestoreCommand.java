package dev.metacluster.master.server;

import dev.metacluster.master.backup.ArchiveFetch;
import dev.metacluster.master.backup.BackupStore;
import dev.metacluster.master.backup.BackupUri;
import dev.metacluster.master.backup.S3Options;
import dev.metacluster.master.backup.S3Settings;
import dev.metacluster.master.journal.Addresses;
import dev.metacluster.master.journal.BackupArchive;
import dev.metacluster.master.proto.SnapshotManifest;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code restore}: seeds the empty metastore volume of one member of a new cluster from a backup
 * archive (checksums verified), from a file or from S3. Run it for every member of the new cluster,
 * then start them. With {@code --skip-if-initialized} it is safe to run on every start (an init
 * container): it does nothing where the member already has data or joins a formed group.
 */
@Command(
    name = "restore",
    mixinStandardHelpOptions = true,
    description = {
      "Restores a backup archive into the empty metastore directory of a member of a NEW cluster"
          + " (checked against its sidecar when it has one, every file against its SHA-256, the"
          + " namespace against the manifest's checksum). Restore every member of the new cluster"
          + " from the same archive, then start them with `server`.",
      "Exit codes: 0 restored (or skipped), 1 failed (unreadable, damaged, no credentials),"
          + " 2 usage (bad option, location or directory not empty)."
    })
final class RestoreCommand implements Callable<Integer> {
  /** Where an S3 archive is downloaded: inside the metastore volume, which has the room. */
  static final String DOWNLOAD = ".restore-download" + BackupUri.SUFFIX;

  @Spec CommandSpec spec;

  @ArgGroup(multiplicity = "1")
  Source source;

  /** Exactly one of the two. */
  static final class Source {
    @Option(names = "--archive", paramLabel = "FILE", description = "The backup archive file.")
    Path archive;

    @Option(
        names = "--from",
        paramLabel = "URI",
        description = "The backup: s3://BUCKET/KEY.mcbak or file:///PATH.mcbak.")
    String from;
  }

  @Mixin S3Options s3;

  @Option(
      names = "--metastore-dir",
      required = true,
      paramLabel = "DIR",
      description = "The new member's metastore directory (must be empty or missing).")
  Path metastoreDir;

  @Option(
      names = "--cluster",
      required = true,
      paramLabel = "NAME",
      description = "The NEW cluster's name.")
  String cluster;

  @Option(
      names = "--config",
      paramLabel = "FILE",
      description = "The member's configuration file; with join=true it joins a formed group.")
  Path config;

  @Option(
      names = "--skip-if-initialized",
      description =
          "Do nothing (exit 0) when DIR already holds a metastore, or when --config says"
              + " join=true (a joining member gets its state from the leader).")
  boolean skipIfInitialized;

  private final PrintStream out;
  private final Map<String, String> env;

  RestoreCommand(PrintStream out, Map<String, String> env) {
    this.out = out;
    this.env = env;
  }

  @Override
  public Integer call() throws Exception {
    BackupUri uri = null;
    S3Settings settings;
    boolean joins;
    try {
      Addresses.checkId("cluster name", cluster);
      if (source.from != null) {
        uri = BackupUri.parse(source.from, Path.of("").toAbsolutePath());
      }
      settings = s3.settings();
      joins = config != null && joins(config);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    if (skipIfInitialized && Files.isDirectory(metastoreDir.resolve("db"))) {
      out.println("restore skipped: " + metastoreDir + " already holds a metastore");
      return 0;
    }
    if (skipIfInitialized && joins) {
      out.println(
          "restore skipped: "
              + config
              + " says join=true (a joining member gets its state from the leader)");
      return 0;
    }
    Path download = metastoreDir.resolve(DOWNLOAD);
    try {
      Path archive = source.archive;
      if (uri != null) {
        try (BackupStore store = BackupStore.open(uri, settings, env)) {
          if (uri.isS3()) {
            Files.createDirectories(metastoreDir);
          }
          archive = ArchiveFetch.fetch(store, uri, download).file();
        }
      }
      SnapshotManifest manifest = BackupArchive.restoreForCluster(archive, metastoreDir, cluster);
      String from = uri != null ? uri.toString() : archive.toString();
      out.println(BackupArchive.restoreSummary(from, metastoreDir, cluster, manifest));
      return 0;
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    } catch (IOException e) {
      spec.commandLine().getErr().println("restore failed, nothing restored: " + e.getMessage());
      spec.commandLine().getErr().flush();
      return 1;
    } finally {
      Files.deleteIfExists(download);
    }
  }

  /** Whether the configuration (the file, then $METACLUSTER_JOIN, as the server reads it) joins. */
  private boolean joins(Path file) {
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      p.load(r);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read --config " + file + ": " + e);
    }
    String value = p.getProperty(ConfigKeys.JOIN, "false").strip();
    String fromEnv = env.get(ConfigKeys.BY_NAME.get(ConfigKeys.JOIN).envName());
    if (fromEnv != null) {
      value = fromEnv.strip();
    }
    if (!value.equalsIgnoreCase("true") && !value.equalsIgnoreCase("false")) {
      throw new IllegalArgumentException(
          file + ": " + ConfigKeys.JOIN + " must be true or false, got '" + value + "'");
    }
    return Boolean.parseBoolean(value.toLowerCase(java.util.Locale.ROOT));
  }
}

package dev.metacluster.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.metacluster.api.client.MetadataClient;
import dev.metacluster.master.backup.BackupRecord;
import dev.metacluster.master.backup.BackupStore;
import dev.metacluster.master.backup.BackupUri;
import dev.metacluster.master.backup.S3Settings;
import dev.metacluster.master.server.LoopbackPorts;
import dev.metacluster.master.server.MasterMain;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Backups to a real S3-compatible server (S3Proxy, its own process) with {@code metactl admin
 * backup}, and restores from it with {@code master restore} into a new cluster that then serves the
 * same namespace.
 */
class S3BackupIT {
  private static final String BUCKET = "backups";

  @TempDir static Path shared;
  private static S3Proxy s3;
  private static LocalMasters source;
  private static S3Client admin;

  @TempDir Path tmp;

  @BeforeAll
  static void start() throws IOException {
    s3 = S3Proxy.start(Files.createDirectories(shared.resolve("s3")));
    admin = s3.client();
    admin.createBucket(b -> b.bucket(BUCKET));
    source = new LocalMasters("s3-source", shared.resolve("source"), 1).awaitReady();
  }

  @AfterAll
  static void stop() {
    if (source != null) {
      source.close();
    }
    if (admin != null) {
      admin.close();
    }
    if (s3 != null) {
      s3.close();
    }
  }

  record Run(int exit, String out, String err) {}

  /** metactl against the source cluster. */
  private Run metactl(Map<String, String> env, String... args) {
    return metactlAt(source.target(), env, args);
  }

  private Run metactlAt(String target, Map<String, String> env, String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.add("--target=" + target);
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = Metactl.commandLine(env, tmp);
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    int exit = cli.execute(all.toArray(String[]::new));
    return new Run(exit, out.toString(), err.toString());
  }

  private Run backup(String uri, String... more) {
    List<String> args =
        new ArrayList<>(
            List.of("admin", "backup", "--to", uri, "--s3-endpoint", s3.endpoint(), "-o", "json"));
    args.addAll(List.of(more));
    return metactl(s3.env(), args.toArray(String[]::new));
  }

  /** {@code master restore}, in this JVM. */
  private Run masterRestore(Map<String, String> env, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    StringWriter err = new StringWriter();
    List<String> all = new ArrayList<>(List.of("restore"));
    all.addAll(List.of(args));
    CommandLine cli =
        MasterMain.commandLine(new PrintStream(out, true, StandardCharsets.UTF_8), env);
    cli.setErr(new PrintWriter(err));
    int exit = cli.execute(all.toArray(String[]::new));
    return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString());
  }

  private Run restoreFromS3(String uri, Path metastore, String... more) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--from",
                uri,
                "--s3-endpoint",
                s3.endpoint(),
                "--metastore-dir",
                metastore.toString(),
                "--cluster",
                "restored"));
    args.addAll(List.of(more));
    return masterRestore(s3.env(), args.toArray(String[]::new));
  }

  private static void assertOk(Run r) {
    assertThat(r.exit()).as("exit code; out: %s; err: %s", r.out(), r.err()).isZero();
  }

  private static void write(String dir, int files) {
    try (MetadataClient client = MetadataClient.builder().target(source.target()).build()) {
      for (int i = 0; i < files; i++) {
        String path = dir + "/d" + (i % 5) + "/f" + i;
        client.createFile(path, true);
        client.completeFile(path, 100L * i);
      }
    }
  }

  /** The objects under a prefix (not the folder markers of the filesystem backend). */
  private List<String> keys(String prefix) {
    return admin.listObjectsV2(b -> b.bucket(BUCKET).prefix(prefix)).contents().stream()
        .map(S3Object::key)
        .filter(k -> !k.endsWith("/"))
        .sorted()
        .toList();
  }

  private byte[] object(String key) throws IOException {
    try (InputStream in = admin.getObject(b -> b.bucket(BUCKET).key(key))) {
      return in.readAllBytes();
    }
  }

  @Test
  void backupsKeepTheNewestTwoAndTheNewestRestoresTheSameNamespace() throws Exception {
    String checksum = null;
    BackupRecord last = null;
    for (int n = 1; n <= 3; n++) {
      write("/s3/run" + n, 20);
      Path result = tmp.resolve("result-" + n);
      Run run =
          backup(
              "s3://" + BUCKET + "/prod/nightly/b-" + n + ".mcbak",
              "--keep",
              "2",
              "--result-file",
              result.toString());
      assertOk(run);
      String line = Files.readString(result);
      assertThat(line.lines()).hasSize(1);
      assertThat(line.length()).isLessThan(4096);
      last = BackupRecord.parse(line.getBytes(StandardCharsets.UTF_8));
      assertThat(run.out().strip()).isEqualTo(line.strip());
      checksum = source.checksum("m0");
    }
    write("/s3/after-the-last-backup", 3);

    assertThat(keys("prod/"))
        .containsExactly(
            "prod/nightly/b-2.mcbak",
            "prod/nightly/b-2.mcbak.json",
            "prod/nightly/b-3.mcbak",
            "prod/nightly/b-3.mcbak.json");
    assertThat(last.uri()).isEqualTo("s3://backups/prod/nightly/b-3.mcbak");
    assertThat(last.inodes()).isEqualTo(1 + 1 + 3 * (1 + 5 + 20));
    byte[] archive = object("prod/nightly/b-3.mcbak");
    assertThat(archive.length).isEqualTo(last.sizeBytes());
    assertThat(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(archive)))
        .isEqualTo(last.sha256());
    assertThat(BackupRecord.parse(object("prod/nightly/b-3.mcbak.json"))).isEqualTo(last);

    Path root = tmp.resolve("restored");
    Path metastore = root.resolve("m0").resolve("metastore");
    Files.createDirectories(metastore.resolve("lost+found")); // as on a fresh ext4 volume
    Run restore = restoreFromS3(last.uri(), metastore);
    assertOk(restore);
    assertThat(restore.out()).startsWith("restored " + last.uri() + " into " + metastore);
    try (var left = Files.list(metastore)) {
      assertThat(left.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder("db", "lost+found"); // the download is gone
    }

    // On every later pod start the init container does nothing.
    Run again = restoreFromS3(last.uri(), metastore, "--skip-if-initialized");
    assertOk(again);
    assertThat(again.out()).contains("skipped", "already holds a metastore");
    Run over = restoreFromS3(last.uri(), metastore);
    assertThat(over.exit()).isEqualTo(2);
    assertThat(over.err()).contains("not empty");

    try (LocalMasters restored = new LocalMasters("restored", root, 1).awaitReady()) {
      assertThat(restored.checksum("m0")).isEqualTo(checksum);
      assertOk(metactlAt(restored.target(), Map.of(), "fs", "stat", "/s3/run3/d0/f0"));
      Run after = metactlAt(restored.target(), Map.of(), "fs", "stat", "/s3/after-the-last-backup");
      assertThat(after.exit()).isEqualTo(ExitCodes.NOT_FOUND);
    }
  }

  @Test
  void aJoiningMemberSkipsTheRestore() throws IOException {
    Path config = tmp.resolve("master.properties");
    Files.writeString(config, "cluster.name=restored\njoin=true\n");
    Path metastore = tmp.resolve("joiner/metastore");
    Run run =
        restoreFromS3(
            "s3://backups/none/x.mcbak",
            metastore,
            "--skip-if-initialized",
            "--config",
            config.toString());
    assertOk(run);
    assertThat(run.out()).contains("skipped", "join=true");
    assertThat(metastore).doesNotExist();
  }

  @Test
  void aDamagedObjectIsRefusedAndNothingIsRestored() throws IOException {
    assertOk(backup("s3://" + BUCKET + "/damaged/x.mcbak"));
    Path file = s3.objectFile(BUCKET, "damaged/x.mcbak");
    byte[] bytes = Files.readAllBytes(file);
    bytes[bytes.length / 2] ^= 0x5a;
    Files.write(file, bytes); // the bucket's copy changed behind S3's back

    Path metastore = tmp.resolve("m0/metastore");
    Run restore = restoreFromS3("s3://" + BUCKET + "/damaged/x.mcbak", metastore);
    assertThat(restore.exit()).isEqualTo(1);
    assertThat(restore.err())
        .contains("nothing restored", "s3://backups/damaged/x.mcbak", "does not match its sidecar");
    try (var left = Files.list(metastore)) {
      assertThat(left).isEmpty(); // no db, no download left behind
    }
  }

  @Test
  void badLocationsAndMissingCredentialsAreClearErrors() {
    Run noKey = backup("s3://" + BUCKET);
    assertThat(noKey.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(noKey.err()).contains("s3://BUCKET/KEY.mcbak");
    Run zip = backup("s3://" + BUCKET + "/b.zip");
    assertThat(zip.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(zip.err()).contains("must end in .mcbak");
    Run keep = backup("s3://" + BUCKET + "/k.mcbak", "--keep", "0");
    assertThat(keep.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(keep.err()).contains("--keep must be at least 1");
    Run endpoint =
        metactl(
            s3.env(), "admin", "backup", "--to", "s3://b/k.mcbak", "--s3-endpoint", "127.0.0.1:1");
    assertThat(endpoint.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(endpoint.err()).contains("not an http:// or https:// URL");

    Run noCredentials =
        metactl(
            Map.of(), "admin", "backup", "--to", "s3://b/k.mcbak", "--s3-endpoint", s3.endpoint());
    assertThat(noCredentials.exit()).isEqualTo(ExitCodes.FAILED);
    assertThat(noCredentials.err()).contains("no S3 credentials", "AWS_ACCESS_KEY_ID");
    Map<String, String> wrong = new HashMap<>(s3.env());
    wrong.put("AWS_SECRET_ACCESS_KEY", "not-the-secret");
    Run denied =
        metactl(
            wrong,
            "admin",
            "backup",
            "--to",
            "s3://backups/d.mcbak",
            "--s3-endpoint",
            s3.endpoint());
    assertThat(denied.exit()).isEqualTo(ExitCodes.FAILED);
    assertThat(denied.err()).contains("s3://backups/d.mcbak", "HTTP 403");
    Run noBucket = backup("s3://no-such-bucket/x.mcbak");
    assertThat(noBucket.exit()).isEqualTo(ExitCodes.FAILED);
    assertThat(noBucket.err()).contains("NoSuchBucket");
    Run noCluster =
        metactlAt(
            "127.0.0.1:" + LoopbackPorts.free(),
            s3.env(),
            "admin",
            "backup",
            "--to",
            "s3://backups/unreachable/u.mcbak",
            "--s3-endpoint",
            s3.endpoint(),
            "--timeout",
            "2s");
    assertThat(noCluster.exit()).isEqualTo(ExitCodes.FAILED);
    assertThat(keys("unreachable/")).isEmpty(); // neither archive nor sidecar

    Path metastore = tmp.resolve("m0/metastore");
    Run badFrom =
        masterRestore(
            s3.env(), "--from", "s3:/x", "--metastore-dir", metastore.toString(), "--cluster", "c");
    assertThat(badFrom.exit()).isEqualTo(2);
    assertThat(badFrom.err()).contains("s3://BUCKET/KEY.mcbak");
    Run restoreNoCredentials =
        masterRestore(
            Map.of(),
            "--from",
            "s3://backups/x.mcbak",
            "--s3-endpoint",
            s3.endpoint(),
            "--metastore-dir",
            metastore.toString(),
            "--cluster",
            "c");
    assertThat(restoreNoCredentials.exit()).isEqualTo(1);
    assertThat(restoreNoCredentials.err()).contains("no S3 credentials");
    Run missing = restoreFromS3("s3://backups/missing/none.mcbak", metastore);
    assertThat(missing.exit()).isEqualTo(1);
    assertThat(missing.err()).contains("s3://backups/missing/none.mcbak", "no such object");
  }

  @Test
  void largeArchivesGoUpInPartsAndAFailedUploadLeavesNothing() throws IOException {
    S3Settings settings = S3Settings.of(s3.endpoint(), null).withPartSize(S3Settings.MIN_PART_SIZE);
    BackupUri uri = BackupUri.parse("s3://" + BUCKET + "/parts/big.mcbak", tmp);
    byte[] data = new byte[2 * S3Settings.MIN_PART_SIZE + 12345]; // three parts
    new Random(7).nextBytes(data);
    try (BackupStore store = BackupStore.open(uri, settings, s3.env())) {
      try (BackupStore.Upload up = store.create("parts/aborted.mcbak")) {
        up.write(data); // two parts sent, then no commit
      }
      try (BackupStore.Upload up = store.create(uri.key())) {
        for (int off = 0; off < data.length; off += 1000) {
          up.write(data, off, Math.min(1000, data.length - off));
        }
        assertThat(store.exists(uri.key())).isFalse();
        up.commit();
      }
      assertThat(store.list("parts/"))
          .singleElement()
          .satisfies(e -> assertThat(e.size()).isEqualTo(data.length));
      try (InputStream in = store.open(uri.key())) {
        assertThat(in.readAllBytes()).isEqualTo(data);
      }
    }
    assertThat(admin.listMultipartUploads(b -> b.bucket(BUCKET)).uploads()).isEmpty();
  }
}

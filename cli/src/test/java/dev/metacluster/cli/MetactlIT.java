package dev.metacluster.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.metacluster.master.server.LoopbackPorts;
import dev.metacluster.master.server.MasterMain;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Real {@code metactl} commands (through {@link Metactl#commandLine}) against three masters on
 * loopback: output and exit codes, errors included.
 */
class MetactlIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path data;
  private static LocalMasters masters;

  @TempDir Path tmp;

  @BeforeAll
  static void startCluster() {
    // A small delete limit, so that rm -r --in-parts has something to split.
    masters =
        new LocalMasters("cli-it", data, 3, Map.of("rpc.delete.max.entries", "10")).awaitReady();
  }

  @AfterAll
  static void stopCluster() {
    if (masters != null) {
      masters.close();
    }
  }

  /** One command's outcome. */
  record Run(int exit, String out, String err) {
    JsonNode json() throws Exception {
      return JSON.readTree(out);
    }
  }

  /** metactl with --target of the test cluster, no environment. */
  private Run metactl(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.add("--target=" + masters.target());
    return run(Map.of(), all.toArray(String[]::new));
  }

  private Run run(Map<String, String> env, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = Metactl.commandLine(env, tmp);
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    int exit = cli.execute(args);
    return new Run(exit, out.toString(), err.toString());
  }

  private static void assertOk(Run r) {
    assertThat(r.exit()).as("exit code; stderr: %s", r.err()).isZero();
  }

  @Test
  void filesAndDirectoriesRoundTrip() throws Exception {
    assertOk(metactl("fs", "mkdir", "-p", "/it/a/b"));
    assertOk(metactl("fs", "touch", "/it/a/f1", "/it/a/f2"));

    Run ls = metactl("fs", "ls", "/it/a");
    assertOk(ls);
    List<String> lines = ls.out().lines().toList();
    assertThat(lines).hasSize(3);
    assertThat(lines.get(0)).startsWith("drwxr-xr-x ").endsWith(" b");
    assertThat(lines.get(1)).startsWith("-rw-r--r-- ").endsWith(" f1").contains(" 0 ");
    assertThat(lines.get(2)).endsWith(" f2");

    Run json = metactl("fs", "ls", "-o", "json", "/it/a");
    assertOk(json);
    JsonNode entries = json.json();
    assertThat(entries).hasSize(3);
    assertThat(entries.get(1).get("path").asText()).isEqualTo("/it/a/f1");
    assertThat(entries.get(1).get("type").asText()).isEqualTo("file");
    assertThat(entries.get(1).get("completed").asBoolean()).isTrue();
    assertThat(entries.get(0).get("mode").asText()).isEqualTo("0755");

    assertOk(metactl("fs", "mv", "/it/a/f2", "/it/a/b/f2"));
    assertOk(metactl("fs", "chmod", "600", "/it/a/b/f2"));
    assertOk(metactl("fs", "chown", "alice:staff", "/it/a/b/f2"));
    assertOk(metactl("fs", "setxattr", "-n", "user.tag", "-v", "blue", "/it/a/b/f2"));
    assertOk(metactl("fs", "setxattr", "-n", "user.bin", "-v", "0x00ff", "/it/a/b/f2"));

    Run stat = metactl("fs", "stat", "/it/a/b/f2");
    assertOk(stat);
    assertThat(stat.out())
        .contains("path:       /it/a/b/f2")
        .contains("type:       file")
        .contains("mode:       0600 (-rw-------)")
        .contains("owner:      alice")
        .contains("group:      staff")
        .contains("completed:  true")
        .contains("  user.tag=blue")
        .contains("  user.bin=0x00ff");

    Run xattr = metactl("fs", "getxattr", "-n", "user.tag", "/it/a/b/f2");
    assertOk(xattr);
    assertThat(xattr.out()).isEqualTo("user.tag=blue" + System.lineSeparator());
    assertOk(metactl("fs", "setxattr", "-x", "user.tag", "/it/a/b/f2"));
    assertThat(metactl("fs", "getxattr", "-n", "user.tag", "/it/a/b/f2").exit())
        .isEqualTo(ExitCodes.NOT_FOUND);

    Run statJson = metactl("-o", "json", "fs", "stat", "/it/a/b/f2", "--follower-reads");
    assertOk(statJson);
    assertThat(statJson.json().get("owner").asText()).isEqualTo("alice");
    assertThat(statJson.json().get("permission").asText()).isEqualTo("-rw-------");

    assertOk(metactl("fs", "rm", "-r", "/it/a"));
    assertThat(metactl("fs", "ls", "/it").out()).isEmpty();
  }

  @Test
  void aSubtreeOverTheDeleteLimitIsRefusedWholeAndDeletedInParts() throws Exception {
    // 24 entries below /big: more than the limit of 10; /big/flat alone holds 12.
    assertOk(metactl("fs", "mkdir", "-p", "/big/flat", "/big/deep/er"));
    List<String> files = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      files.add("/big/flat/f" + i);
    }
    for (int i = 0; i < 8; i++) {
      files.add("/big/deep/er/g" + i);
    }
    files.add("/big/top");
    List<String> touch = new ArrayList<>(List.of("fs", "touch"));
    touch.addAll(files);
    assertOk(metactl(touch.toArray(String[]::new)));

    Run refused = metactl("fs", "rm", "-r", "/big");
    assertThat(refused.exit()).as(refused.err()).isEqualTo(ExitCodes.PRECONDITION);
    assertThat(refused.err()).contains("rpc.delete.max.entries", "--in-parts");
    assertThat(metactl("fs", "ls", "/big/flat").out().lines()).hasSize(12);
    assertThat(metactl("fs", "rm", "--in-parts", "/big").exit()).isEqualTo(ExitCodes.USAGE);

    assertOk(metactl("fs", "rm", "-r", "--in-parts", "/big"));
    assertThat(metactl("fs", "stat", "/big").exit()).isEqualTo(ExitCodes.NOT_FOUND);
    assertThat(List.of(masters.checksum("m1"), masters.checksum("m2")))
        .as("every member the same")
        .containsOnly(masters.checksum("m0"));
  }

  @Test
  void errorsHaveTheirExitCodesAndOneLine() {
    assertOk(metactl("fs", "mkdir", "-p", "/err/full"));
    assertOk(metactl("fs", "touch", "/err/full/f", "/err/file"));

    Run missing = metactl("fs", "stat", "/err/nope");
    assertThat(missing.exit()).isEqualTo(ExitCodes.NOT_FOUND);
    assertThat(missing.out()).isEmpty();
    assertThat(missing.err().lines()).hasSize(1);
    assertThat(missing.err()).startsWith("metactl fs stat: NOT_FOUND").contains("/err/nope");

    Run exists = metactl("fs", "mkdir", "/err/full");
    assertThat(exists.exit()).as(exists.err()).isEqualTo(ExitCodes.ALREADY_EXISTS);
    assertThat(exists.err()).contains("ALREADY_EXISTS");

    Run notEmpty = metactl("fs", "rm", "/err/full");
    assertThat(notEmpty.exit()).as(notEmpty.err()).isEqualTo(ExitCodes.PRECONDITION);

    Run notADirectory = metactl("fs", "mkdir", "/err/file/sub");
    assertThat(notADirectory.exit()).as(notADirectory.err()).isIn(3, 5);

    Run relative = metactl("fs", "mkdir", "err/relative");
    assertThat(relative.exit()).as(relative.err()).isEqualTo(ExitCodes.USAGE);
    assertThat(relative.err()).contains("INVALID_ARGUMENT").doesNotContain("\tat ");

    assertThat(metactl("fs", "chmod", "9x", "/err/file").exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(metactl("fs", "frobnicate").exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(metactl("fs", "rm", "-f", "/err/nope").exit()).isZero();
  }

  @Test
  void unreachableOrMissingTargetIsAClearError() {
    int port = LoopbackPorts.free();
    Run unreachable =
        run(Map.of(), "fs", "ls", "/", "--target", "127.0.0.1:" + port, "--timeout", "2s");
    assertThat(unreachable.exit()).isEqualTo(ExitCodes.FAILED);
    assertThat(unreachable.err().lines()).hasSize(1);
    assertThat(unreachable.err())
        .startsWith("metactl fs ls: ")
        .contains("127.0.0.1:" + port + " (from --target)")
        .doesNotContain("Exception");

    Run none = run(Map.of(), "fs", "ls", "/");
    assertThat(none.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(none.err()).contains("no cluster to talk to", "METACTL_TARGET", "make run");

    // METACTL_TARGET, then the file `make run` writes, are used when --target is absent
    assertOk(run(Map.of(Targets.ENV_TARGET, masters.target()), "fs", "ls", "/"));
  }

  @Test
  void targetComesFromTheLocalClusterFile() throws Exception {
    Path file = tmp.resolve("run-data/cluster/targets");
    Files.createDirectories(file.getParent());
    Files.writeString(file, masters.target() + "\n");
    Run ls = run(Map.of(Targets.ENV_HOME, tmp.toString()), "fs", "ls", "-d", "/");
    assertOk(ls);
    assertThat(ls.out()).startsWith("drwxr-xr-x ");
  }

  @Test
  void adminInfoSnapshotBackupAndRestore() throws Exception {
    assertOk(metactl("fs", "mkdir", "-p", "/admin/x"));

    Run info = metactl("admin", "info");
    assertOk(info);
    String leader = masters.leader();
    assertThat(info.out()).contains("cluster id:", "term:", "leader:         " + leader);
    assertThat(info.out().lines().filter(l -> l.matches("^\\*? *m[0-2] .*"))).hasSize(3);
    assertThat(info.out().lines().filter(l -> l.startsWith("* ")))
        .singleElement()
        .satisfies(l -> assertThat(l).contains(leader, "leader"));

    JsonNode infoJson = metactl("admin", "info", "-o", "json").json();
    assertThat(infoJson.get("members")).hasSize(3);
    for (JsonNode m : infoJson.get("members")) {
      assertThat(m.get("reachable").asBoolean()).isTrue();
      assertThat(m.get("appliedIndex").asLong()).isPositive();
    }

    Run snapshot = metactl("admin", "snapshot");
    assertOk(snapshot);
    assertThat(snapshot.out()).startsWith("snapshot at index ");

    Path archive = tmp.resolve("backup.mcbak");
    Run backup = metactl("admin", "backup", "--out", archive.toString());
    assertOk(backup);
    assertThat(archive).isNotEmptyFile();
    assertThat(backup.out()).contains("sha256:", "inodes:", "clusterId:", "completedAt:");
    assertThat(tmp.resolve("backup.mcbak.partial")).doesNotExist();
    assertThat(tmp.resolve("backup.mcbak.json")).isNotEmptyFile();
    Run again = metactl("admin", "backup", "--out", archive.toString());
    assertThat(again.exit()).isEqualTo(ExitCodes.ALREADY_EXISTS);
    assertThat(again.err()).contains("--force");
    Run zip = metactl("admin", "backup", "--out", tmp.resolve("backup.zip").toString());
    assertThat(zip.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(zip.err()).contains("must end in .mcbak");

    Path metastore = tmp.resolve("restored/metastore");
    Run restore = restore(archive, metastore);
    assertOk(restore);
    assertThat(restore.out()).startsWith("restored ").contains("for cluster restored");
    Run twice = restore(archive, metastore);
    assertThat(twice.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(twice.err()).contains("not empty");
  }

  @Test
  void backupsToAFileUriKeepTheNewestAndRestoreCheckedAgainstTheSidecar() throws Exception {
    assertOk(metactl("fs", "mkdir", "-p", "/file-uri/x"));
    Path dir = tmp.resolve("kept");
    for (int n = 1; n <= 3; n++) {
      String uri = dir.resolve("b-" + n + ".mcbak").toUri().toString();
      Path result = tmp.resolve("result-" + n);
      Run run =
          metactl(
              "admin", "backup", "--to", uri, "--keep", "2", "--result-file", result.toString());
      assertOk(run);
      JsonNode record = JSON.readTree(Files.readString(result));
      assertThat(record.get("uri").asText()).isEqualTo(uri);
      assertThat(record.get("sizeBytes").asLong())
          .isEqualTo(Files.size(dir.resolve("b-" + n + ".mcbak")));
    }
    try (var files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder("b-2.mcbak", "b-2.mcbak.json", "b-3.mcbak", "b-3.mcbak.json");
    }

    Path good = tmp.resolve("good/metastore");
    Run restored = masterRestore("--from", dir.resolve("b-3.mcbak").toUri().toString(), good);
    assertOk(restored);
    assertThat(good.resolve("db")).isDirectory();

    Path damaged = dir.resolve("b-2.mcbak");
    byte[] bytes = Files.readAllBytes(damaged);
    bytes[bytes.length / 2] ^= 0x5a;
    Files.write(damaged, bytes);
    Path bad = tmp.resolve("bad/metastore");
    Run refused = masterRestore("--from", damaged.toString(), bad);
    assertThat(refused.exit()).isEqualTo(ExitCodes.FAILED);
    assertThat(refused.err()).contains("does not match its sidecar", "nothing restored");
    assertThat(bad).doesNotExist();
  }

  /** {@code master restore} in this JVM. */
  private Run masterRestore(String fromOption, String from, Path metastore) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    StringWriter err = new StringWriter();
    CommandLine cli =
        MasterMain.commandLine(new PrintStream(out, true, StandardCharsets.UTF_8), Map.of());
    cli.setErr(new PrintWriter(err));
    int exit =
        cli.execute(
            "restore",
            fromOption,
            from,
            "--metastore-dir",
            metastore.toString(),
            "--cluster",
            "restored");
    return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString());
  }

  /** The offline restore: no target needed. */
  private Run restore(Path archive, Path metastore) {
    return run(
        Map.of(),
        "admin",
        "restore",
        "--archive",
        archive.toString(),
        "--metastore-dir",
        metastore.toString(),
        "--cluster",
        "restored");
  }

  @Test
  void transferLeadership() throws Exception {
    String before = masters.leader();
    String to = before.equals("m0") ? "m1" : "m0";
    Run transfer = metactl("admin", "transfer-leader", to);
    assertOk(transfer);
    assertThat(transfer.out()).isEqualTo("leader: " + to + System.lineSeparator());
    Run unknown = metactl("admin", "add-member", "bad-form");
    assertThat(unknown.exit()).isEqualTo(ExitCodes.USAGE);
  }
}

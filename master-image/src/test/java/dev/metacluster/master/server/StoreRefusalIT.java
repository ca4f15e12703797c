package dev.metacluster.master.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.metacluster.master.journal.JournalConfig;
import dev.metacluster.master.store.Metastore;
import dev.metacluster.master.store.StoreConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * A master whose metastore volume holds another cluster's data refuses to start and says so in its
 * termination message, which is what the operator reads to replace the member.
 */
class StoreRefusalIT {
  @TempDir Path dir;

  @Test
  void aMasterOnAnotherClustersStoreWritesTheRefusalToItsTerminationMessage() throws Exception {
    Path metastore = dir.resolve("metastore");
    createStore(metastore, "another-cluster");
    assertThat(startServer(metastore))
        .startsWith(TerminationMessage.STORE_REFUSED)
        .contains("belongs to cluster");
  }

  @Test
  void aMasterOnACorruptStoreWritesTheRefusalToItsTerminationMessage() throws Exception {
    Path metastore = dir.resolve("metastore");
    createStore(metastore, "meta");
    try (var files = Files.list(metastore.resolve("db"))) {
      for (Path manifest :
          files.filter(f -> f.getFileName().toString().startsWith("MANIFEST-")).toList()) {
        byte[] garbage = new byte[(int) Files.size(manifest)];
        java.util.Arrays.fill(garbage, (byte) 0x5a);
        Files.write(manifest, garbage);
      }
    }
    assertThat(startServer(metastore))
        .startsWith(TerminationMessage.STORE_REFUSED)
        .containsIgnoringCase("corrupt");
  }

  private static void createStore(Path metastore, String cluster) {
    try (Metastore store =
        new Metastore(
            metastore,
            StoreConfig.defaults(metastore),
            JournalConfig.groupUuid(cluster).toString())) {
      store.open();
    }
  }

  /** Runs {@code server} on {@code metastore}; it must fail; returns its termination message. */
  private String startServer(Path metastore) throws Exception {
    Path log = dir.resolve("termination-log");
    ServerCommand server = new ServerCommand();
    server.env = Map.of(TerminationMessage.ENV_PATH, log.toString());
    StringWriter err = new StringWriter();
    CommandLine cli =
        new CommandLine(new MasterMain())
            .addSubcommand("server", server)
            .setErr(new PrintWriter(err, true))
            .setOut(
                new PrintWriter(
                    new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                    true));
    int raft = LoopbackPorts.free();
    int client = LoopbackPorts.free();
    int code =
        cli.execute(
            "server",
            "--set",
            "cluster.name=meta",
            "--set",
            "member.id=m0",
            "--set",
            "peers=m0=127.0.0.1:" + raft + ":" + client,
            "--set",
            "bind.host=127.0.0.1",
            "--set",
            "http.port=0",
            "--set",
            "journal.dir=" + dir.resolve("journal"),
            "--set",
            "metastore.dir=" + metastore);

    assertThat(code).as(err.toString()).isNotZero();
    return Files.readString(log);
  }
}

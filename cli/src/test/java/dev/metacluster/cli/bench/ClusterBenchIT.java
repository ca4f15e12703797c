package dev.metacluster.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.metacluster.cli.LocalMasters;
import dev.metacluster.cli.Metactl;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code bench --mode cluster}, tiny, against three masters on loopback. Never asserts timing. */
class ClusterBenchIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path data;
  private static LocalMasters masters;

  @TempDir Path tmp;
  private final StringWriter err = new StringWriter();

  @BeforeAll
  static void startCluster() {
    masters = new LocalMasters("bench-it", data, 3).awaitReady();
  }

  @AfterAll
  static void stopCluster() {
    if (masters != null) {
      masters.close();
    }
  }

  private int metactl(String... args) {
    CommandLine cli = Metactl.commandLine(Map.of(), tmp);
    cli.setOut(new PrintWriter(new StringWriter()));
    cli.setErr(new PrintWriter(err));
    return cli.execute(args);
  }

  @Test
  void everyOpRunsOverGrpcWithoutErrors() throws Exception {
    Path json = tmp.resolve("cluster.json");
    for (int run = 0; run < 2; run++) { // a second run does not trip over the first one's files
      int exit =
          metactl(
              "bench",
              "--mode",
              "cluster",
              "--target",
              masters.target(),
              "--threads",
              "4",
              "--files",
              "120",
              "--files-per-dir",
              "50",
              "--json",
              json.toString());
      assertThat(exit).as("stderr: %s", err).isZero();
    }
    List<String> ops = new ArrayList<>();
    for (JsonNode r : JSON.readTree(json.toFile())) {
      String op = r.get("op").asText();
      ops.add(op);
      assertThat(r.get("mode").asText()).isEqualTo("cluster");
      assertThat(r.get("ops").asLong()).as(op).isPositive();
      assertThat(r.get("errors").asLong()).as(op).isZero();
      assertThat(r.get("opsPerSec").asDouble()).as(op).isPositive();
      assertThat(r.has("p50Us") && r.has("p99Us") && r.has("p999Us")).as(op).isTrue();
    }
    assertThat(ops)
        .containsExactly("create", "mkdirs", "getStatus", "listStatus", "rename", "delete");
  }

  @Test
  void connectionsStayOpenWhileAShareReads() throws Exception {
    Path json = tmp.resolve("connections.json");
    int exit =
        metactl(
            "bench",
            "--mode",
            "cluster",
            "--target",
            masters.target(),
            "--connections",
            "30",
            "--active-percent",
            "50",
            "--threads",
            "4",
            "--files",
            "200",
            "--json",
            json.toString());
    assertThat(exit).as("stderr: %s", err).isZero();
    JsonNode results = JSON.readTree(json.toFile());
    assertThat(results).hasSize(2);
    assertThat(results.get(0).get("op").asText()).isEqualTo("connect");
    assertThat(results.get(0).get("ops").asLong()).isEqualTo(30);
    JsonNode reads = results.get(1);
    assertThat(reads.get("op").asText()).isEqualTo("getStatus");
    assertThat(reads.get("ops").asLong()).isEqualTo(200);
    for (JsonNode r : results) {
      assertThat(r.get("errors").asLong()).isZero();
      assertThat(r.get("connections").asInt()).isEqualTo(30);
      assertThat(r.get("activeConnections").asInt()).isEqualTo(15);
      assertThat(r.get("maxFds").asLong()).isPositive();
      assertThat(r.get("openFds").asLong()).isPositive();
    }
  }

  @Test
  void connectionsNeedClusterMode() {
    assertThat(metactl("bench", "--mode", "engine", "--connections", "5")).isEqualTo(2);
  }
}

package dev.metacluster.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.metacluster.cli.Metactl;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class BenchCommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int metactl(String... args) {
    CommandLine cli = Metactl.commandLine();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    return cli.execute(args);
  }

  @Test
  void engineRunsAllSixOpsWithoutErrors() throws Exception {
    Path json = tmp.resolve("bench.json");
    int exit =
        metactl(
            "bench",
            "--mode",
            "engine",
            "--threads",
            "2",
            "--files",
            "200",
            "--files-per-dir",
            "50",
            "--json",
            json.toString());

    assertThat(exit).as("stderr: %s", err).isZero();
    JsonNode results = JSON.readTree(json.toFile());
    assertThat(results.isArray()).isTrue();
    List<String> ops = new ArrayList<>();
    for (JsonNode r : results) {
      String op = r.get("op").asText();
      ops.add(op);
      long expectedOps = op.equals("listStatus") ? 20 : 200; // files/10 listings
      assertThat(r.get("ops").asLong()).as(op).isEqualTo(expectedOps);
      assertThat(r.get("errors").asLong()).as(op).isZero();
      assertThat(r.get("opsPerSec").asDouble()).as(op).isPositive();
      assertThat(r.get("threads").asInt()).isEqualTo(2);
      assertThat(r.get("mode").asText()).isEqualTo("engine");
      assertThat(r.get("files").asLong()).isEqualTo(200);
      assertThat(r.get("filesPerDir").asInt()).isEqualTo(50);
      assertThat(r.has("p50Us") && r.has("p99Us") && r.has("p999Us")).as(op).isTrue();
      assertThat(r.has("firstError")).as(op).isFalse();
    }
    assertThat(ops)
        .containsExactly("create", "mkdirs", "getStatus", "listStatus", "rename", "delete");
    assertThat(out.toString()).contains("ops/s", "p999 µs", "listStatus");
  }

  @Test
  void opsRunInTheirOwnOrderWhateverTheOrderGiven() throws Exception {
    Path json = tmp.resolve("some.json");
    int exit =
        metactl(
            "bench",
            "--op",
            "delete,getStatus",
            "--threads",
            "3",
            "--files",
            "10",
            "--files-per-dir",
            "4",
            "--json",
            json.toString());

    assertThat(exit).as("stderr: %s", err).isZero();
    JsonNode results = JSON.readTree(json.toFile());
    assertThat(results).hasSize(2);
    assertThat(results.get(0).get("op").asText()).isEqualTo("getStatus");
    assertThat(results.get(1).get("op").asText()).isEqualTo("delete");
    assertThat(results.get(1).get("ops").asLong()).isEqualTo(10);
    assertThat(results.get(1).get("errors").asLong()).isZero();
  }

  @Test
  void fillReportsHeapAndDisk() throws Exception {
    Path json = tmp.resolve("fill.json");
    int exit =
        metactl(
            "bench",
            "--mode",
            "engine",
            "--threads",
            "2",
            "--inodes",
            "500",
            "--files-per-dir",
            "50",
            "--json",
            json.toString());

    assertThat(exit).as("stderr: %s", err).isZero();
    JsonNode results = JSON.readTree(json.toFile());
    assertThat(results).hasSize(1);
    JsonNode fill = results.get(0);
    assertThat(fill.get("op").asText()).isEqualTo("fill");
    assertThat(fill.get("ops").asLong()).isEqualTo(500);
    assertThat(fill.get("inodes").asLong()).isEqualTo(510); // 500 files in 10 directories
    assertThat(fill.get("errors").asLong()).isZero();
    assertThat(fill.get("opsPerSec").asDouble()).isPositive();
    assertThat(fill.get("diskBytes").asLong()).isPositive();
    assertThat(fill.get("diskBytesPerInode").asDouble()).isPositive();
    assertThat(fill.get("heapUsedAfterGcBytes").asLong()).isPositive();
    assertThat(fill.get("maxHeapBytes").asLong()).isPositive();
  }

  @Test
  void warmUpRunsEveryOpFirstAndIsNotCounted() throws Exception {
    Path json = tmp.resolve("warm.json");
    int exit =
        metactl(
            "bench",
            "--op",
            "create,mkdirs",
            "--threads",
            "2",
            "--files",
            "30",
            "--files-per-dir",
            "10",
            "--warmup-seconds",
            "1",
            "--json",
            json.toString());

    assertThat(exit).as("stderr: %s", err).isZero();
    Matcher rounds = Pattern.compile("warm-up: ([\\d,]+) rounds").matcher(err.toString());
    assertThat(rounds.find()).as("stderr: %s", err).isTrue();
    assertThat(Long.parseLong(rounds.group(1).replace(",", ""))).isPositive();
    JsonNode results = JSON.readTree(json.toFile());
    assertThat(results).hasSize(2);
    for (JsonNode r : results) {
      assertThat(r.get("ops").asLong()).as(r.get("op").asText()).isEqualTo(30);
      assertThat(r.get("errors").asLong()).isZero();
    }
  }

  @Test
  void negativeWarmUpIsAUsageError() {
    assertThat(metactl("bench", "--warmup-seconds", "-1")).isEqualTo(2);
    assertThat(err.toString()).contains("--warmup-seconds must be at least 0");
  }

  @Test
  void unknownModeIsAUsageError() {
    int exit = metactl("bench", "--mode", "warp", "--files", "10");

    assertThat(exit).isEqualTo(2);
    assertThat(err.toString()).contains("--mode", "engine", "warp");
  }

  @Test
  void unknownOpIsAUsageError() {
    assertThat(metactl("bench", "--op", "create,chmod")).isEqualTo(2);
    assertThat(err.toString()).contains("chmod", "getStatus");
  }

  @Test
  void aDataDirectoryIsKeptAndNotReusedForTheSameOps() {
    Path dir = tmp.resolve("data");
    String[] args = {
      "bench", "--op", "create", "--threads", "2", "--files", "20", "--dir", dir.toString()
    };

    assertThat(metactl(args)).as("stderr: %s", err).isZero();
    assertThat(dir.resolve("CURRENT")).exists();
    assertThat(metactl(args)).isEqualTo(1);
    assertThat(err.toString()).contains("/bench/create already exists");
  }
}

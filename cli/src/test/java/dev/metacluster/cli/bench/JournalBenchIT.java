package dev.metacluster.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.metacluster.cli.Metactl;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The journal-backed bench modes, small, with real Ratis members on loopback. */
class JournalBenchIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;
  private final StringWriter err = new StringWriter();

  private int metactl(String... args) {
    CommandLine cli = Metactl.commandLine();
    cli.setOut(new PrintWriter(new StringWriter()));
    cli.setErr(new PrintWriter(err));
    return cli.execute(args);
  }

  @Test
  void localModeRunsEveryOpThroughTheJournal() throws Exception {
    Path json = tmp.resolve("local.json");
    int exit =
        metactl(
            "bench",
            "--mode",
            "local",
            "--members",
            "3",
            "--threads",
            "4",
            "--files",
            "200",
            "--files-per-dir",
            "50",
            "--json",
            json.toString());
    assertThat(exit).as("stderr: %s", err).isZero();
    JsonNode results = JSON.readTree(json.toFile());
    assertThat(results).hasSize(6);
    for (JsonNode r : results) {
      assertThat(r.get("mode").asText()).isEqualTo("local");
      assertThat(r.get("errors").asLong()).as(r.get("op").asText()).isZero();
      assertThat(r.get("opsPerSec").asDouble()).isPositive();
    }
  }

  @Test
  void failoverModeMeasuresEveryKill() throws Exception {
    Path json = tmp.resolve("failover.json");
    int exit =
        metactl(
            "bench",
            "--mode",
            "failover",
            "--members",
            "3",
            "--kills",
            "2",
            "--threads",
            "2",
            "--json",
            json.toString());
    assertThat(exit).as("stderr: %s", err).isZero();
    JsonNode r = JSON.readTree(json.toFile()).get(0);
    assertThat(r.get("kills").asInt()).isEqualTo(2);
    assertThat(r.get("errors").asLong()).isZero();
    assertThat(r.get("leaderElectedMsP50").asLong()).isPositive();
    assertThat(r.get("writeResumedMsMax").asLong())
        .isGreaterThanOrEqualTo(r.get("writeResumedMsP50").asLong());
    assertThat(r.get("ops").asLong()).isGreaterThan(400);
  }
}

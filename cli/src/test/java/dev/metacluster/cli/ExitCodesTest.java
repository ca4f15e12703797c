package dev.metacluster.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ExitCodesTest {
  @TempDir Path tmp;

  @Test
  void statusCodesMapToDistinctExitCodes() {
    assertThat(ExitCodes.of(Status.Code.NOT_FOUND)).isEqualTo(3);
    assertThat(ExitCodes.of(Status.Code.ALREADY_EXISTS)).isEqualTo(4);
    assertThat(ExitCodes.of(Status.Code.FAILED_PRECONDITION)).isEqualTo(5);
    assertThat(ExitCodes.of(Status.Code.INVALID_ARGUMENT)).isEqualTo(2);
    assertThat(ExitCodes.of(Status.Code.UNAVAILABLE)).isEqualTo(1);
    assertThat(ExitCodes.of(Status.Code.DEADLINE_EXCEEDED)).isEqualTo(1);
    assertThat(ExitCodes.of(Status.Code.RESOURCE_EXHAUSTED)).isEqualTo(1);
    assertThat(ExitCodes.of(Status.Code.DATA_LOSS)).isEqualTo(1);
  }

  private int run(StringWriter out, StringWriter err, String... args) {
    CommandLine cli = Metactl.commandLine(Map.of(), tmp);
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    return cli.execute(args);
  }

  @Test
  void helpListsTheExitCodes() {
    StringWriter out = new StringWriter();
    assertThat(run(out, new StringWriter(), "--help")).isZero();
    assertThat(out.toString())
        .contains("Exit codes:", "not found (NOT_FOUND)", "already exists", "FAILED_PRECONDITION");
  }

  @Test
  void usageErrorsExitTwoWithoutContactingAnyone() {
    StringWriter err = new StringWriter();
    assertThat(run(new StringWriter(), err, "fs", "chmod", "rwx", "/a", "--target", "h:1"))
        .isEqualTo(2);
    assertThat(err.toString()).contains("bad mode 'rwx'");
    assertThat(run(new StringWriter(), new StringWriter(), "fs", "mkdir")).isEqualTo(2);
    assertThat(run(new StringWriter(), new StringWriter(), "fs", "ls", "--timeout", "soon"))
        .isEqualTo(2);
    assertThat(
            run(new StringWriter(), new StringWriter(), "fs", "setxattr", "/a", "--target", "h:1"))
        .isEqualTo(2);
    assertThat(
            run(new StringWriter(), new StringWriter(), "admin", "add-member", "m3=h:1", "-o=json"))
        .isEqualTo(2);
  }

  @Test
  void noTargetIsAUsageErrorSayingWhereItLooked() {
    StringWriter err = new StringWriter();
    assertThat(run(new StringWriter(), err, "fs", "ls", "/")).isEqualTo(2);
    assertThat(err.toString().lines()).hasSize(1);
    assertThat(err.toString())
        .startsWith("metactl fs ls: no cluster to talk to")
        .contains(tmp.resolve("run-data/cluster/targets").toString());
  }

  @Test
  void durations() {
    assertThat(Metactl.parseDuration("500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(Metactl.parseDuration("1.5s")).isEqualTo(Duration.ofMillis(1500));
    assertThat(Metactl.parseDuration("2m")).isEqualTo(Duration.ofMinutes(2));
    assertThat(Metactl.parseDuration("3")).isEqualTo(Duration.ofSeconds(3));
  }
}

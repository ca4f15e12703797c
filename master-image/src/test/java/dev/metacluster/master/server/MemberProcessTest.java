package dev.metacluster.master.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

class MemberProcessTest {
  private static final String PEERS = "m0=127.0.0.1:7001,m1=127.0.0.1:7002,m2=127.0.0.1:7003";

  @TempDir Path dir;

  /** Runs the command line in this JVM; returns the exit code, stderr in {@code err[0]}. */
  private int run(String[] err, String... args) {
    StringWriter errText = new StringWriter();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    CommandLine cli =
        MasterMain.commandLine(new PrintStream(out, true, StandardCharsets.UTF_8))
            .setErr(new PrintWriter(errText, true));
    int code = cli.execute(args);
    err[0] = errText.toString();
    return code;
  }

  private String[] member(String memberId, String peers) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "member",
                "--cluster",
                "test",
                "--member-id",
                memberId,
                "--journal-dir",
                dir.resolve("journal").toString(),
                "--metastore-dir",
                dir.resolve("metastore").toString()));
    args.add("--peers");
    args.add(peers);
    return args.toArray(String[]::new);
  }

  @ParameterizedTest(name = "--peers \"{0}\"")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '"',
      value = {
        "m0                                   | 'm0' is not of the form ID=HOST:PORT",
        "m0=127.0.0.1                         | 'm0=127.0.0.1' has no port",
        "m0=127.0.0.1:http                    | has port 'http', which is not a number",
        "m0=127.0.0.1:0                       | has port 0, outside 1..65535",
        "m0=127.0.0.1:70000                   | has port 70000, outside 1..65535",
        "m0=:7001                             | 'm0=:7001' has no valid host",
        "=127.0.0.1:7001                      | peer id '' is invalid",
        "m 0=127.0.0.1:7001                   | peer id 'm 0' is invalid",
        "m0=127.0.0.1:7001,,m1=127.0.0.1:7002 | empty entry",
        "m0=127.0.0.1:7001,m0=127.0.0.1:7002  | peer id 'm0' appears more than once",
        "m0=127.0.0.1:7001,m1=127.0.0.1:7001  | peers 'm0' and 'm1' have the same address",
        "m0=[::1]:7001                        | IPv6 literals are not supported yet",
      })
  void badPeersAreRefusedWithExitCode2(String peers, String message) {
    String[] err = new String[1];
    assertThat(run(err, member("m0", peers))).as(err[0]).isEqualTo(2);
    assertThat(err[0]).startsWith("Invalid member options: --peers: ").contains(message);
    assertThat(dir.resolve("journal")).as("nothing was created").doesNotExist();
  }

  @Test
  void aMemberIdMissingFromThePeersIsRefused() {
    String[] err = new String[1];
    assertThat(run(err, member("m3", PEERS))).as(err[0]).isEqualTo(2);
    assertThat(err[0])
        .startsWith("Invalid member options: member id 'm3' is not in --peers [m0, m1, m2]");
    assertThat(dir.resolve("journal")).doesNotExist();
    assertThat(dir.resolve("metastore")).doesNotExist();
  }

  @Test
  void anInvalidMemberIdOrClusterNameIsRefused() {
    String[] err = new String[1];
    assertThat(run(err, member("-m0", PEERS))).isEqualTo(2);
    assertThat(run(err, member("m0/", PEERS))).isEqualTo(2);
    assertThat(err[0]).contains("member id 'm0/' is invalid");
    String[] args = member("m0", PEERS);
    args[2] = "my cluster";
    assertThat(run(err, args)).isEqualTo(2);
    assertThat(err[0]).contains("cluster name 'my cluster' is invalid");
  }

  @Test
  void missingOptionsAndSubcommandsAreUsageErrors() {
    String[] err = new String[1];
    assertThat(run(err, "member", "--cluster", "test")).isEqualTo(2);
    assertThat(err[0]).contains("Missing required options");
    assertThat(run(err)).isEqualTo(2);
    assertThat(err[0]).contains("Missing subcommand: server, restore, member or demo");
    String[] badSnapshot = member("m0", PEERS);
    List<String> args = new ArrayList<>(List.of(badSnapshot));
    args.addAll(List.of("--snapshot-threshold", "0"));
    assertThat(run(err, args.toArray(String[]::new))).isEqualTo(2);
    assertThat(err[0]).contains("snapshot threshold");
  }

  @Test
  void peersAreParsedInOrderWithoutResolvingNames() {
    Map<String, InetSocketAddress> peers =
        MemberProcess.parsePeers(" m2=master-2.masters.ns.svc:7001 , m0=127.0.0.1:7003");
    assertThat(peers.keySet()).containsExactly("m2", "m0");
    InetSocketAddress m2 = peers.get("m2");
    assertThat(m2.isUnresolved()).isTrue();
    assertThat(m2.getHostString()).isEqualTo("master-2.masters.ns.svc");
    assertThat(m2.getPort()).isEqualTo(7001);
    assertThatThrownBy(() -> MemberProcess.parsePeers(" "))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no peers given");
  }
}

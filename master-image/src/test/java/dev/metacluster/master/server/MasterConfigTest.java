package dev.metacluster.master.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MasterConfigTest {
  @TempDir Path dir;

  private Path file(String text) throws Exception {
    Path f = dir.resolve("master.properties");
    Files.writeString(f, text);
    return f;
  }

  private static final String MINIMAL =
      """
      cluster.name=prod
      member.id=mdc-1
      peers=mdc-0=mdc-0.mdc-peers.ns.svc,mdc-1=mdc-1.mdc-peers.ns.svc,mdc-2=mdc-2.mdc-peers.ns.svc
      journal.dir=/var/lib/metacluster/journal
      metastore.dir=/var/lib/metacluster/metastore
      """;

  @Test
  void defaultsFillWhatTheFileLeavesOut() throws Exception {
    MasterConfig c = MasterConfig.load(file(MINIMAL), Map.of(), Map.of());
    assertThat(c.journal().clusterName()).isEqualTo("prod");
    assertThat(c.journal().peers()).hasSize(3);
    assertThat(c.raftAddress().getHostString()).isEqualTo("mdc-1.mdc-peers.ns.svc");
    assertThat(c.raftAddress().getPort()).isEqualTo(9860);
    assertThat(c.clientAddress().getPort()).isEqualTo(9870);
    assertThat(c.httpPort()).isEqualTo(9880);
    assertThat(c.bindHost()).isEqualTo("0.0.0.0");
    assertThat(c.journal().electionTimeoutMin()).isEqualTo(Duration.ofMillis(300));
    assertThat(c.journal().logSegmentBytes()).isEqualTo(32L << 20);
    assertThat(c.rpc().maxMessageBytes()).isEqualTo(4 << 20);
    assertThat(c.store().blockCacheBytes()).isEqualTo(64L << 20);
    assertThat(c.journal().join()).isFalse();
  }

  @Test
  void environmentWinsOverTheFileAndOverridesWinOverBoth() throws Exception {
    MasterConfig c =
        MasterConfig.load(
            file(MINIMAL + "raft.election.timeout.max=2s\ncache.inodes=5\n"),
            Map.of(
                "METACLUSTER_MEMBER_ID", "mdc-2",
                "METACLUSTER_CACHE_INODES", "7",
                "METACLUSTER_LOG_LEVEL", "DEBUG"),
            Map.of("cache.inodes", "9"));
    assertThat(c.journal().memberId()).isEqualTo("mdc-2");
    assertThat(c.journal().electionTimeoutMax()).isEqualTo(Duration.ofSeconds(2));
    assertThat(c.store().inodeCacheEntries()).isEqualTo(9);
  }

  @Test
  void explicitPortsPerPeer() throws Exception {
    MasterConfig c =
        MasterConfig.load(
            null,
            Map.of(),
            Map.of(
                "cluster.name", "local",
                "member.id", "m0",
                "peers", "m0=127.0.0.1:7001:8001,m1=127.0.0.1:7002:8002",
                "journal.dir", "j",
                "metastore.dir", "m"));
    assertThat(c.journal().clientAddresses().get("m1").getPort()).isEqualTo(8002);
    assertThat(c.raftAddress().getPort()).isEqualTo(7001);
  }

  @Test
  void everyProblemIsReportedAtOnce() throws Exception {
    Path f =
        file(
            """
            cluster.name=bad name
            peers=m0=host:70000,m1=a,m1=b
            journal.dir=j
            raft.election.timeout.min=1s
            raft.election.timeout.max=500ms
            log.segment.size=lots
            rpc.max.in.flight=0
            cache_inodes=3
            """);
    assertThatThrownBy(() -> MasterConfig.load(f, Map.of(), Map.of()))
        .isInstanceOf(MasterConfig.ConfigException.class)
        .hasMessageContaining("cluster.name 'bad name' is invalid")
        .hasMessageContaining("member.id is required (set it in the file or METACLUSTER_MEMBER_ID)")
        .hasMessageContaining("port 70000, outside 1..65535")
        .hasMessageContaining("appears more than once")
        .hasMessageContaining("metastore.dir is required")
        .hasMessageContaining("raft.election.timeout.min must be below raft.election.timeout.max")
        .hasMessageContaining("log.segment.size must be a size like")
        .hasMessageContaining("rpc.max.in.flight must be in 1..1000000, was 0")
        .hasMessageContaining("unknown key 'cache_inodes' (did you mean 'cache.inodes'?)");
  }

  @Test
  void everyKeyIsDocumented() throws Exception {
    String docs = Files.readString(Path.of("..", "docs", "CONFIGURATION.md"));
    for (ConfigKeys.Key key : ConfigKeys.ALL) {
      assertThat(docs)
          .as("docs/CONFIGURATION.md documents %s", key.name())
          .contains("`" + key.name() + "`");
    }
  }
}

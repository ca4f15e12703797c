package dev.metacluster.operator.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.metacluster.operator.crd.MetadataCluster;
import dev.metacluster.operator.testing.Examples;
import org.junit.jupiter.api.Test;

class MasterConfigTest {
  private final MetadataCluster minimal = Examples.example("minimal", "ns1");

  @Test
  void peersNameEveryMemberByItsHeadlessServiceDnsName() {
    assertThat(MasterConfig.peers(minimal))
        .isEqualTo(
            "meta-0=meta-0.meta-peers.ns1.svc:9860:9870,"
                + "meta-1=meta-1.meta-peers.ns1.svc:9860:9870,"
                + "meta-2=meta-2.meta-peers.ns1.svc:9860:9870");
  }

  @Test
  void propertiesCarryPortsPathsAndTuningButNotTheMemberId() {
    var p = MasterConfig.properties(minimal);
    assertThat(p)
        .containsEntry("cluster.name", "meta")
        .containsEntry("raft.port", "9860")
        .containsEntry("client.port", "9870")
        .containsEntry("http.port", "9880")
        .containsEntry("journal.dir", "/var/lib/metacluster/journal")
        .containsEntry("metastore.dir", "/var/lib/metacluster/metastore")
        .containsEntry("cache.inodes", "1000000")
        .containsEntry("raft.election.timeout.min", "300")
        .containsEntry("raft.election.timeout.max", "600")
        .doesNotContainKey("member.id")
        .doesNotContainKeys("snapshot.threshold", "log.purge.gap");
  }

  @Test
  void snapshotAndPurgeSettingsReachTheMastersOnlyWhenSet() {
    minimal.getSpec().raft.snapshotThreshold = 500L;
    minimal.getSpec().raft.logPurgeGap = 100;
    assertThat(MasterConfig.properties(minimal))
        .containsEntry("snapshot.threshold", "500")
        .containsEntry("log.purge.gap", "100");
  }

  @Test
  void environmentOverrideNamesFollowTheMasterConvention() {
    assertThat(MasterConfig.envOverride("member.id")).isEqualTo("METACLUSTER_MEMBER_ID");
    assertThat(MasterConfig.envOverride("raft.election.timeout.min"))
        .isEqualTo("METACLUSTER_RAFT_ELECTION_TIMEOUT_MIN");
  }

  @Test
  void renderingIsStableSoTheHashOnlyMovesWithTheContent() {
    String a = MasterConfig.render(MasterConfig.properties(minimal));
    String b = MasterConfig.render(MasterConfig.properties(minimal));
    assertThat(a).isEqualTo(b).contains("peers=meta-0=");
    assertThat(MasterConfig.hash(a)).hasSize(16).isEqualTo(MasterConfig.hash(b));
  }
}

package dev.metacluster.master.journal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.metacluster.master.namespace.Commands;
import dev.metacluster.master.store.Metastore;
import dev.metacluster.master.store.StoreConfig;
import java.nio.file.Path;
import org.apache.ratis.client.RaftClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the operator relies on: once a group has formed, every member starts with {@code join} set.
 * A member that restarts with its own journal keeps its place; a member whose volumes were lost
 * comes back empty, is still in the configuration, and catches up from the leader by snapshot.
 */
class JournalRejoinIT {
  @TempDir Path root;

  @Test
  void aMemberRestartedAsAJoinerWithItsOwnLogKeepsItsPlace() throws Exception {
    try (JournalCluster cluster = new JournalCluster("rejoin-own-log", root, 3).startAll();
        RaftClient client = cluster.client()) {
      cluster.awaitLeader();
      writeDirs(client, "/before", 50);
      String member = follower(cluster);
      String storeId = storeId(cluster, member);
      cluster.stop(member);
      startJoiner(cluster, member);
      assertThat(storeId(cluster, member)).as("same volumes, same store").isEqualTo(storeId);
      writeDirs(client, "/after", 50);
      assertSameEverywhere(cluster);
      assertThat(
              cluster
                  .running
                  .get(member)
                  .division()
                  .getRaftConf()
                  .getPeer(org.apache.ratis.protocol.RaftPeerId.valueOf(member)))
          .as("still a voter")
          .isNotNull();
    }
  }

  @Test
  void aJoinerOutsideTheConfigurationReportsItselfAsAListener() throws Exception {
    try (JournalCluster cluster = new JournalCluster("joiner-role", root, 1)) {
      JournalServer joiner = cluster.startJoining("m0");
      ClusterInfo info = new ClusterAdmin(joiner).info();
      assertThat(info.role()).isEqualTo("LISTENER");
      assertThat(info.members()).isEmpty();
    }
  }

  @Test
  void aMemberWhoseVolumesWereLostCatchesUpAsAJoiner() throws Exception {
    try (JournalCluster cluster =
            new JournalCluster("rejoin-lost", root, 3).snapshotEvery(40, 10).startAll();
        RaftClient client = cluster.client()) {
      cluster.awaitLeader();
      String member = follower(cluster);
      writeDirs(client, "/before", 100);
      String storeId = storeId(cluster, member);
      cluster.stop(member);
      Metastore.deleteRecursively(root.resolve(member));
      writeDirs(client, "/while-away", 100);
      startJoiner(cluster, member);
      writeDirs(client, "/after", 20);
      assertSameEverywhere(cluster);
      assertThat(storeId(cluster, member))
          .as("caught up, yet a new store: it lost what it had acknowledged")
          .isNotEqualTo(storeId);
    }
  }

  @Test
  void aMemberWhoseJournalVolumeAloneWasLostGetsANewStoreId() throws Exception {
    try (JournalCluster cluster = new JournalCluster("rejoin-lost-log", root, 3).startAll();
        RaftClient client = cluster.client()) {
      cluster.awaitLeader();
      writeDirs(client, "/before", 50);
      String member = follower(cluster);
      String storeId = storeId(cluster, member);
      cluster.stop(member);
      Metastore.deleteRecursively(root.resolve(member).resolve("journal"));
      startJoiner(cluster, member);
      assertThat(storeId(cluster, member))
          .as("its metastore stayed, but its log of acknowledged entries is gone")
          .isNotEqualTo(storeId);
    }
  }

  private static void writeDirs(RaftClient client, String parent, int count) throws Exception {
    for (int i = 0; i < count; i++) {
      JournalCluster.write(client, Commands.mkdir(parent + "/d" + i, true, "t"));
    }
  }

  private static String storeId(JournalCluster cluster, String member) throws Exception {
    return new ClusterAdmin(cluster.running.get(member)).info().storeId();
  }

  private static String follower(JournalCluster cluster) {
    String leader = cluster.leaderId();
    return cluster.peers.keySet().stream()
        .filter(id -> !id.equals(leader))
        .findFirst()
        .orElseThrow();
  }

  /** Starts {@code member} as the operator does once the group exists: full peers, join=true. */
  private static void startJoiner(JournalCluster cluster, String member) throws Exception {
    JournalServer server =
        new JournalServer(
            cluster.config(member, cluster.peers).joining(),
            StoreConfig.defaults(cluster.root).withCacheEntries(1_000));
    server.start();
    cluster.running.put(member, server);
  }

  private static void assertSameEverywhere(JournalCluster cluster) {
    long index = cluster.awaitLeader().stateMachine().getLastAppliedTermIndex().getIndex();
    cluster.awaitApplied(index);
    String expected = cluster.checksum(cluster.leaderId());
    for (String id : cluster.running.keySet()) {
      assertThat(cluster.checksum(id)).as(id).isEqualTo(expected);
    }
  }
}

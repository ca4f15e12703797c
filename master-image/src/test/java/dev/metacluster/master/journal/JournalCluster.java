package dev.metacluster.master.journal;

import static org.awaitility.Awaitility.await;

import dev.metacluster.master.namespace.NamespaceTree;
import dev.metacluster.master.proto.CommandResult;
import dev.metacluster.master.proto.NamespaceCommand;
import dev.metacluster.master.server.LoopbackPorts;
import dev.metacluster.master.store.StoreConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.util.TimeDuration;

/** Real journal members on loopback ports with real RocksDB, in one JVM, for tests. */
final class JournalCluster implements AutoCloseable {
  final String name;
  final Path root;
  final Map<String, InetSocketAddress> peers = new TreeMap<>();
  final Map<String, JournalServer> running = new LinkedHashMap<>();
  private long snapshotThreshold = JournalConfig.DEFAULT_SNAPSHOT_THRESHOLD;
  private int purgeGap = JournalConfig.DEFAULT_PURGE_GAP;
  private long segmentBytes = JournalConfig.DEFAULT_LOG_SEGMENT_BYTES;
  private Duration electionTimeoutMin = JournalConfig.DEFAULT_ELECTION_TIMEOUT_MIN;
  private Duration electionTimeoutMax = JournalConfig.DEFAULT_ELECTION_TIMEOUT_MAX;

  JournalCluster(String name, Path root, int members) {
    this.name = name;
    this.root = root;
    for (int i = 0; i < members; i++) {
      peers.put("m" + i, new InetSocketAddress("127.0.0.1", LoopbackPorts.free()));
    }
  }

  /** Snapshots every {@code threshold} entries and 64 KiB log segments, so purges happen. */
  JournalCluster snapshotEvery(long threshold, int gap) {
    this.snapshotThreshold = threshold;
    this.purgeGap = gap;
    this.segmentBytes = 64 << 10;
    return this;
  }

  /** Election timeout range for every member started from now on. */
  JournalCluster electionTimeouts(Duration min, Duration max) {
    this.electionTimeoutMin = min;
    this.electionTimeoutMax = max;
    return this;
  }

  JournalConfig config(String member, Map<String, InetSocketAddress> group) {
    return new JournalConfig(
        name,
        member,
        group,
        root.resolve(member).resolve("journal"),
        root.resolve(member).resolve("metastore"),
        electionTimeoutMin,
        electionTimeoutMax,
        JournalConfig.DEFAULT_REQUEST_TIMEOUT,
        snapshotThreshold,
        segmentBytes,
        purgeGap,
        false,
        Map.of());
  }

  JournalCluster startAll() throws IOException {
    for (String member : peers.keySet()) {
      start(member, peers);
    }
    return this;
  }

  JournalServer start(String member, Map<String, InetSocketAddress> group) throws IOException {
    JournalServer server =
        new JournalServer(
            config(member, group), StoreConfig.defaults(root).withCacheEntries(1_000));
    server.start();
    running.put(member, server);
    return server;
  }

  /** Starts a member outside the configuration, to be added with ClusterAdmin.addMembers. */
  JournalServer startJoining(String member) throws IOException {
    JournalServer server =
        new JournalServer(
            config(member, Map.of(member, peers.get(member))).joining(),
            StoreConfig.defaults(root).withCacheEntries(1_000));
    server.start();
    running.put(member, server);
    return server;
  }

  void stop(String member) throws IOException {
    JournalServer server = running.remove(member);
    if (server != null) {
      server.close();
    }
  }

  JournalServer awaitLeader() {
    JournalServer[] leader = new JournalServer[1];
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(20))
        .until(
            () -> {
              for (JournalServer s : running.values()) {
                if (s.isLeaderReady()) {
                  leader[0] = s;
                  return true;
                }
              }
              return false;
            });
    return leader[0];
  }

  String leaderId() {
    JournalServer leader = awaitLeader();
    return leader.config().memberId();
  }

  /** A Raft client to the current group; retries and follows the leader like a real client. */
  RaftClient client() {
    RaftProperties properties = new RaftProperties();
    return RaftClient.newBuilder()
        .setProperties(properties)
        .setRaftGroup(
            JournalServer.group(running.values().iterator().next().config().groupUuid(), peers))
        .setRetryPolicy(
            RetryPolicies.retryUpToMaximumCountWithFixedSleep(
                300, TimeDuration.valueOf(50, TimeUnit.MILLISECONDS)))
        .build();
  }

  static CommandResult write(RaftClient client, NamespaceCommand.Builder command)
      throws IOException {
    if (command.getTimeMs() == 0) {
      command.setTimeMs(1_000);
    }
    RaftClientReply reply = client.io().send(JournalCodec.entry(command.build()));
    if (!reply.isSuccess()) {
      throw reply.getException() != null ? reply.getException() : new IOException("write failed");
    }
    return CommandResult.parseFrom(reply.getMessage().getContent().asReadOnlyByteBuffer());
  }

  /** Waits until every running member has applied {@code index}. */
  void awaitApplied(long index) {
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(20))
        .until(
            () ->
                running.values().stream()
                    .allMatch(s -> s.stateMachine().getLastAppliedTermIndex().getIndex() >= index));
  }

  String checksum(String member) {
    return NamespaceTree.checksum(running.get(member).stateMachine().namespace().store());
  }

  @Override
  public void close() {
    for (JournalServer server : running.values()) {
      try {
        server.close();
      } catch (IOException | RuntimeException e) {
        // keep closing the others
      }
    }
    running.clear();
  }
}

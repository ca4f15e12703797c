package dev.metacluster.master.rpc;

import static org.awaitility.Awaitility.await;

import dev.metacluster.master.namespace.NamespaceTree;
import dev.metacluster.master.server.LoopbackPorts;
import dev.metacluster.master.server.MasterConfig;
import dev.metacluster.master.server.MasterServer;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Real masters (journal, gRPC API, probes) on loopback ports in one JVM, for tests. */
final class MasterCluster implements AutoCloseable {
  final Map<String, MasterServer> servers = new TreeMap<>();
  final Map<String, Integer> clientPorts = new TreeMap<>();
  private final List<ManagedChannel> channels = new ArrayList<>();

  MasterCluster(String name, Path root, int members) throws IOException {
    this(name, root, members, Map.of());
  }

  /** With {@code overrides} added to (or replacing) every member's settings. */
  MasterCluster(String name, Path root, int members, Map<String, String> overrides)
      throws IOException {
    List<String> peers = new ArrayList<>();
    for (int i = 0; i < members; i++) {
      int raft = LoopbackPorts.free();
      int client = LoopbackPorts.free();
      clientPorts.put("m" + i, client);
      peers.add("m" + i + "=127.0.0.1:" + raft + ":" + client);
    }
    for (int i = 0; i < members; i++) {
      String id = "m" + i;
      Map<String, String> settings = new LinkedHashMap<>();
      settings.put("cluster.name", name);
      settings.put("member.id", id);
      settings.put("peers", String.join(",", peers));
      settings.put("bind.host", "127.0.0.1");
      settings.put("http.port", "0");
      settings.put("journal.dir", root.resolve(id).resolve("journal").toString());
      settings.put("metastore.dir", root.resolve(id).resolve("metastore").toString());
      settings.put("cache.inodes", "10000");
      settings.put("cache.edges", "10000");
      // Wider than the 300-600 ms default: a loaded 2-core test machine must not see elections
      // that no test asked for (failover itself is tested with processes and the default).
      settings.put("raft.election.timeout.min", "1s");
      settings.put("raft.election.timeout.max", "2s");
      settings.putAll(overrides);
      MasterServer server = new MasterServer(MasterConfig.load(null, Map.of(), settings));
      servers.put(id, server);
    }
    for (MasterServer server : servers.values()) {
      server.start();
    }
  }

  /** Waits until one member leads and every member is ready; returns the leader's id. */
  String awaitReady() {
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> servers.values().stream().allMatch(s -> s.health().ready().ok()));
    return leader();
  }

  String leader() {
    return servers.entrySet().stream()
        .filter(e -> e.getValue().journal().isLeaderReady())
        .map(Map.Entry::getKey)
        .findFirst()
        .orElseThrow(() -> new AssertionError("no leader"));
  }

  String follower() {
    String leader = leader();
    return servers.keySet().stream().filter(id -> !id.equals(leader)).findFirst().orElseThrow();
  }

  ManagedChannel channel(String member) {
    ManagedChannel channel =
        ManagedChannelBuilder.forAddress("127.0.0.1", clientPorts.get(member))
            .usePlaintext()
            .maxInboundMessageSize(16 << 20)
            .build();
    channels.add(channel);
    return channel;
  }

  /** Waits until every member has applied what the leader has, then returns their checksums. */
  Map<String, String> checksums() {
    long target =
        servers.get(leader()).journal().stateMachine().getLastAppliedTermIndex().getIndex();
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                servers.values().stream()
                    .allMatch(
                        s ->
                            s.journal().stateMachine().getLastAppliedTermIndex().getIndex()
                                >= target));
    Map<String, String> sums = new TreeMap<>();
    servers.forEach(
        (id, s) ->
            sums.put(id, NamespaceTree.checksum(s.journal().stateMachine().namespace().store())));
    return sums;
  }

  @Override
  public void close() {
    channels.forEach(ManagedChannel::shutdownNow);
    servers.values().forEach(MasterServer::close);
  }
}

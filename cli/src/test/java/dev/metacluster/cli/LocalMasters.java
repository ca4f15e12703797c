package dev.metacluster.cli;

import static org.awaitility.Awaitility.await;

import dev.metacluster.master.namespace.NamespaceTree;
import dev.metacluster.master.server.LoopbackPorts;
import dev.metacluster.master.server.MasterConfig;
import dev.metacluster.master.server.MasterServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Real masters (journal, gRPC API) on loopback ports in this JVM, for the CLI's integration tests
 * (the idea of master-image's test MasterCluster; test classes are not shared across modules).
 */
public final class LocalMasters implements AutoCloseable {
  private final Map<String, MasterServer> servers = new TreeMap<>();
  private final List<String> clientAddresses = new ArrayList<>();

  public LocalMasters(String name, Path root, int members) {
    this(name, root, members, Map.of());
  }

  /** With {@code overrides} added to (or replacing) every member's settings. */
  public LocalMasters(String name, Path root, int members, Map<String, String> overrides) {
    List<String> peers = new ArrayList<>();
    for (int i = 0; i < members; i++) {
      int raft = LoopbackPorts.free();
      int client = LoopbackPorts.free();
      clientAddresses.add("127.0.0.1:" + client);
      peers.add("m" + i + "=127.0.0.1:" + raft + ":" + client);
    }
    try {
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
        settings.putAll(overrides);
        servers.put(id, new MasterServer(MasterConfig.load(null, Map.of(), settings)));
      }
      for (MasterServer server : servers.values()) {
        server.start();
      }
    } catch (Exception e) {
      close();
      throw new IllegalStateException("cannot start the masters: " + e, e);
    }
  }

  /** What --target takes: every member's client address. */
  public String target() {
    return String.join(",", clientAddresses);
  }

  /** Waits until one member leads and every member is ready; returns this. */
  public LocalMasters awaitReady() {
    await()
        .atMost(Duration.ofSeconds(90))
        .until(() -> servers.values().stream().allMatch(s -> s.health().ready().ok()));
    return this;
  }

  /** The id of the member that leads now. */
  public String leader() {
    return servers.entrySet().stream()
        .filter(e -> e.getValue().journal().isLeaderReady())
        .map(Map.Entry::getKey)
        .findFirst()
        .orElseThrow(() -> new AssertionError("no leader"));
  }

  /** The namespace checksum of member {@code id}, once it has applied all the leader has. */
  public String checksum(String id) {
    long index =
        servers.get(leader()).journal().stateMachine().getLastAppliedTermIndex().getIndex();
    MasterServer server = servers.get(id);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> server.journal().stateMachine().getLastAppliedTermIndex().getIndex() >= index);
    return NamespaceTree.checksum(server.journal().stateMachine().namespace().store());
  }

  @Override
  public void close() {
    servers.values().forEach(MasterServer::close);
  }
}

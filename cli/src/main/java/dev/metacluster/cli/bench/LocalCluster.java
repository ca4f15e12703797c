package dev.metacluster.cli.bench;

import dev.metacluster.master.journal.JournalConfig;
import dev.metacluster.master.journal.JournalServer;
import dev.metacluster.master.server.LoopbackPorts;
import dev.metacluster.master.store.StoreConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.locks.LockSupport;

/**
 * Journal members in this process, each with its own loopback port and directories under one root:
 * what {@code --mode local} measures against ({@code --mode failover} uses {@link ProcessCluster}).
 */
final class LocalCluster implements AutoCloseable {
  private final Path root;
  private final StoreConfig storeConfig;
  private final Map<String, InetSocketAddress> peers = new TreeMap<>();
  private final Map<String, JournalServer> running = new java.util.concurrent.ConcurrentHashMap<>();

  LocalCluster(Path root, int members, StoreConfig storeConfig) throws IOException {
    this.root = root;
    this.storeConfig = storeConfig;
    for (int i = 0; i < members; i++) {
      peers.put("m" + i, new InetSocketAddress("127.0.0.1", LoopbackPorts.free()));
    }
  }

  LocalCluster startAll() throws IOException {
    for (String member : peers.keySet()) {
      start(member);
    }
    return this;
  }

  void start(String member) throws IOException {
    JournalConfig config =
        JournalConfig.defaults(
            "bench",
            member,
            peers,
            root.resolve(member).resolve("journal"),
            root.resolve(member).resolve("metastore"));
    JournalServer server = new JournalServer(config, storeConfig);
    server.start();
    running.put(member, server);
  }

  /** The ready leader, or null when there is none right now. */
  JournalServer leaderOrNull() {
    for (JournalServer s : running.values()) {
      if (s.isLeaderReady()) {
        return s;
      }
    }
    return null;
  }

  /** Waits up to {@code timeoutMs} for a ready leader. */
  JournalServer awaitLeader(long timeoutMs) {
    long deadline = System.nanoTime() + timeoutMs * 1_000_000;
    while (System.nanoTime() < deadline) {
      JournalServer leader = leaderOrNull();
      if (leader != null) {
        return leader;
      }
      // Poll every 0.2 ms: the measurement's resolution, cheap next to an election.
      LockSupport.parkNanos(200_000);
    }
    throw new IllegalStateException("no leader within " + timeoutMs + " ms");
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

package dev.metacluster.master.server;

import dev.metacluster.master.journal.Addresses;
import dev.metacluster.master.journal.ClusterAdmin;
import dev.metacluster.master.journal.JournalConfig;
import dev.metacluster.master.journal.JournalServer;
import dev.metacluster.master.store.StoreConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.ratis.statemachine.SnapshotInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One journal member as a process: starts the {@link JournalServer}, serves until the JVM shuts
 * down (SIGTERM), then hands leadership to the most advanced follower (best effort, bounded) and
 * closes the server cleanly.
 */
public final class MemberProcess implements AutoCloseable {
  /** How long a shutting-down leader tries to hand its leadership over before it just stops. */
  public static final Duration TRANSFER_TIMEOUT = Duration.ofSeconds(3);

  private static final Logger LOG = LoggerFactory.getLogger(MemberProcess.class);

  private final JournalServer server;
  private final AtomicBoolean closing = new AtomicBoolean();
  private final CountDownLatch closed = new CountDownLatch(1);

  public MemberProcess(JournalConfig config, StoreConfig storeConfig) throws IOException {
    this.server = new JournalServer(config, storeConfig);
  }

  /**
   * Runs a member until the JVM shuts down: starts it, registers the shutdown hook that stops it,
   * and blocks until that hook has finished.
   */
  public static void run(JournalConfig config, StoreConfig storeConfig)
      throws IOException, InterruptedException {
    MemberProcess member = new MemberProcess(config, storeConfig);
    member.start();
    Runtime.getRuntime().addShutdownHook(new Thread(member::close, "member-shutdown"));
    member.closed.await();
  }

  public void start() throws IOException {
    try {
      server.start();
    } catch (IOException | RuntimeException e) {
      close();
      throw e;
    }
    JournalConfig config = server.config();
    SnapshotInfo snapshot = server.stateMachine().getLatestSnapshot();
    LOG.info(
        "member {} of cluster {} serving on {} (peers {}; applied index {}, latest snapshot {})",
        config.memberId(),
        config.clusterName(),
        address(config.peers().get(config.memberId())),
        config.peers().keySet().stream().sorted().toList(),
        server.stateMachine().getLastAppliedTermIndex().getIndex(),
        snapshot == null ? "none" : snapshot.getIndex());
  }

  public JournalServer server() {
    return server;
  }

  /**
   * Stops the member: if it leads, leadership goes first to the follower with the highest commit
   * index (at most {@link #TRANSFER_TIMEOUT}; on failure the others elect a leader themselves).
   * Safe to call more than once and from several threads; every call returns once it is closed.
   */
  @Override
  public void close() {
    if (!closing.compareAndSet(false, true)) {
      awaitClosedUninterruptibly();
      return;
    }
    String self = server.config().memberId();
    try {
      handOffLeadership();
      LOG.info("member {}: stopping", self);
      server.close();
      LOG.info("member {}: stopped", self);
    } catch (IOException | RuntimeException e) {
      LOG.error("member {}: error while stopping: {}", self, e.toString(), e);
    } finally {
      closed.countDown();
    }
  }

  /**
   * If this member leads, hands leadership to the follower with the highest commit index among
   * those that answered within an election timeout, waiting at most {@link #TRANSFER_TIMEOUT}. Best
   * effort: returns the new leader, or empty if there was nothing to do or it failed.
   */
  Optional<String> handOffLeadership() {
    String self = server.config().memberId();
    if (!server.isLeader()) {
      return Optional.empty();
    }
    try {
      ClusterAdmin admin = new ClusterAdmin(server);
      Optional<String> target = admin.successor(server.config().electionTimeoutMax());
      if (target.isEmpty()) {
        LOG.info("member {}: leader shutting down with no responsive follower to hand to", self);
        return Optional.empty();
      }
      LOG.info(
          "member {}: leader shutting down, transferring leadership to {}", self, target.get());
      long start = System.nanoTime();
      admin.transferLeadership(target.get(), TRANSFER_TIMEOUT);
      LOG.info(
          "member {}: leadership transferred to {} in {} ms",
          self,
          target.get(),
          (System.nanoTime() - start) / 1_000_000);
      return target;
    } catch (IOException | RuntimeException e) {
      LOG.warn(
          "member {}: leadership transfer failed, stopping anyway (the others will elect): {}",
          self,
          e.toString());
      return Optional.empty();
    }
  }

  private void awaitClosedUninterruptibly() {
    boolean interrupted = false;
    while (true) {
      try {
        closed.await();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Parses {@code ID=HOST:PORT[,ID=HOST:PORT...]}, keeping the given order.
   *
   * @throws IllegalArgumentException with a message naming the offending entry
   */
  public static Map<String, InetSocketAddress> parsePeers(String spec) {
    if (spec == null || spec.isBlank()) {
      throw new IllegalArgumentException("no peers given; expected ID=HOST:PORT[,ID=HOST:PORT...]");
    }
    Map<String, InetSocketAddress> peers = new LinkedHashMap<>();
    Map<String, String> addresses = new LinkedHashMap<>();
    for (String raw : spec.split(",", -1)) {
      String entry = raw.strip();
      if (entry.isEmpty()) {
        throw new IllegalArgumentException(
            "empty entry in '" + spec + "'; expected ID=HOST:PORT[,ID=HOST:PORT...]");
      }
      int eq = entry.indexOf('=');
      if (eq < 0) {
        throw new IllegalArgumentException("'" + entry + "' is not of the form ID=HOST:PORT");
      }
      String id = entry.substring(0, eq).strip();
      checkId("peer id", id);
      InetSocketAddress address = Addresses.parse("'" + entry + "'", entry.substring(eq + 1));
      if (peers.put(id, address) != null) {
        throw new IllegalArgumentException("peer id '" + id + "' appears more than once");
      }
      String other = addresses.put(address(address), id);
      if (other != null) {
        throw new IllegalArgumentException(
            "peers '" + other + "' and '" + id + "' have the same address " + address(address));
      }
    }
    return peers;
  }

  public static void checkId(String what, String id) {
    Addresses.checkId(what, id);
  }

  private static String address(InetSocketAddress a) {
    return a.getHostString() + ":" + a.getPort();
  }
}

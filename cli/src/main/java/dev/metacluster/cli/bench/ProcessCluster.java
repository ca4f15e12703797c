package dev.metacluster.cli.bench;

import dev.metacluster.master.journal.JournalConfig;
import dev.metacluster.master.journal.JournalServer;
import dev.metacluster.master.server.LoopbackPorts;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.proto.RaftProtos.CommitInfoProto;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.protocol.GroupInfoReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.retry.RetryPolicies;

/**
 * Master processes on loopback, one per member ({@code master server}, the same main class the
 * image runs), with directories under one root: what {@code --mode failover} kills with SIGKILL.
 * Each process is started from this process's own class path and killed by pid when the cluster
 * closes.
 */
final class ProcessCluster implements AutoCloseable {
  private static final String CLUSTER = "bench";

  private final Path root;
  private final Map<String, InetSocketAddress> peers = new TreeMap<>();
  private final Map<String, Integer> clientPorts = new TreeMap<>();
  private final Map<String, Integer> httpPorts = new TreeMap<>();
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final Map<String, Process> running = new ConcurrentHashMap<>();
  private final RaftGroup group;
  // Asks members for their role (Ratis group info), one attempt per question.
  private final RaftClient admin;
  // Ctrl-C or SIGTERM of the benchmark takes the members with it.
  private final Thread killAllOnExit = new Thread(this::killAll, "kill-members");

  ProcessCluster(Path root, int members) {
    this.root = root;
    for (int i = 0; i < members; i++) {
      String id = "m" + i;
      peers.put(id, new InetSocketAddress("127.0.0.1", LoopbackPorts.free()));
      clientPorts.put(id, LoopbackPorts.free());
      httpPorts.put(id, LoopbackPorts.free());
    }
    this.group = JournalServer.group(JournalConfig.groupUuid(CLUSTER), peers);
    this.admin =
        RaftClient.newBuilder()
            .setProperties(new RaftProperties())
            .setRaftGroup(group)
            .setRetryPolicy(RetryPolicies.noRetry())
            .build();
    Runtime.getRuntime().addShutdownHook(killAllOnExit);
  }

  ProcessCluster startAll() throws IOException {
    for (String member : peers.keySet()) {
      start(member);
    }
    return this;
  }

  /** Starts {@code member}'s process on its directories (new, or as the killed one left them). */
  void start(String member) throws IOException {
    Path dir = root.resolve(member);
    Files.createDirectories(dir);
    Path config = dir.resolve("master.properties");
    Files.writeString(
        config,
        String.join(
            "\n",
            "cluster.name=" + CLUSTER,
            "member.id=" + member,
            "peers=" + peerList(),
            "bind.host=127.0.0.1",
            "http.port=" + httpPorts.get(member),
            "journal.dir=" + dir.resolve("journal"),
            "metastore.dir=" + dir.resolve("metastore"),
            ""));
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add("dev.metacluster.master.server.MasterMain");
    command.add("server");
    command.add("--config");
    command.add(config.toString());
    Process process =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("master.log").toFile()))
            .start();
    running.put(member, process);
  }

  private String peerList() {
    List<String> list = new ArrayList<>();
    peers.forEach(
        (id, raft) -> list.add(id + "=127.0.0.1:" + raft.getPort() + ":" + clientPorts.get(id)));
    return String.join(",", list);
  }

  /** SIGKILL: the member stops at once, mid-write, without handing leadership over. */
  void kill(String member) throws InterruptedException {
    Process process = running.remove(member);
    if (process != null) {
      process.destroyForcibly();
      process.waitFor(30, TimeUnit.SECONDS);
    }
  }

  /** The member that says it leads, or empty (asks every running member once). */
  Optional<String> leader() {
    for (String member : List.copyOf(running.keySet())) {
      if (role(member).orElse(null) == RaftPeerRole.LEADER) {
        return Optional.of(member);
      }
    }
    return Optional.empty();
  }

  /** What {@code member} says it is, or empty when it does not answer. */
  Optional<RaftPeerRole> role(String member) {
    try {
      GroupInfoReply reply =
          admin.getGroupManagementApi(RaftPeerId.valueOf(member)).info(group.getGroupId());
      return reply.isSuccess() ? Optional.of(reply.getRoleInfoProto().getRole()) : Optional.empty();
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /** Waits up to {@code timeoutMs} for a leader other than {@code former} (null: any). */
  String awaitLeader(String former, long timeoutMs) {
    long deadline = System.nanoTime() + timeoutMs * 1_000_000;
    while (System.nanoTime() < deadline) {
      Optional<String> leader = leader();
      if (leader.isPresent() && !leader.get().equals(former)) {
        return leader.get();
      }
      // A group-info round trip per member per poll: about a millisecond on loopback.
      LockSupport.parkNanos(1_000_000);
    }
    throw new IllegalStateException(
        "no "
            + (former == null ? "" : "new ")
            + "leader within "
            + timeoutMs
            + " ms; logs in "
            + root);
  }

  /**
   * Waits up to {@code timeoutMs} until {@code member}'s {@code /readyz} probe says ready, as
   * Kubernetes (and the operator's rolling restart) would: a voter that follows a live leader and
   * has applied what it knows to be committed. A restarted member replays the log since its last
   * flush first; killing the leader before that ends can elect it, and writes then wait for its
   * replay (seen: 2-3 s).
   */
  void awaitReady(String member, long timeoutMs) throws InterruptedException {
    URI readyz = URI.create("http://127.0.0.1:" + httpPorts.get(member) + "/readyz");
    long deadline = System.nanoTime() + timeoutMs * 1_000_000;
    while (System.nanoTime() < deadline) {
      Process process = running.get(member);
      if (process == null || !process.isAlive()) {
        throw new IllegalStateException(
            member + " exited; its log: " + root.resolve(member).resolve("master.log"));
      }
      try {
        HttpResponse<Void> response =
            http.send(
                HttpRequest.newBuilder(readyz).timeout(Duration.ofSeconds(2)).build(),
                HttpResponse.BodyHandlers.discarding());
        if (response.statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      }
      LockSupport.parkNanos(10_000_000);
    }
    throw new IllegalStateException(member + " was not ready within " + timeoutMs + " ms");
  }

  /**
   * Waits up to {@code timeoutMs} until the leader reports {@code member}'s commit index within
   * {@code maxLag} entries of its own. A member that only answers as a follower may still be
   * receiving a snapshot: killing the leader then leaves one voter with a current log, and the
   * election waits for the other (seen: 3-5 s elections).
   */
  void awaitCaughtUp(String member, long maxLag, long timeoutMs) {
    long deadline = System.nanoTime() + timeoutMs * 1_000_000;
    while (System.nanoTime() < deadline) {
      Optional<String> leader = leader();
      if (leader.isPresent() && lag(leader.get(), member) <= maxLag) {
        return;
      }
      LockSupport.parkNanos(10_000_000);
    }
    throw new IllegalStateException(member + " did not catch up within " + timeoutMs + " ms");
  }

  /** How far {@code member}'s commit index is behind {@code leader}'s, as the leader sees it. */
  private long lag(String leader, String member) {
    try {
      GroupInfoReply reply =
          admin.getGroupManagementApi(RaftPeerId.valueOf(leader)).info(group.getGroupId());
      long own = -1;
      long theirs = -1;
      for (CommitInfoProto info : reply.getCommitInfos()) {
        String id = info.getServer().getId().toStringUtf8();
        if (id.equals(leader)) {
          own = info.getCommitIndex();
        } else if (id.equals(member)) {
          theirs = info.getCommitIndex();
        }
      }
      return own < 0 || theirs < 0 ? Long.MAX_VALUE : own - theirs;
    } catch (IOException | RuntimeException e) {
      return Long.MAX_VALUE;
    }
  }

  /** The members' client API addresses, as {@code MetadataClient} takes them. */
  String clientTargets() {
    List<String> targets = new ArrayList<>();
    clientPorts.values().forEach(port -> targets.add("127.0.0.1:" + port));
    return String.join(",", targets);
  }

  private void killAll() {
    for (String member : List.copyOf(running.keySet())) {
      try {
        kill(member);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public void close() throws IOException {
    killAll();
    admin.close();
    try {
      Runtime.getRuntime().removeShutdownHook(killAllOnExit);
    } catch (IllegalStateException exiting) {
      // the hook is running or has run
    }
  }
}

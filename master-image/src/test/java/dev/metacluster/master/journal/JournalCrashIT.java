package dev.metacluster.master.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.metacluster.master.namespace.Commands;
import dev.metacluster.master.namespace.NamespaceTree;
import dev.metacluster.master.proto.CommandResult;
import dev.metacluster.master.proto.ReadReply;
import dev.metacluster.master.proto.ReadRequest;
import dev.metacluster.master.server.LoopbackPorts;
import dev.metacluster.master.server.MasterMain;
import dev.metacluster.master.store.RocksInodeStore;
import dev.metacluster.master.store.StoreConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.protocol.GroupInfoReply;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.retry.RetryPolicy;
import org.apache.ratis.util.TimeDuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crash test with real processes: three journal members ({@code MasterMain member}) under a write
 * load from this JVM, SIGKILLed and restarted one at a time (leader and follower), then stopped
 * with SIGTERM and restarted all together. Every acknowledged create must be on every member, all
 * members must hold the same tree, and no tree may be half-applied.
 *
 * <p>Restarts resume from the metastore, not from the start of the log: before each restart the
 * test reads the stopped member's metastore offline (its applied index is where the state machine
 * resumes, and it is never behind the member's latest snapshot), and before the whole-cluster
 * restart every member holds a snapshot and a log purged up to it, so replaying from the first
 * entry is impossible; the final checks show nothing was lost that way.
 *
 * <p>Cluster state (leader, applied and commit index) comes from Ratis group info, never from logs.
 *
 * <p>Member output goes to {@code <member>/member.log} under the temp dir, which is kept when the
 * test fails; the tail of each log is printed on failure.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS) // a hard guard; a run takes about a minute
class JournalCrashIT {
  private static final String CLUSTER = "crash";
  private static final int WRITERS = 4;
  private static final long SNAPSHOT_THRESHOLD = 500;
  private static final int PURGE_GAP = 100;
  private static final Duration STEP = Duration.ofSeconds(45);
  private static final Pattern LOG_SEGMENT =
      Pattern.compile("log_(?:inprogress_)?(\\d+)(?:-\\d+)?");
  private static final Pattern SNAPSHOT = Pattern.compile("snapshot\\.\\d+_(\\d+)");

  /** What the kill loop does, in order: kill the leader or a follower with SIGKILL. */
  private enum Victim {
    LEADER,
    FOLLOWER
  }

  private static final List<Victim> KILLS =
      List.of(Victim.LEADER, Victim.FOLLOWER, Victim.LEADER, Victim.FOLLOWER, Victim.LEADER);

  @TempDir(cleanup = CleanupMode.ON_SUCCESS)
  Path dir;

  private final Map<String, Member> members = new TreeMap<>();
  private final List<Process> processes = new ArrayList<>(); // every process started, for cleanup
  private final List<String> events = new ArrayList<>();
  private final long startNanos = System.nanoTime();
  private RaftGroup group;
  private RaftClient statusClient;

  /** One member: its address, its volumes, and the process currently running it (if any). */
  private static final class Member {
    final String id;
    final InetSocketAddress address;
    final Path journal;
    final Path metastore;
    final Path log;
    Process process;
    int starts;

    Member(String id, InetSocketAddress address, Path home) {
      this.id = id;
      this.address = address;
      this.journal = home.resolve("journal");
      this.metastore = home.resolve("metastore");
      this.log = home.resolve("member.log");
    }

    boolean running() {
      return process != null && process.isAlive();
    }
  }

  /** A member's view of itself, from Ratis group info. */
  private record Status(RaftPeerRole role, long applied, long committed, long snapshot) {}

  /** What a stopped member holds on disk. */
  private record DiskState(long appliedIndex, long snapshotIndex, long logStart) {}

  @Test
  void acknowledgedWritesSurviveKilledMembersAndAWholeClusterRestart() throws Exception {
    Thread cleanupHook = new Thread(this::killAll, "crash-it-cleanup");
    Runtime.getRuntime().addShutdownHook(cleanupHook);
    Load load = null;
    try {
      for (int i = 0; i < 3; i++) {
        String id = "m" + i;
        InetSocketAddress address = new InetSocketAddress("127.0.0.1", LoopbackPorts.free());
        members.put(id, new Member(id, address, dir.resolve(id)));
      }
      Map<String, InetSocketAddress> peers = new TreeMap<>();
      members.values().forEach(m -> peers.put(m.id, m.address));
      group =
          JournalServer.group(
              JournalConfig.defaults(CLUSTER, "m0", peers, dir, dir).groupUuid(), peers);
      statusClient = client(RetryPolicies.noRetry(), Duration.ofSeconds(1));

      members.values().forEach(this::start);
      String leader = awaitLeader();
      event("cluster up, leader " + leader);

      load = new Load(WRITERS);
      load.awaitAcknowledged(200);
      String previous = null;
      for (Victim victim : KILLS) {
        leader = awaitLeader();
        String target;
        if (victim == Victim.LEADER) {
          target = leader;
        } else {
          // A follower, preferably not the member that came back last (spread the kills).
          String current = leader;
          String last = previous;
          target =
              members.keySet().stream()
                  .filter(id -> !id.equals(current))
                  .min((a, b) -> Boolean.compare(a.equals(last), b.equals(last)))
                  .orElseThrow();
        }
        previous = target;
        Member m = members.get(target);
        long before = load.acknowledged.size();
        kill(m);
        event("SIGKILL " + victim.name().toLowerCase() + " " + target + " at " + before + " acks");
        // The two survivors keep serving (a new leader first if the leader died).
        load.awaitAcknowledged(before + 200);
        DiskState disk = diskState(m);
        // RocksDB runs without its WAL under the journal: on disk is what was last flushed (at
        // the latest, the last snapshot), possibly nothing yet; the journal replays the rest.
        assertThat(disk.appliedIndex()).as("%s metastore after SIGKILL", target).isNotNegative();
        if (disk.snapshotIndex() > 0) {
          assertThat(disk.appliedIndex())
              .as("%s metastore is not behind its snapshot", target)
              .isGreaterThanOrEqualTo(disk.snapshotIndex());
        }
        start(m);
        event(
            "restart "
                + target
                + " from applied index "
                + disk.appliedIndex()
                + " (snapshot "
                + disk.snapshotIndex()
                + ", log starts at "
                + disk.logStart()
                + ")");
        awaitCaughtUp(m);
        event(target + " caught up");
      }
      load.awaitAcknowledged(load.acknowledged.size() + 200);
      load.stop();
      event(load.summary());

      long converged = awaitConverged();
      event("all members applied " + converged);
      stopAll();
      for (Member m : members.values()) {
        DiskState disk = diskState(m);
        event(m.id + " stopped with " + disk);
        assertThat(disk.appliedIndex())
            .as("%s applied index", m.id)
            .isGreaterThanOrEqualTo(converged);
        // A snapshot exists and the log before it is gone: a restart cannot replay from the start,
        // it must resume from the metastore (and the final check proves it lost nothing).
        assertThat(disk.snapshotIndex()).as("%s has a snapshot", m.id).isPositive();
        assertThat(disk.logStart()).as("%s log was purged up to a snapshot", m.id).isPositive();
      }

      // Whole-cluster restart.
      members.values().forEach(this::start);
      leader = awaitLeader();
      event("whole cluster restarted, leader " + leader);
      String marker = "/crash/after-restart";
      try (RaftClient client = client(writeRetries(), Duration.ofSeconds(3))) {
        CommandResult created =
            JournalCluster.write(client, Commands.createFile(marker, true, "t"));
        assertThat(created.hasInode()).as("write after restart: %s", created).isTrue();
        List<String> sample = new ArrayList<>(load.acknowledged);
        Collections.shuffle(sample, new Random(42));
        for (String path : sample.subList(0, Math.min(200, sample.size()))) {
          RaftClientReply reply =
              client
                  .io()
                  .sendReadOnly(
                      JournalCodec.message(ReadRequest.newBuilder().setExists(path).build()));
          assertThat(reply.isSuccess()).as("read %s: %s", path, reply).isTrue();
          ReadReply read =
              ReadReply.parseFrom(reply.getMessage().getContent().asReadOnlyByteBuffer());
          assertThat(read.getExists()).as("%s after the restart", path).isTrue();
        }
      }
      long last = awaitConverged();
      event("after the restart all members applied " + last);
      stopAll();

      Set<String> expected = new HashSet<>(load.acknowledged);
      expected.add(marker);
      Map<String, String> checksums = new TreeMap<>();
      for (Member m : members.values()) {
        try (RocksInodeStore store =
            new RocksInodeStore(StoreConfig.defaults(m.metastore.resolve("db")), true)) {
          assertThat(NamespaceTree.verify(store)).as("%s tree invariants", m.id).isEmpty();
          Set<String> paths = new HashSet<>();
          NamespaceTree.walk(store, (path, inode) -> paths.add(path));
          Set<String> missing = new HashSet<>(expected);
          missing.removeAll(paths);
          assertThat(missing).as("acknowledged paths missing on %s", m.id).isEmpty();
          checksums.put(m.id, NamespaceTree.checksum(store));
          event(m.id + ": " + paths.size() + " paths, applied " + store.appliedIndex());
        }
      }
      assertThat(Set.copyOf(checksums.values())).as("checksums %s", checksums).hasSize(1);
      event(
          String.format(
              "done: %d SIGKILLs (%d of the leader), %d process starts",
              KILLS.size(),
              KILLS.stream().filter(v -> v == Victim.LEADER).count(),
              members.values().stream().mapToInt(m -> m.starts).sum()));
      printReport(null);
    } catch (Throwable t) {
      if (load != null) {
        load.stop();
      }
      printReport(t);
      throw t;
    } finally {
      if (load != null) {
        load.stop();
      }
      if (statusClient != null) {
        statusClient.close();
      }
      killAll();
      Runtime.getRuntime().removeShutdownHook(cleanupHook);
    }
  }

  // ---- processes ----

  private void start(Member m) {
    try {
      Files.createDirectories(m.log.getParent());
      m.starts++;
      Files.writeString(
          m.log,
          "=== test: start #" + m.starts + " of " + m.id + " at " + Instant.now() + "\n",
          StandardCharsets.UTF_8,
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
      List<String> command =
          List.of(
              Path.of(System.getProperty("java.home"), "bin", "java").toString(),
              "-Xmx256m",
              "-XX:+UseSerialGC",
              "-XX:TieredStopAtLevel=1",
              "-cp",
              System.getProperty("java.class.path"),
              MasterMain.class.getName(),
              "member",
              "--cluster",
              CLUSTER,
              "--member-id",
              m.id,
              "--peers",
              members.values().stream()
                  .map(p -> p.id + "=127.0.0.1:" + p.address.getPort())
                  .collect(Collectors.joining(",")),
              "--journal-dir",
              m.journal.toString(),
              "--metastore-dir",
              m.metastore.toString(),
              "--cache-entries",
              "10000",
              "--snapshot-threshold",
              "" + SNAPSHOT_THRESHOLD,
              "--purge-gap",
              "" + PURGE_GAP,
              "--log-segment-bytes",
              "" + (64 << 10));
      Process process =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(m.log.toFile()))
              .start();
      synchronized (processes) {
        processes.add(process);
      }
      m.process = process;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** SIGKILL: no shutdown hook, no flush, no goodbye. */
  private void kill(Member m) throws InterruptedException {
    m.process.destroyForcibly();
    assertThat(m.process.waitFor(10, TimeUnit.SECONDS)).as("%s died", m.id).isTrue();
  }

  /** SIGTERM to every member, the leader first (it hands leadership over before it stops). */
  private void stopAll() throws InterruptedException {
    String leader = leader().orElse(null);
    List<Member> order = new ArrayList<>();
    if (leader != null) {
      order.add(members.get(leader));
    }
    members.values().stream().filter(m -> !m.id.equals(leader)).forEach(order::add);
    for (Member m : order) {
      long start = System.nanoTime();
      m.process.destroy();
      assertThat(m.process.waitFor(30, TimeUnit.SECONDS))
          .as("%s stopped on SIGTERM", m.id)
          .isTrue();
      event(
          "SIGTERM "
              + m.id
              + (m.id.equals(leader) ? " (leader)" : "")
              + ": exit "
              + m.process.exitValue()
              + " after "
              + (System.nanoTime() - start) / 1_000_000
              + " ms");
      // 143 = 128 + SIGTERM: the JVM went through its shutdown hooks, nothing crashed.
      assertThat(m.process.exitValue()).as("%s exit code", m.id).isEqualTo(143);
    }
  }

  private void killAll() {
    List<Process> all;
    synchronized (processes) {
      all = List.copyOf(processes);
    }
    for (Process p : all) {
      if (p.isAlive()) {
        p.destroyForcibly();
      }
    }
    for (Process p : all) {
      try {
        p.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  // ---- cluster state through Ratis ----

  private RaftClient client(RetryPolicy retry, Duration rpcTimeout) {
    RaftProperties properties = new RaftProperties();
    RaftClientConfigKeys.Rpc.setRequestTimeout(
        properties, TimeDuration.valueOf(rpcTimeout.toMillis(), TimeUnit.MILLISECONDS));
    return RaftClient.newBuilder()
        .setProperties(properties)
        .setRaftGroup(group)
        .setRetryPolicy(retry)
        .build();
  }

  private static RetryPolicy writeRetries() {
    return RetryPolicies.retryUpToMaximumCountWithFixedSleep(
        200, TimeDuration.valueOf(50, TimeUnit.MILLISECONDS));
  }

  private Optional<Status> status(Member m) {
    if (!m.running()) {
      return Optional.empty();
    }
    try {
      GroupInfoReply reply =
          statusClient.getGroupManagementApi(RaftPeerId.valueOf(m.id)).info(group.getGroupId());
      var log = reply.getLogInfoProto();
      return Optional.of(
          new Status(
              reply.getRoleInfoProto().getRole(),
              log.getApplied().getIndex(),
              log.getCommitted().getIndex(),
              log.getLastSnapshot().getIndex()));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  private Optional<String> leader() {
    return members.values().stream()
        .filter(m -> status(m).map(s -> s.role() == RaftPeerRole.LEADER).orElse(false))
        .map(m -> m.id)
        .findFirst();
  }

  private String awaitLeader() {
    String[] leader = new String[1];
    await()
        .atMost(STEP)
        .pollInterval(Duration.ofMillis(100))
        .until(
            () -> {
              leader[0] = leader().orElse(null);
              return leader[0] != null;
            });
    return leader[0];
  }

  /** Waits until {@code m} has applied what the leader had committed when it came back. */
  private void awaitCaughtUp(Member m) {
    long[] target = {-1};
    await()
        .atMost(STEP)
        .pollInterval(Duration.ofMillis(100))
        .until(
            () -> {
              if (target[0] < 0) {
                target[0] =
                    leader()
                        .flatMap(id -> status(members.get(id)))
                        .map(Status::committed)
                        .orElse(-1L);
                return false;
              }
              return status(m).map(s -> s.applied() >= target[0]).orElse(false);
            });
  }

  /** Waits until every member has applied the same index, the leader's commit index. */
  private long awaitConverged() {
    long[] index = {-1};
    await()
        .atMost(STEP)
        .pollInterval(Duration.ofMillis(100))
        .until(
            () -> {
              List<Status> all = new ArrayList<>();
              for (Member m : members.values()) {
                Optional<Status> s = status(m);
                if (s.isEmpty()) {
                  return false;
                }
                all.add(s.get());
              }
              long applied = all.get(0).applied();
              boolean same =
                  all.stream().allMatch(s -> s.applied() == applied && s.committed() == applied);
              index[0] = applied;
              return same;
            });
    return index[0];
  }

  // ---- what is on disk ----

  private static DiskState diskState(Member m) throws IOException {
    long applied;
    try (RocksInodeStore store =
        new RocksInodeStore(StoreConfig.defaults(m.metastore.resolve("db")), true)) {
      applied = store.appliedIndex();
    }
    return new DiskState(
        applied,
        indexIn(m.metastore.resolve("snapshots"), SNAPSHOT, true),
        indexIn(m.journal, LOG_SEGMENT, false));
  }

  /**
   * The largest (or smallest) index in the names of the files under {@code root} matching {@code
   * name}, or -1 if none: the latest snapshot, the first entry of the Raft log.
   */
  private static long indexIn(Path root, Pattern name, boolean largest) throws IOException {
    if (!Files.exists(root)) {
      return -1;
    }
    try (Stream<Path> files = Files.walk(root)) {
      return files
          .map(p -> name.matcher(p.getFileName().toString()))
          .filter(Matcher::matches)
          .mapToLong(mt -> Long.parseLong(mt.group(1)))
          .reduce(largest ? Math::max : Math::min)
          .orElse(-1);
    }
  }

  // ---- the load ----

  /** Writer threads creating distinct files; a path counts only once a reply says created. */
  private final class Load {
    final ConcurrentLinkedQueue<String> acknowledged = new ConcurrentLinkedQueue<>();
    final AtomicLong failed = new AtomicLong();
    final Map<String, AtomicLong> refused = new ConcurrentHashMap<>();
    final AtomicBoolean stopping = new AtomicBoolean();
    final List<Thread> threads = new ArrayList<>();

    Load(int writers) {
      for (int w = 0; w < writers; w++) {
        int writer = w;
        Thread t = new Thread(() -> write(writer), "crash-writer-" + w);
        t.setDaemon(true);
        threads.add(t);
        t.start();
      }
    }

    private void write(int writer) {
      try (RaftClient client = client(writeRetries(), Duration.ofSeconds(3))) {
        for (int i = 0; !stopping.get(); i++) {
          String path = String.format("/crash/w%d/d%03d/f%06d", writer, i / 1000, i);
          try {
            CommandResult r = JournalCluster.write(client, Commands.createFile(path, true, "t"));
            if (r.hasInode()) {
              acknowledged.add(path);
            } else {
              refused
                  .computeIfAbsent(r.getError().getCode().name(), k -> new AtomicLong())
                  .incrementAndGet();
            }
          } catch (IOException | RuntimeException e) {
            failed.incrementAndGet();
          }
        }
      } catch (IOException e) {
        failed.incrementAndGet();
      }
    }

    void awaitAcknowledged(long count) {
      await()
          .atMost(STEP)
          .pollInterval(Duration.ofMillis(50))
          .until(() -> acknowledged.size() >= count);
    }

    void stop() throws InterruptedException {
      stopping.set(true);
      for (Thread t : threads) {
        t.join(TimeUnit.SECONDS.toMillis(30));
      }
    }

    String summary() {
      return "load stopped: "
          + acknowledged.size()
          + " acknowledged, "
          + failed.get()
          + " failed, refused "
          + refused;
    }
  }

  // ---- reporting ----

  private void event(String what) {
    String line =
        String.format("[crash-it +%6.1fs] %s", (System.nanoTime() - startNanos) / 1e9, what);
    events.add(line);
    System.out.println(line);
  }

  private void printReport(Throwable failure) {
    StringBuilder report = new StringBuilder("\n==== JournalCrashIT ");
    report.append(failure == null ? "passed" : "FAILED: " + failure).append('\n');
    if (failure != null) {
      events.forEach(e -> report.append(e).append('\n'));
    }
    for (Member m : members.values()) {
      List<String> lines;
      try {
        lines = Files.exists(m.log) ? Files.readAllLines(m.log) : List.of();
      } catch (IOException e) {
        lines = List.of("(cannot read " + m.log + ": " + e + ")");
      }
      report.append(String.format("---- %s: %d starts, log %s%n", m.id, m.starts, m.log));
      // Our own life-cycle lines, then how often each kind of warning or error appeared.
      lines.stream()
          .filter(l -> l.contains("MemberProcess") || l.startsWith("=== test"))
          .forEach(l -> report.append("  ").append(l).append('\n'));
      Map<String, Long> kinds =
          lines.stream()
              .filter(l -> l.contains(" WARN ") || l.contains(" ERROR "))
              .map(JournalCrashIT::kind)
              .collect(Collectors.groupingBy(k -> k, TreeMap::new, Collectors.counting()));
      kinds.forEach((k, n) -> report.append(String.format("  %5d x %s%n", n, k)));
      // Errors in full, with the first lines of their stack trace.
      for (int i = 0; i < lines.size(); i++) {
        if (lines.get(i).contains(" ERROR ")) {
          lines
              .subList(i, Math.min(lines.size(), i + 4))
              .forEach(l -> report.append("  ! ").append(l).append('\n'));
        }
      }
      if (failure != null) {
        report.append("  tail:\n");
        lines
            .subList(Math.max(0, lines.size() - 40), lines.size())
            .forEach(l -> report.append("  | ").append(l).append('\n'));
      }
    }
    System.out.println(report);
  }

  /** A log line without its time, thread, numbers and details: "WARN logger - message shape". */
  private static String kind(String line) {
    String s = line.replaceFirst("^\\S+ +", "").replaceFirst("\\[[^]]*] ", "");
    s = s.replaceAll("[0-9]+", "#");
    return s.length() > 150 ? s.substring(0, 150) : s;
  }
}

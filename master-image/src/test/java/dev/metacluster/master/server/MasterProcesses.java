package dev.metacluster.master.server;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Master processes started the way the image starts them: the image layout (launcher {@code
 * bin/master}, {@code master/master-image.jar}, {@code master/lib/}) assembled from the build
 * output, one process per member with its own config file, on loopback. Every process is killed by
 * {@link #close()}.
 */
public final class MasterProcesses implements AutoCloseable {
  /** One member: its ports, files and current process. */
  public static final class Member {
    public final String id;
    public final int raftPort;
    public final int clientPort;
    public final int httpPort;
    final Path dir;
    Process process;

    Member(String id, Path dir) {
      this.id = id;
      this.dir = dir;
      this.raftPort = LoopbackPorts.free();
      this.clientPort = LoopbackPorts.free();
      this.httpPort = LoopbackPorts.free();
    }

    public String clientAddress() {
      return "127.0.0.1:" + clientPort;
    }

    public Process process() {
      return process;
    }
  }

  private final Path root;
  private final Path image;
  private final Map<String, Member> members = new LinkedHashMap<>();
  private final List<Process> started = new ArrayList<>();
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  public MasterProcesses(String cluster, Path root, int count) throws IOException {
    this.root = root;
    this.image = imageLayout(root.resolve("image"));
    for (int i = 0; i < count; i++) {
      String id = "m" + i;
      members.put(id, new Member(id, root.resolve(id)));
    }
    String peers =
        String.join(
            ",",
            members.values().stream()
                .map(m -> m.id + "=127.0.0.1:" + m.raftPort + ":" + m.clientPort)
                .toList());
    for (Member m : members.values()) {
      Files.createDirectories(m.dir);
      Files.writeString(
          m.dir.resolve("master.properties"),
          String.join(
              "\n",
              "cluster.name=" + cluster,
              "member.id=" + m.id,
              "peers=" + peers,
              "bind.host=127.0.0.1",
              "http.port=" + m.httpPort,
              "journal.dir=" + m.dir.resolve("journal"),
              "metastore.dir=" + m.dir.resolve("metastore"),
              "cache.inodes=20000",
              "cache.edges=20000",
              // Wider than the default: on a loaded 2-core machine JVM stalls must not cause
              // elections no test asked for (a kill still fails over in a few seconds).
              "raft.election.timeout.min=1s",
              "raft.election.timeout.max=2s",
              ""));
    }
  }

  /** The image's file layout from the build output: what master-image/Dockerfile copies. */
  static Path imageLayout(Path image) throws IOException {
    Path target = Path.of("target").toAbsolutePath();
    Path jar;
    try (Stream<Path> jars = Files.list(target)) {
      jar =
          jars.filter(p -> p.getFileName().toString().matches("master-image-.*\\.jar"))
              .filter(p -> !p.getFileName().toString().contains("-sources"))
              .findFirst()
              .orElseThrow(() -> new IllegalStateException("no master jar in " + target));
    }
    Files.createDirectories(image.resolve("bin"));
    Files.createDirectories(image.resolve("master"));
    Files.copy(jar, image.resolve("master/master-image.jar"), StandardCopyOption.REPLACE_EXISTING);
    Path lib = image.resolve("master/lib");
    if (!Files.exists(lib)) {
      Files.createSymbolicLink(lib, target.resolve("lib"));
    }
    Path launcher = image.resolve("bin/master");
    Files.copy(
        Path.of("..", "bin", "master").toAbsolutePath(),
        launcher,
        StandardCopyOption.REPLACE_EXISTING);
    launcher.toFile().setExecutable(true);
    return image;
  }

  public Map<String, Member> members() {
    return members;
  }

  public Member member(String id) {
    return members.get(id);
  }

  public List<String> clientAddresses() {
    return members.values().stream().map(Member::clientAddress).toList();
  }

  public void start(String id) throws IOException {
    Member m = members.get(id);
    ProcessBuilder pb =
        new ProcessBuilder(
                image.resolve("bin/master").toString(),
                "server",
                "--config",
                m.dir.resolve("master.properties").toString())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(m.dir.resolve("master.log").toFile()));
    pb.environment().put("JAVA_OPTS", "-Xmx256m -XX:+UseSerialGC");
    m.process = pb.start();
    synchronized (started) {
      started.add(m.process);
    }
  }

  public MasterProcesses startAll() throws IOException {
    for (String id : members.keySet()) {
      start(id);
    }
    return this;
  }

  /** HTTP status of a member's probe, or -1 when it does not answer. */
  public int probe(String id, String path) {
    try {
      return http.send(
              HttpRequest.newBuilder(
                      URI.create("http://127.0.0.1:" + members.get(id).httpPort + path))
                  .timeout(Duration.ofSeconds(2))
                  .build(),
              HttpResponse.BodyHandlers.discarding())
          .statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  /** Waits until every running member answers /readyz with 200. */
  public void awaitReady(Duration timeout) {
    await()
        .atMost(timeout)
        .pollInterval(Duration.ofMillis(200))
        .until(
            () ->
                members.values().stream()
                    .filter(m -> m.process != null && m.process.isAlive())
                    .allMatch(m -> probe(m.id, "/readyz") == 200));
  }

  /** SIGKILL: no shutdown hook, no goodbye. */
  public void kill(String id) throws InterruptedException {
    Process p = members.get(id).process;
    p.destroyForcibly();
    p.waitFor(10, TimeUnit.SECONDS);
  }

  /** SIGTERM; returns the exit code (the master hands leadership over first). */
  public int terminate(String id) throws InterruptedException {
    Process p = members.get(id).process;
    p.destroy();
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      p.waitFor(10, TimeUnit.SECONDS);
      return -1;
    }
    return p.exitValue();
  }

  public String log(String id) {
    try {
      return Files.readString(members.get(id).dir.resolve("master.log"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public Path root() {
    return root;
  }

  @Override
  public void close() {
    synchronized (started) {
      for (Process p : started) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
      }
      for (Process p : started) {
        try {
          p.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }
}

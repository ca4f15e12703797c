package dev.metacluster.cli;

import static org.awaitility.Awaitility.await;

import dev.metacluster.master.backup.S3Settings;
import dev.metacluster.master.server.LoopbackPorts;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A real S3-compatible server for the backup ITs: S3Proxy with its filesystem backend (objects are
 * plain files under {@link #objectFile}), run from the jar the build copies into target/, as its
 * own process on a loopback port; {@link #close()} kills it by pid. Also the end-to-end suite's S3
 * server (through this module's test jar).
 */
public final class S3Proxy implements AutoCloseable {
  static final String ACCESS_KEY = "it-access-key";
  static final String SECRET_KEY = "it-secret-key";

  private final Process process;
  private final int port;
  private final Path data;

  private S3Proxy(Process process, int port, Path data) {
    this.process = process;
    this.port = port;
    this.data = data;
  }

  public static S3Proxy start(Path dir) throws IOException {
    Path jar = Path.of(System.getProperty("s3proxy.jar", "target/s3proxy/s3proxy.jar"));
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(jar + " is missing: run the ITs through mvn verify");
    }
    int port = LoopbackPorts.free();
    Path data = Files.createDirectories(dir.resolve("objects"));
    Path properties = dir.resolve("s3proxy.properties");
    Files.write(
        properties,
        List.of(
            "s3proxy.endpoint=http://127.0.0.1:" + port,
            "s3proxy.authorization=aws-v2-or-v4",
            "s3proxy.identity=" + ACCESS_KEY,
            "s3proxy.credential=" + SECRET_KEY,
            "jclouds.provider=filesystem",
            "jclouds.filesystem.basedir=" + data));
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process process =
        new ProcessBuilder(
                java.toString(),
                "-Xmx256m",
                "-XX:TieredStopAtLevel=1",
                "-jar",
                jar.toString(),
                "--properties",
                properties.toString())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("s3proxy.log").toFile())
            .start();
    S3Proxy proxy = new S3Proxy(process, port, data);
    try {
      await()
          .atMost(Duration.ofSeconds(90))
          .pollInterval(Duration.ofMillis(200))
          .until(
              () -> {
                if (!process.isAlive()) {
                  throw new IllegalStateException(
                      "S3Proxy exited: " + Files.readString(dir.resolve("s3proxy.log")));
                }
                return listening(port);
              });
    } catch (RuntimeException e) {
      proxy.close();
      throw e;
    }
    return proxy;
  }

  private static boolean listening(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  public String endpoint() {
    return "http://127.0.0.1:" + port;
  }

  /** The credentials, as the environment metactl and master read them from. */
  public Map<String, String> env() {
    return Map.of("AWS_ACCESS_KEY_ID", ACCESS_KEY, "AWS_SECRET_ACCESS_KEY", SECRET_KEY);
  }

  /** A client of this server (close it). */
  S3Client client() throws IOException {
    return S3Settings.of(endpoint(), null).client(env());
  }

  /** The file that holds an object's bytes (the filesystem backend's layout). */
  public Path objectFile(String bucket, String key) {
    return data.resolve(bucket).resolve(key);
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}

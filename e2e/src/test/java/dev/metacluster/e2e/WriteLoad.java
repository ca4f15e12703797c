package dev.metacluster.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.metacluster.api.client.MetadataClient;
import dev.metacluster.api.client.MetadataException;
import dev.metacluster.api.fs.v1.FileStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * Clients creating files under one directory through a {@link MetadataClient}, as long as it runs:
 * what every scenario "under a write load" drives. It keeps what a user could check afterwards: the
 * paths whose create was acknowledged, when each acknowledgement came, and every failure the client
 * surfaced (after its own retries).
 */
final class WriteLoad implements AutoCloseable {
  private final MetadataClient client;
  private final String dir;
  private final Set<String> acked = ConcurrentHashMap.newKeySet();
  private final ConcurrentLinkedQueue<Long> ackNanos = new ConcurrentLinkedQueue<>();
  private final List<String> failures = Collections.synchronizedList(new ArrayList<>());
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final AtomicInteger done = new AtomicInteger();
  private final ExecutorService pool;
  private final List<Future<?>> writers = new ArrayList<>();

  /** Creates {@code dir} and starts {@code writers} threads creating files in it. */
  WriteLoad(MetadataClient client, String dir, int writers) {
    this.client = client;
    this.dir = dir;
    client.createDirectory(dir, true);
    this.pool = Executors.newFixedThreadPool(writers);
    for (int w = 0; w < writers; w++) {
      int writer = w;
      this.writers.add(pool.submit(() -> write(writer)));
    }
  }

  private void write(int writer) {
    for (int i = 0; running.get(); i++) {
      String path = dir + "/w" + writer + "-" + i;
      try {
        client.createFile(path, false);
        ackNanos.add(System.nanoTime());
        acked.add(path);
        done.incrementAndGet();
      } catch (MetadataException e) {
        failures.add(path + ": " + e.code() + " " + e.getMessage());
      }
    }
  }

  /** Acknowledged creates so far. */
  int done() {
    return done.get();
  }

  /** Waits until {@code more} creates beyond now are acknowledged. */
  void awaitProgress(int more, Duration timeout) {
    int target = done.get() + more;
    await().atMost(timeout).until(() -> done.get() >= target);
  }

  /** The paths whose create was acknowledged so far. */
  Set<String> acknowledged() {
    return Set.copyOf(acked);
  }

  /** Nanos of the first acknowledgement after {@code nanos}; fails if there is none. */
  long firstAckAfter(long nanos) {
    return ackNanos.stream().filter(t -> t > nanos).min(Long::compare).orElseThrow();
  }

  /** The longest time without an acknowledged create between {@code from} and now, in seconds. */
  double longestGapSeconds(long from) {
    List<Long> times = new ArrayList<>(ackNanos.stream().filter(t -> t >= from).sorted().toList());
    times.add(0, from);
    times.add(System.nanoTime());
    long gap = 0;
    for (int i = 1; i < times.size(); i++) {
      gap = Math.max(gap, times.get(i) - times.get(i - 1));
    }
    return gap / 1e9;
  }

  /**
   * Stops the writers, then checks what a user would: no create failed (the client retried through
   * every fault), and the directory holds exactly the acknowledged files, none lost and none extra.
   */
  void stopAndVerify() throws Exception {
    running.set(false);
    for (Future<?> f : writers) {
      f.get(60, TimeUnit.SECONDS);
    }
    assertThat(failures).as("creates that failed").isEmpty();
    Set<String> listed =
        client.listStatus(dir).map(FileStatus::getPath).collect(Collectors.toSet());
    assertThat(listed).as("files in " + dir).containsAll(acked).hasSameSizeAs(acked);
  }

  @Override
  public void close() {
    running.set(false);
    pool.shutdownNow();
  }
}

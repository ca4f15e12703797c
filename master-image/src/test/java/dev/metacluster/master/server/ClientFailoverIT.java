package dev.metacluster.master.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.metacluster.api.client.MetadataClient;
import dev.metacluster.api.client.MetadataException;
import dev.metacluster.api.fs.v1.FileStatus;
import io.grpc.Status;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The leader process is killed (SIGKILL) while clients write: the clients carry on against the new
 * leader with no manual step, every acknowledged write is there, and no write applied twice (a
 * retried create that had already applied would come back ALREADY_EXISTS).
 */
class ClientFailoverIT {
  @TempDir Path root;
  MasterProcesses cluster;

  @AfterEach
  void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void clientsFollowTheNewLeaderAndNothingAppliesTwice() throws Exception {
    cluster = new MasterProcesses("failover-it", root, 3).startAll();
    cluster.awaitReady(Duration.ofSeconds(90));
    int writers = 4;
    try (MetadataClient client =
        MetadataClient.builder()
            .addresses(cluster.clientAddresses())
            .callTimeout(Duration.ofSeconds(30))
            .build()) {
      client.createDirectory("/load", false);
      Set<String> acked = ConcurrentHashMap.newKeySet();
      List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
      AtomicBoolean running = new AtomicBoolean(true);
      AtomicInteger done = new AtomicInteger();
      ExecutorService pool = Executors.newFixedThreadPool(writers);
      List<Future<?>> futures = new ArrayList<>();
      for (int w = 0; w < writers; w++) {
        int writer = w;
        futures.add(
            pool.submit(
                () -> {
                  for (int i = 0; running.get(); i++) {
                    String path = "/load/w" + writer + "-" + i;
                    try {
                      client.createFile(path, false);
                      acked.add(path);
                      done.incrementAndGet();
                    } catch (MetadataException e) {
                      // Only a write whose outcome is unknown may fail here; never a duplicate.
                      failures.add(path + ": " + e.code() + " " + e.getMessage());
                    }
                  }
                }));
      }
      await().atMost(Duration.ofSeconds(60)).until(() -> done.get() >= 200);
      String leader = client.clusterInfo().getLeaderId();
      int before = done.get();
      cluster.kill(leader);
      // Writes resume on the new leader without anyone telling the client.
      await().atMost(Duration.ofSeconds(60)).until(() -> done.get() >= before + 300);
      running.set(false);
      for (Future<?> f : futures) {
        f.get(60, TimeUnit.SECONDS);
      }
      pool.shutdown();

      assertThat(failures)
          .as("no write failed or applied twice across the failover")
          .noneMatch(f -> f.contains(Status.Code.ALREADY_EXISTS.name()));
      assertThat(failures).as("writes that failed outright").isEmpty();
      String newLeader = client.clusterInfo().getLeaderId();
      assertThat(newLeader).isNotEqualTo(leader).isNotEmpty();
      Set<String> listed =
          client.listStatus("/load").map(FileStatus::getPath).collect(Collectors.toSet());
      assertThat(listed).containsAll(acked);
      // Every file in the directory was acknowledged, or was the one in-flight write per writer
      // when the load stopped (none: each writer finishes its call before checking the flag).
      assertThat(listed).hasSameSizeAs(acked);

      // The killed member comes back and catches up.
      cluster.start(leader);
      cluster.awaitReady(Duration.ofSeconds(90));
      Map<String, Long> applied = new java.util.TreeMap<>();
      await()
          .atMost(Duration.ofSeconds(60))
          .ignoreExceptions()
          .until(
              () -> {
                long target = client.clusterInfo().getCommitIndex();
                for (String id : cluster.members().keySet()) {
                  applied.put(
                      id, client.clusterInfo(cluster.member(id).clientAddress()).getAppliedIndex());
                }
                return applied.values().stream().allMatch(a -> a >= target);
              });
    }
  }
}

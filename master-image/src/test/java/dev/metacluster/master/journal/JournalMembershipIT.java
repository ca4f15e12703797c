package dev.metacluster.master.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.metacluster.master.namespace.Commands;
import dev.metacluster.master.proto.CommandResult;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.protocol.exceptions.LeaderSteppingDownException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Membership 1 -> 3 -> 5 -> 3 -> 1 under a write load, removing the leader on the way down. */
class JournalMembershipIT {
  @TempDir Path dir;

  @Test
  void growAndShrinkUnderLoadLosesNoAcknowledgedWrite() throws Exception {
    try (JournalCluster cluster = new JournalCluster("membership", dir, 5)) {
      cluster.start("m0", Map.of("m0", cluster.peers.get("m0")));
      ConcurrentLinkedQueue<String> acknowledged = new ConcurrentLinkedQueue<>();
      List<String> failures = new ArrayList<>();
      AtomicBoolean stop = new AtomicBoolean();
      try (RaftClient client = cluster.client()) {
        Thread writer =
            new Thread(
                () -> {
                  for (int i = 0; !stop.get(); i++) {
                    String path = "/m/f" + i;
                    try {
                      CommandResult r =
                          JournalCluster.write(client, Commands.createFile(path, true, "u"));
                      if (r.hasInode()) {
                        acknowledged.add(path);
                      } else {
                        synchronized (failures) {
                          failures.add(path + ": " + r.getError());
                        }
                      }
                    } catch (Exception e) {
                      // Leadership moving away is retryable: the write is simply not acknowledged.
                      if (!(e.getCause() instanceof LeaderSteppingDownException)
                          && !(e instanceof LeaderSteppingDownException)) {
                        synchronized (failures) {
                          failures.add(path + ": " + e);
                        }
                      }
                    }
                  }
                });
        writer.start();
        awaitProgress(acknowledged, 50);

        grow(cluster, "m1", "m2");
        awaitProgress(acknowledged, 50);
        grow(cluster, "m3", "m4");
        awaitProgress(acknowledged, 50);

        String leader = cluster.leaderId();
        String other =
            cluster.running.keySet().stream()
                .filter(m -> !m.equals(leader))
                .findFirst()
                .orElseThrow();
        shrink(cluster, Set.of(leader, other)); // the leader goes: leadership moves first
        awaitProgress(acknowledged, 50);
        List<String> left = new ArrayList<>(cluster.running.keySet());
        shrink(cluster, Set.of(left.get(0), left.get(1)));
        awaitProgress(acknowledged, 50);

        stop.set(true);
        writer.join(60_000);
      }
      assertThat(cluster.running).hasSize(1);
      JournalServer last = cluster.running.values().iterator().next();
      ClusterInfo info = new ClusterAdmin(last).info();
      assertThat(info.members())
          .extracting(ClusterInfo.Member::id)
          .containsExactly(last.config().memberId());
      for (String path : List.copyOf(acknowledged)) {
        assertThat(last.stateMachine().namespace().exists(path)).as(path).isTrue();
      }
      // Apart from leadership moving (retryable), every write succeeded: no refusal, no loss.
      assertThat(failures).isEmpty();
    }
  }

  private static void awaitProgress(ConcurrentLinkedQueue<String> acknowledged, int more) {
    int target = acknowledged.size() + more;
    await().atMost(Duration.ofSeconds(60)).until(() -> acknowledged.size() >= target);
  }

  private static void grow(JournalCluster cluster, String... members) throws Exception {
    Map<String, InetSocketAddress> added = new TreeMap<>();
    for (String m : members) {
      JournalServer joiner = cluster.startJoining(m);
      // what the operator waits for before adding it
      assertThat(new ClusterAdmin(joiner).info().role()).as(m).isEqualTo("LISTENER");
      added.put(m, cluster.peers.get(m));
    }
    new ClusterAdmin(cluster.awaitLeader()).addMembers(added);
    for (String m : members) {
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> new ClusterAdmin(cluster.running.get(m)).info().role(), "FOLLOWER"::equals);
    }
    JournalServer leader = cluster.awaitLeader();
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                new ClusterAdmin(leader)
                    .info().members().stream().map(ClusterInfo.Member::id).toList(),
            ids -> ids.containsAll(added.keySet()));
  }

  private static void shrink(JournalCluster cluster, Set<String> removed) throws Exception {
    new ClusterAdmin(cluster.awaitLeader()).removeMembers(removed);
    for (String m : removed) {
      cluster.stop(m);
    }
    cluster.awaitLeader();
  }
}

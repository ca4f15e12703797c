package dev.metacluster.master.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.metacluster.master.journal.JournalConfig;
import dev.metacluster.master.store.StoreConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The stop path of a member, in one JVM: a leader hands over before it closes. */
class MemberProcessIT {
  @TempDir Path dir;

  private final Map<String, MemberProcess> members = new TreeMap<>();

  @AfterEach
  void closeAll() {
    members.values().forEach(MemberProcess::close);
  }

  private void startAll(int count) throws IOException {
    Map<String, InetSocketAddress> peers = new TreeMap<>();
    for (int i = 0; i < count; i++) {
      peers.put("m" + i, new InetSocketAddress("127.0.0.1", LoopbackPorts.free()));
    }
    for (String id : peers.keySet()) {
      JournalConfig config =
          JournalConfig.defaults(
              "handoff", id, peers, dir.resolve(id).resolve("j"), dir.resolve(id).resolve("m"));
      MemberProcess member =
          new MemberProcess(config, StoreConfig.defaults(dir).withCacheEntries(1_000));
      members.put(id, member);
      member.start();
    }
  }

  private String awaitLeader() {
    String[] leader = new String[1];
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> {
              leader[0] =
                  members.entrySet().stream()
                      .filter(e -> e.getValue().server().isLeader())
                      .map(Map.Entry::getKey)
                      .findFirst()
                      .orElse(null);
              return leader[0] != null;
            });
    return leader[0];
  }

  @Test
  void aLeaderHandsLeadershipToALiveFollowerBeforeItStops() throws Exception {
    startAll(3);
    String leader = awaitLeader();
    String dead =
        members.keySet().stream().filter(id -> !id.equals(leader)).findFirst().orElseThrow();
    String alive =
        members.keySet().stream()
            .filter(id -> !id.equals(leader) && !id.equals(dead))
            .findFirst()
            .orElseThrow();
    // A follower that went away keeps its last commit index on the leader; it must not be chosen.
    members.remove(dead).close();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> unresponsiveFollowers(members.get(leader)) == 1);

    Optional<String> successor = members.get(leader).handOffLeadership();

    // Transferred (Ratis confirms once the target leads), not elected after a timeout: the old
    // leader is still up and already follows. (Whether the new leader still leads a moment later
    // depends on CPU starvation on a loaded test machine, so it is not asserted.)
    assertThat(successor).contains(alive);
    assertThat(members.get(leader).server().isLeader()).isFalse();
  }

  /** Followers that have not answered this leader for over a second (0 if it does not lead). */
  private static long unresponsiveFollowers(MemberProcess member) throws IOException {
    return member
        .server()
        .division()
        .getInfo()
        .getRoleInfoProto()
        .getLeaderInfo()
        .getFollowerInfoList()
        .stream()
        .filter(f -> f.getLastRpcElapsedTimeMs() > 1_000)
        .count();
  }

  @Test
  void aFollowerStopsWithoutTransfer() throws Exception {
    startAll(3);
    String leader = awaitLeader();
    String follower =
        members.keySet().stream().filter(id -> !id.equals(leader)).findFirst().orElseThrow();
    assertThat(members.get(follower).handOffLeadership()).isEmpty();
    members.remove(follower).close();
  }
}

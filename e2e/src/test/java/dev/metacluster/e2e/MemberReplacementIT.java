package dev.metacluster.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.metacluster.api.client.MetadataClient;
import dev.metacluster.api.fs.v1.FileStatus;
import dev.metacluster.operator.crd.MemberStatus;
import dev.metacluster.operator.crd.MetadataCluster;
import dev.metacluster.operator.crd.MetadataClusterStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Scenario 6, twice under one write load: first a follower's metastore is corrupted on disk (its
 * RocksDB MANIFEST overwritten), then the other follower's volumes are emptied; each time its pod
 * is deleted. A corrupt store is refused by the master, which says so in its termination message;
 * an emptied one comes back with a new store id, which the operator tells apart from the one it
 * recorded even if the leader has already caught the member up. Each time the operator replaces the
 * member (removes it from the group, deletes its claims and pod, adds it back once it runs on new,
 * empty volumes) and it catches up through snapshot installation, since the leader's log no longer
 * reaches back to the start (small snapshot threshold and purge gap). The cluster stays available:
 * no client write fails, and each replaced member ends with every acknowledged file.
 */
class MemberReplacementIT {
  static final String NS = "replace";
  static final double MAX_WRITE_GAP_SECONDS = RollingUpgradeIT.MAX_WRITE_GAP_SECONDS;
  static E2eHarness env;

  @BeforeAll
  static void start() throws Exception {
    env = new E2eHarness("replace");
  }

  @AfterAll
  static void stop() {
    if (env != null) {
      env.close();
    }
  }

  @Test
  void membersWithACorruptStoreOrLostVolumesAreReplacedAndRejoinThroughSnapshots()
      throws Exception {
    KubernetesClient k8s = env.client();
    MetadataCluster mdc = Scenarios.patient(Scenarios.minimal(NS, "meta"));
    mdc.getSpec().raft.snapshotThreshold = 200L;
    mdc.getSpec().raft.logPurgeGap = 50;
    mdc.getSpec().maxReplacementsPerHour = 2;
    k8s.resource(mdc).create();
    env.awaitReady(NS, "meta", Duration.ofSeconds(180));

    try (MetadataClient client = env.clientOf(NS, "meta");
        WriteLoad load = new WriteLoad(client, "/load", 2)) {
      // enough entries for snapshots and purges on every member
      load.awaitProgress(600, Duration.ofSeconds(120));

      String leader = env.status(NS, "meta").leader;
      List<String> followers =
          List.of("meta-0", "meta-1", "meta-2").stream().filter(p -> !p.equals(leader)).toList();
      long start = System.nanoTime();

      // a corrupt store: the master refuses it and says so in its termination message
      String corrupt = followers.get(0);
      replace(
          corrupt,
          () -> env.kubelet().atNextStart(NS, corrupt, MemberReplacementIT::corruptMetastore),
          "corrupt");
      load.awaitProgress(100, Duration.ofSeconds(60));
      // lost volumes: the member comes back empty, and even if the leader catches it up before
      // the operator looks, its new store id gives it away
      String emptied = followers.get(1);
      replace(emptied, () -> env.kubelet().loseVolumesAtNextStart(NS, emptied), "store id");
      load.awaitProgress(100, Duration.ofSeconds(60));

      double gap = load.longestGapSeconds(start);
      Figures.record("replacement_longest_write_gap_seconds", gap, "s");
      load.stopAndVerify();
      assertThat(gap).as("longest client-visible write gap, s").isLessThan(MAX_WRITE_GAP_SECONDS);

      // each replaced member holds every acknowledged file (read from that member itself)
      long commit = client.clusterInfo().getCommitIndex();
      for (String member : followers) {
        await()
            .atMost(Duration.ofSeconds(60))
            .until(
                () -> {
                  MemberStatus m =
                      env.status(NS, "meta").members.stream()
                          .filter(x -> x.name.equals(member))
                          .findFirst()
                          .orElseThrow();
                  return m.appliedIndex != null && m.appliedIndex >= commit;
                });
        try (MetadataClient direct =
            MetadataClient.builder()
                .addresses(List.of(env.kubelet().pod(NS, member).ports.clientAddress()))
                .followerReads(true)
                .callTimeout(Duration.ofSeconds(30))
                .build()) {
          Set<String> listed =
              direct.listStatus("/load").map(FileStatus::getPath).collect(Collectors.toSet());
          assertThat(listed).as(member).isEqualTo(load.acknowledged());
        }
      }
    }
  }

  /**
   * Plays {@code fault} on {@code victim}'s volumes, deletes its pod, and checks the operator's
   * replacement: an Event, Ready again with 3 healthy members, the replacement in status with a
   * reason containing {@code why}, new claims, and a snapshot installation in the member's log.
   */
  private static void replace(String victim, Runnable fault, String why) throws Exception {
    KubernetesClient k8s = env.client();
    String claimUid = claimUid(k8s, "metastore-" + victim);
    Path victimLog = env.work().resolve("pods/" + NS + "/" + victim + "/master.log");
    long logOffset = Files.size(victimLog);
    fault.run();
    k8s.pods().inNamespace(NS).withName(victim).delete();

    await()
        .atMost(Duration.ofSeconds(120))
        .pollInterval(Duration.ofMillis(200))
        .until(
            () ->
                k8s.v1().events().inNamespace(NS).list().getItems().stream()
                    .anyMatch(
                        e ->
                            "ReplacingMember".equals(e.getReason())
                                && e.getMessage().contains(victim)));
    await()
        .atMost(Duration.ofSeconds(240))
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> {
              MetadataClusterStatus s = env.status(NS, "meta");
              return Scenarios.isReady(s)
                  && s.operation == null
                  && s.members.size() == 3
                  && s.members.stream().allMatch(m -> Boolean.TRUE.equals(m.healthy));
            });
    // status keeps the replacement (the hourly bound counts it), with the reason
    assertThat(env.status(NS, "meta").replacements)
        .anySatisfy(
            r -> {
              assertThat(r.member).isEqualTo(victim);
              assertThat(r.reason).containsIgnoringCase(why);
            });
    // the member's claims were deleted and made anew, and it caught up by snapshot installation
    assertThat(claimUid(k8s, "metastore-" + victim)).isNotEqualTo(claimUid);
    String log = Files.readString(victimLog).substring((int) logOffset);
    assertThat(log).as("%s's log since the fault", victim).contains("installing snapshot");
  }

  /** Overwrites the RocksDB MANIFEST of the metastore claim, as a failing disk might. */
  private static void corruptMetastore(Set<Path> claims) throws IOException {
    Path claim =
        claims.stream()
            .filter(c -> c.getFileName().toString().startsWith("metastore-"))
            .findFirst()
            .orElseThrow();
    List<Path> manifests;
    try (Stream<Path> files = Files.walk(claim)) {
      manifests = files.filter(f -> f.getFileName().toString().startsWith("MANIFEST-")).toList();
    }
    assertThat(manifests).as("RocksDB manifests under " + claim).isNotEmpty();
    for (Path manifest : manifests) {
      byte[] garbage = new byte[(int) Files.size(manifest)];
      Arrays.fill(garbage, (byte) 0x5a);
      Files.write(manifest, garbage);
    }
  }

  private static String claimUid(KubernetesClient k8s, String claim) {
    return k8s.persistentVolumeClaims()
        .inNamespace(NS)
        .withName(claim)
        .get()
        .getMetadata()
        .getUid();
  }
}

package dev.metacluster.master.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.metacluster.api.admin.v1.ClusterAdminServiceGrpc;
import dev.metacluster.api.admin.v1.ClusterInfoRequest;
import dev.metacluster.api.admin.v1.ClusterInfoResponse;
import dev.metacluster.api.fs.v1.CreateDirectoryRequest;
import dev.metacluster.api.fs.v1.FileSystemServiceGrpc;
import dev.metacluster.api.fs.v1.GetStatusRequest;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The master as the image runs it: launcher + jar + lib/, a config file, separate processes.
 * SIGTERM on the leader hands leadership over and stops cleanly; the rest keep serving.
 */
class MasterProcessIT {
  @TempDir Path root;
  MasterProcesses cluster;
  ManagedChannel channel;

  @AfterEach
  void stop() {
    if (channel != null) {
      channel.shutdownNow();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  private ClusterInfoResponse info(String member) {
    ManagedChannel c =
        ManagedChannelBuilder.forTarget(cluster.member(member).clientAddress())
            .usePlaintext()
            .build();
    try {
      return ClusterAdminServiceGrpc.newBlockingStub(c)
          .withDeadlineAfter(10, TimeUnit.SECONDS)
          .clusterInfo(ClusterInfoRequest.getDefaultInstance());
    } finally {
      c.shutdownNow();
    }
  }

  @Test
  void theLauncherRunsAClusterThatHandsOverOnSigterm() throws Exception {
    cluster = new MasterProcesses("process-it", root, 3).startAll();
    cluster.awaitReady(Duration.ofSeconds(90));
    for (String id : cluster.members().keySet()) {
      assertThat(cluster.probe(id, "/healthz")).isEqualTo(200);
    }
    String leader = info("m0").getLeaderId();
    assertThat(leader).isNotEmpty();

    channel =
        ManagedChannelBuilder.forTarget(cluster.member(leader).clientAddress())
            .usePlaintext()
            .build();
    FileSystemServiceGrpc.newBlockingStub(channel)
        .withDeadlineAfter(10, TimeUnit.SECONDS)
        .createDirectory(CreateDirectoryRequest.newBuilder().setPath("/kept").build());

    // 143 = 128 + SIGTERM: how a JVM ends on SIGTERM once its shutdown hooks have finished.
    assertThat(cluster.terminate(leader)).as("exit code after SIGTERM").isEqualTo(143);
    assertThat(cluster.log(leader))
        .contains("leadership transferred to", "member " + leader + ": stopped");
    String survivor =
        cluster.members().keySet().stream()
            .filter(id -> !id.equals(leader))
            .findFirst()
            .orElseThrow();
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> {
              String now = info(survivor).getLeaderId();
              return !now.isEmpty() && !now.equals(leader);
            });
    String next = info(survivor).getLeaderId();
    ManagedChannel toNext =
        ManagedChannelBuilder.forTarget(cluster.member(next).clientAddress())
            .usePlaintext()
            .build();
    try {
      assertThat(
              FileSystemServiceGrpc.newBlockingStub(toNext)
                  .withDeadlineAfter(10, TimeUnit.SECONDS)
                  .getStatus(GetStatusRequest.newBuilder().setPath("/kept").build())
                  .getStatus()
                  .getDirectory())
          .isTrue();
    } finally {
      toNext.shutdownNow();
    }
  }

  @Test
  void aBadConfigFileIsAUsageErrorThatNamesTheProblem() throws Exception {
    cluster = new MasterProcesses("process-it-bad", root, 1);
    java.nio.file.Files.writeString(
        root.resolve("m0/master.properties"), "cluster.name=x\nmember.id=m0\npeers=m0=h:1:2\n");
    cluster.start("m0");
    Process p = cluster.member("m0").process();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isEqualTo(2);
    assertThat(cluster.log("m0")).contains("journal.dir is required", "metastore.dir is required");
  }
}

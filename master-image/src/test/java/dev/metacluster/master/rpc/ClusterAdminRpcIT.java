package dev.metacluster.master.rpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.metacluster.api.admin.v1.BackupChunk;
import dev.metacluster.api.admin.v1.BackupManifest;
import dev.metacluster.api.admin.v1.BackupRequest;
import dev.metacluster.api.admin.v1.ClusterAdminServiceGrpc;
import dev.metacluster.api.admin.v1.ClusterInfoRequest;
import dev.metacluster.api.admin.v1.ClusterInfoResponse;
import dev.metacluster.api.admin.v1.Member;
import dev.metacluster.api.admin.v1.Role;
import dev.metacluster.api.admin.v1.TakeSnapshotRequest;
import dev.metacluster.api.admin.v1.TransferLeadershipRequest;
import dev.metacluster.api.fs.v1.CreateDirectoryRequest;
import dev.metacluster.api.fs.v1.FileSystemServiceGrpc;
import dev.metacluster.master.journal.BackupArchive;
import dev.metacluster.master.proto.SnapshotManifest;
import dev.metacluster.master.server.MasterServer;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The admin API and the HTTP probes of a real 3-member cluster. */
class ClusterAdminRpcIT {
  @TempDir static Path root;
  static MasterCluster cluster;

  @BeforeAll
  static void start() throws Exception {
    cluster = new MasterCluster("admin-it", root, 3);
    cluster.awaitReady();
    var fs = FileSystemServiceGrpc.newBlockingStub(cluster.channel(cluster.leader()));
    for (int i = 0; i < 50; i++) {
      fs.createDirectory(
          CreateDirectoryRequest.newBuilder().setPath("/admin/d" + i).setRecursive(true).build());
    }
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  static ClusterAdminServiceGrpc.ClusterAdminServiceBlockingStub admin(String member) {
    return ClusterAdminServiceGrpc.newBlockingStub(cluster.channel(member))
        .withDeadlineAfter(60, TimeUnit.SECONDS);
  }

  @Test
  void everyMemberDescribesTheSameGroup() {
    String leader = cluster.leader();
    for (String member : cluster.servers.keySet()) {
      ClusterInfoResponse info = admin(member).clusterInfo(ClusterInfoRequest.getDefaultInstance());
      assertThat(info.getMemberId()).isEqualTo(member);
      assertThat(info.getLeaderId()).isEqualTo(leader);
      assertThat(info.getRole()).isEqualTo(member.equals(leader) ? Role.LEADER : Role.FOLLOWER);
      assertThat(info.getTerm()).isPositive();
      assertThat(info.getAppliedIndex()).isPositive();
      assertThat(info.getInodeCount()).isGreaterThanOrEqualTo(1);
      assertThat(info.getMembersList())
          .extracting(Member::getId, Member::getClientAddress)
          .containsExactlyInAnyOrder(
              cluster.clientPorts.entrySet().stream()
                  .map(
                      e ->
                          org.assertj.core.groups.Tuple.tuple(
                              e.getKey(), "127.0.0.1:" + e.getValue()))
                  .toArray(org.assertj.core.groups.Tuple[]::new));
    }
    assertThat(
            cluster.servers.keySet().stream()
                .map(
                    m ->
                        admin(m)
                            .clusterInfo(ClusterInfoRequest.getDefaultInstance())
                            .getClusterId())
                .distinct())
        .hasSize(1);
    assertThat(
            cluster.servers.keySet().stream()
                .map(
                    m -> admin(m).clusterInfo(ClusterInfoRequest.getDefaultInstance()).getStoreId())
                .distinct())
        .as("every member has its own store id")
        .hasSize(cluster.servers.size())
        .allSatisfy(id -> assertThat(java.util.UUID.fromString(id)).isNotNull());
  }

  @Test
  void aBackupStreamsAndRestoresToTheSameNamespace() throws Exception {
    Iterator<BackupChunk> chunks =
        admin(cluster.leader()).backup(BackupRequest.getDefaultInstance());
    ByteArrayOutputStream archive = new ByteArrayOutputStream();
    BackupManifest manifest = null;
    while (chunks.hasNext()) {
      BackupChunk chunk = chunks.next();
      chunk.getData().writeTo(archive);
      if (chunk.hasManifest()) {
        manifest = chunk.getManifest();
      }
    }
    assertThat(manifest).isNotNull();
    byte[] bytes = archive.toByteArray();
    assertThat(manifest.getArchiveBytes()).isEqualTo(bytes.length);
    assertThat(manifest.getArchiveSha256())
        .isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)));
    assertThat(manifest.getInodeCount()).isGreaterThanOrEqualTo(52);

    SnapshotManifest restored =
        BackupArchive.restore(
            new ByteArrayInputStream(bytes), root.resolve("restored"), "another-cluster-id");
    assertThat(restored.getNamespaceChecksum()).isEqualTo(manifest.getNamespaceChecksum());
  }

  @Test
  void groupChangesOnAFollowerPointAtTheLeader() {
    Status.Code code;
    try {
      admin(cluster.follower()).backup(BackupRequest.getDefaultInstance()).hasNext();
      code = Status.Code.OK;
    } catch (StatusRuntimeException e) {
      code = e.getStatus().getCode();
      assertThat(e.getTrailers().get(dev.metacluster.api.Headers.LEADER))
          .isEqualTo("127.0.0.1:" + cluster.clientPorts.get(cluster.leader()));
    }
    assertThat(code).isEqualTo(Status.Code.UNAVAILABLE);
  }

  @Test
  void snapshotsAndLeadershipTransferOnRequest() {
    String leader = cluster.leader();
    long index = admin(leader).takeSnapshot(TakeSnapshotRequest.getDefaultInstance()).getIndex();
    assertThat(index).isPositive();
    String target = cluster.follower();
    assertThat(
            admin(leader)
                .transferLeadership(
                    TransferLeadershipRequest.newBuilder().setTargetId(target).build())
                .getLeaderId())
        .isEqualTo(target);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> cluster.servers.get(target).journal().isLeaderReady());
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> cluster.servers.values().stream().allMatch(s -> s.health().ready().ok()));
  }

  @Test
  void probesAndMetricsOverHttp() throws Exception {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    for (MasterServer server : cluster.servers.values()) {
      String base = "http://127.0.0.1:" + server.httpPort();
      assertThat(get(http, base + "/healthz").statusCode()).isEqualTo(200);
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> get(http, base + "/readyz").statusCode() == 200);
      HttpResponse<String> metrics = get(http, base + "/metrics");
      assertThat(metrics.statusCode()).isEqualTo(200);
      assertThat(metrics.body())
          .contains("metacluster_raft_term", "metacluster_raft_applied_index", "metacluster_inodes")
          .contains("metacluster_cache_inodes_hit_ratio", "jvm_memory_used_bytes");
    }
    String leaderMetrics =
        get(
                http,
                "http://127.0.0.1:" + cluster.servers.get(cluster.leader()).httpPort() + "/metrics")
            .body();
    assertThat(leaderMetrics)
        .contains("metacluster_rpc_seconds_count{code=\"OK\",method=\"CreateDirectory\"}");
  }

  private static HttpResponse<String> get(HttpClient http, String url) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}

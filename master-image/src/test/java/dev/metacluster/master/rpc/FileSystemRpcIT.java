package dev.metacluster.master.rpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.metacluster.api.Headers;
import dev.metacluster.api.client.MetadataClient;
import dev.metacluster.api.fs.v1.CompleteFileRequest;
import dev.metacluster.api.fs.v1.CreateDirectoryRequest;
import dev.metacluster.api.fs.v1.CreateFileRequest;
import dev.metacluster.api.fs.v1.CreateFileResponse;
import dev.metacluster.api.fs.v1.DeleteRequest;
import dev.metacluster.api.fs.v1.ExistsRequest;
import dev.metacluster.api.fs.v1.FileStatus;
import dev.metacluster.api.fs.v1.FileSystemServiceGrpc;
import dev.metacluster.api.fs.v1.FileSystemServiceGrpc.FileSystemServiceBlockingStub;
import dev.metacluster.api.fs.v1.GetStatusRequest;
import dev.metacluster.api.fs.v1.ListStatusRequest;
import dev.metacluster.api.fs.v1.ListStatusResponse;
import dev.metacluster.api.fs.v1.RenameRequest;
import dev.metacluster.api.fs.v1.SetAttributeRequest;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The file-system API of a real 3-member cluster over gRPC on loopback. */
class FileSystemRpcIT {
  @TempDir static Path root;
  static MasterCluster cluster;

  @BeforeAll
  static void start() throws Exception {
    cluster = new MasterCluster("fs-it", root, 3);
    cluster.awaitReady();
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  static FileSystemServiceBlockingStub fs(String member) {
    return FileSystemServiceGrpc.newBlockingStub(cluster.channel(member))
        .withDeadlineAfter(30, TimeUnit.SECONDS);
  }

  static FileSystemServiceBlockingStub withHeaders(String member, Metadata headers) {
    return fs(member).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
  }

  static Status.Code code(Runnable call) {
    try {
      call.run();
      return Status.Code.OK;
    } catch (StatusRuntimeException e) {
      return e.getStatus().getCode();
    }
  }

  @Test
  void everyCallOnTheLeader() {
    var leader = fs(cluster.leader());
    FileStatus dir =
        leader
            .createDirectory(
                CreateDirectoryRequest.newBuilder()
                    .setPath("/every/dir")
                    .setRecursive(true)
                    .build())
            .getStatus();
    assertThat(dir.getDirectory()).isTrue();
    assertThat(dir.getPath()).isEqualTo("/every/dir");
    assertThat(dir.getMode()).isEqualTo(0755);

    FileStatus file =
        leader
            .createFile(
                CreateFileRequest.newBuilder().setPath("/every/dir/f").setOwner("alice").build())
            .getStatus();
    assertThat(file.getCompleted()).isFalse();
    assertThat(file.getOwner()).isEqualTo("alice");
    assertThat(file.getGroup()).isEqualTo("alice");
    assertThat(file.getBlockSize()).isEqualTo(64L << 20);

    leader.completeFile(
        CompleteFileRequest.newBuilder().setPath("/every/dir/f").setLength(4096).build());
    FileStatus done =
        leader.getStatus(GetStatusRequest.newBuilder().setPath("/every/dir/f").build()).getStatus();
    assertThat(done.getCompleted()).isTrue();
    assertThat(done.getLength()).isEqualTo(4096);

    assertThat(
            leader.exists(ExistsRequest.newBuilder().setPath("/every/dir/f").build()).getExists())
        .isTrue();
    assertThat(leader.exists(ExistsRequest.newBuilder().setPath("/every/nope").build()).getExists())
        .isFalse();

    FileStatus changed =
        leader
            .setAttribute(
                SetAttributeRequest.newBuilder()
                    .setPath("/every/dir/f")
                    .setMode(0600)
                    .putSetXattrs("user.tag", ByteString.copyFromUtf8("blue"))
                    .build())
            .getStatus();
    assertThat(changed.getMode()).isEqualTo(0600);
    assertThat(changed.getXattrsMap()).containsEntry("user.tag", ByteString.copyFromUtf8("blue"));

    FileStatus moved =
        leader
            .rename(RenameRequest.newBuilder().setSrc("/every/dir/f").setDst("/every/g").build())
            .getStatus();
    assertThat(moved.getPath()).isEqualTo("/every/g");
    assertThat(moved.getId()).isEqualTo(file.getId());

    List<FileStatus> listed = list(leader, ListStatusRequest.newBuilder().setPath("/every"));
    assertThat(listed).extracting(FileStatus::getPath).containsExactly("/every/dir", "/every/g");

    leader.delete(DeleteRequest.newBuilder().setPath("/every").setRecursive(true).build());
    assertThat(
            code(() -> leader.getStatus(GetStatusRequest.newBuilder().setPath("/every").build())))
        .isEqualTo(Status.Code.NOT_FOUND);
  }

  @Test
  void namespaceErrorsKeepTheirMeaning() {
    var leader = fs(cluster.leader());
    leader.createDirectory(
        CreateDirectoryRequest.newBuilder().setPath("/errors/full").setRecursive(true).build());
    leader.createFile(CreateFileRequest.newBuilder().setPath("/errors/full/f").build());
    assertThat(
            code(
                () ->
                    leader.createFile(
                        CreateFileRequest.newBuilder().setPath("/errors/full/f").build())))
        .isEqualTo(Status.Code.ALREADY_EXISTS);
    assertThat(
            code(
                () ->
                    leader.createFile(
                        CreateFileRequest.newBuilder().setPath("/errors/none/f").build())))
        .isEqualTo(Status.Code.NOT_FOUND);
    assertThat(
            code(() -> leader.delete(DeleteRequest.newBuilder().setPath("/errors/full").build())))
        .isEqualTo(Status.Code.FAILED_PRECONDITION);
    assertThat(
            code(
                () ->
                    leader.rename(
                        RenameRequest.newBuilder()
                            .setSrc("/errors")
                            .setDst("/errors/full/x")
                            .build())))
        .isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(
            code(
                () ->
                    leader.createFile(
                        CreateFileRequest.newBuilder().setPath("/errors/full/f/x").build())))
        .isEqualTo(Status.Code.FAILED_PRECONDITION);
  }

  @Test
  void aFollowerPointsWritesAtTheLeader() {
    String leader = cluster.leader();
    String expected = "127.0.0.1:" + cluster.clientPorts.get(leader);
    var follower = fs(cluster.follower());
    assertThatThrownBy(
            () ->
                follower.createDirectory(CreateDirectoryRequest.newBuilder().setPath("/f").build()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
              assertThat(e.getTrailers().get(Headers.LEADER)).isEqualTo(expected);
              assertThat(e.getStatus().getDescription()).contains("not the leader", expected);
            });
  }

  @Test
  void aLinearizableReadOnAFollowerSeesTheLatestWrite() {
    // Ratis serves it on the follower after a ReadIndex round with the leader.
    for (int i = 0; i < 20; i++) {
      String path = "/linear-" + i;
      fs(cluster.leader())
          .createDirectory(CreateDirectoryRequest.newBuilder().setPath(path).build());
      for (String member : cluster.servers.keySet()) {
        assertThat(fs(member).exists(ExistsRequest.newBuilder().setPath(path).build()).getExists())
            .as("%s on %s", path, member)
            .isTrue();
      }
    }
  }

  @Test
  void aFollowerReadWithTheWritesIndexSeesTheWrite() {
    AtomicReference<Metadata> responseHeaders = new AtomicReference<>();
    AtomicReference<Metadata> trailers = new AtomicReference<>();
    fs(cluster.leader())
        .withInterceptors(MetadataUtils.newCaptureMetadataInterceptor(responseHeaders, trailers))
        .createDirectory(
            CreateDirectoryRequest.newBuilder().setPath("/ryw/a").setRecursive(true).build());
    long index = Long.parseLong(responseHeaders.get().get(Headers.LOG_INDEX));
    assertThat(index).isPositive();
    Metadata read = new Metadata();
    read.put(Headers.READ, Headers.READ_FOLLOWER);
    read.put(Headers.MIN_INDEX, Long.toString(index));
    for (String member : cluster.servers.keySet()) {
      FileStatus status =
          withHeaders(member, read)
              .getStatus(GetStatusRequest.newBuilder().setPath("/ryw/a").build())
              .getStatus();
      assertThat(status.getDirectory()).as("on %s", member).isTrue();
    }
  }

  /** The headers of one logical call: a new client id and {@code callId}; sent twice, a retry. */
  private static Metadata oneCall(long callId) {
    Metadata ids = new Metadata();
    ids.put(Headers.CLIENT_ID, UUID.randomUUID().toString());
    ids.put(Headers.CALL_ID, Long.toString(callId));
    return ids;
  }

  @Test
  void aRetriedWriteAppliesOnce() {
    Metadata ids = oneCall(7);
    var leader = fs(cluster.leader());
    leader.createDirectory(CreateDirectoryRequest.newBuilder().setPath("/retry").build());
    CreateFileRequest create = CreateFileRequest.newBuilder().setPath("/retry/once").build();
    CreateFileResponse first = withHeaders(cluster.leader(), ids).createFile(create);
    CreateFileResponse again = withHeaders(cluster.leader(), ids).createFile(create);
    assertThat(again.getStatus().getId()).isEqualTo(first.getStatus().getId());
    assertThat(list(leader, ListStatusRequest.newBuilder().setPath("/retry"))).hasSize(1);
    // A different call with the same path is a new write: it finds the file there.
    assertThat(code(() -> leader.createFile(create))).isEqualTo(Status.Code.ALREADY_EXISTS);
  }

  @Test
  void aRetriedRecursiveDeleteGetsItsFirstAnswer() {
    Metadata ids = oneCall(8);
    var leader = fs(cluster.leader());
    leader.createDirectory(
        CreateDirectoryRequest.newBuilder().setPath("/gone/sub").setRecursive(true).build());
    DeleteRequest delete = DeleteRequest.newBuilder().setPath("/gone").setRecursive(true).build();
    // A follower does not count the subtree: it names the leader at once.
    assertThat(code(() -> fs(cluster.follower()).delete(delete)))
        .isEqualTo(Status.Code.UNAVAILABLE);
    withHeaders(cluster.leader(), ids).delete(delete);
    // The path is gone; the retry (same client and call id) is answered from the retry cache.
    withHeaders(cluster.leader(), ids).delete(delete);
    assertThat(code(() -> leader.delete(delete))).isEqualTo(Status.Code.NOT_FOUND);
  }

  @Test
  void aHundredThousandEntriesStreamInPages() throws Exception {
    int files = 100_000;
    String leader = cluster.leader();
    fs(leader).createDirectory(CreateDirectoryRequest.newBuilder().setPath("/big").build());
    // Through the client: it follows the leader should one change under load, and retries
    // apply once.
    try (MetadataClient client =
        MetadataClient.builder()
            .addresses(cluster.clientPorts.values().stream().map(p -> "127.0.0.1:" + p).toList())
            .build()) {
      java.util.concurrent.ForkJoinPool pool = new java.util.concurrent.ForkJoinPool(16);
      try {
        pool.submit(
                () ->
                    java.util.stream.IntStream.range(0, files)
                        .parallel()
                        .forEach(i -> client.createFile(String.format("/big/f%06d", i), false)))
            .get(5, TimeUnit.MINUTES);
      } finally {
        pool.shutdownNow();
      }
    }
    leader = cluster.leader();

    List<FileStatus> all =
        list(fs(leader), ListStatusRequest.newBuilder().setPath("/big").setPageSize(1000));
    assertThat(all).hasSize(files);
    for (int i = 0; i < files; i++) {
      assertThat(all.get(i).getName()).isEqualTo(String.format("f%06d", i));
    }
    List<FileStatus> window =
        list(
            fs(leader),
            ListStatusRequest.newBuilder()
                .setPath("/big")
                .setStartAfter("f049999")
                .setLimit(2500)
                .setPageSize(300));
    assertThat(window).hasSize(2500);
    assertThat(window.get(0).getName()).isEqualTo("f050000");
    assertThat(window.get(2499).getName()).isEqualTo("f052499");
  }

  static List<FileStatus> list(
      FileSystemServiceBlockingStub stub, ListStatusRequest.Builder request) {
    List<FileStatus> all = new ArrayList<>();
    Iterator<ListStatusResponse> pages = stub.listStatus(request.build());
    pages.forEachRemaining(p -> all.addAll(p.getEntriesList()));
    return all;
  }

  @Test
  void everyMemberHoldsTheSameNamespace() {
    fs(cluster.leader())
        .createDirectory(
            CreateDirectoryRequest.newBuilder().setPath("/same/a/b").setRecursive(true).build());
    Map<String, String> sums = cluster.checksums();
    assertThat(sums.values()).containsOnly(sums.get("m0"));
  }
}

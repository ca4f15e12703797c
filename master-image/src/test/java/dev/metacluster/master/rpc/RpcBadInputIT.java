package dev.metacluster.master.rpc;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.metacluster.api.Headers;
import dev.metacluster.api.fs.v1.CompleteFileRequest;
import dev.metacluster.api.fs.v1.CreateDirectoryRequest;
import dev.metacluster.api.fs.v1.CreateFileRequest;
import dev.metacluster.api.fs.v1.DeleteRequest;
import dev.metacluster.api.fs.v1.FileSystemServiceGrpc;
import dev.metacluster.api.fs.v1.FileSystemServiceGrpc.FileSystemServiceBlockingStub;
import dev.metacluster.api.fs.v1.GetStatusRequest;
import dev.metacluster.api.fs.v1.ListStatusRequest;
import dev.metacluster.api.fs.v1.RenameRequest;
import dev.metacluster.api.fs.v1.SetAttributeRequest;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Malformed, missing, oversized and hostile requests get the right code with a message, the server
 * stays up, and the namespace is unchanged.
 */
class RpcBadInputIT {
  @TempDir static Path root;
  static MasterCluster cluster;

  @BeforeAll
  static void start() throws Exception {
    // /d holds 2 entries: a recursive delete of /d is over the limit, of /d/sub within it.
    cluster = new MasterCluster("bad-input-it", root, 1, Map.of("rpc.delete.max.entries", "1"));
    cluster.awaitReady();
    FileSystemServiceBlockingStub fs = fs();
    fs.createDirectory(
        CreateDirectoryRequest.newBuilder().setPath("/d/sub").setRecursive(true).build());
    fs.createFile(CreateFileRequest.newBuilder().setPath("/d/f").build());
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  static FileSystemServiceBlockingStub fs() {
    return FileSystemServiceGrpc.newBlockingStub(cluster.channel("m0"))
        .withDeadlineAfter(30, TimeUnit.SECONDS);
  }

  @Test
  void refusedWithTheRightCodeAndNothingChanges() {
    String before = cluster.checksums().get("m0");
    String longName = "n".repeat(256);
    String deep = "/a".repeat(1025);
    String huge = "/" + "x".repeat(5000);
    Map<String, Map.Entry<Status.Code, Consumer<FileSystemServiceBlockingStub>>> cases =
        new LinkedHashMap<>();
    cases.put(
        "relative path", entry(Status.Code.INVALID_ARGUMENT, s -> s.createDirectory(dir("a/b"))));
    cases.put("empty path", entry(Status.Code.INVALID_ARGUMENT, s -> s.createDirectory(dir(""))));
    cases.put(
        "dot segment", entry(Status.Code.INVALID_ARGUMENT, s -> s.createFile(file("/d/./f"))));
    cases.put(
        "trailing slash", entry(Status.Code.INVALID_ARGUMENT, s -> s.createFile(file("/d/f/"))));
    cases.put(
        "name over 255 bytes",
        entry(Status.Code.INVALID_ARGUMENT, s -> s.createFile(file("/d/" + longName))));
    cases.put(
        "path over 4096 bytes",
        entry(
            Status.Code.INVALID_ARGUMENT,
            s -> s.getStatus(GetStatusRequest.newBuilder().setPath(huge).build())));
    cases.put(
        "deeper than 1024", entry(Status.Code.INVALID_ARGUMENT, s -> s.createDirectory(dir(deep))));
    cases.put(
        "NUL in a name", entry(Status.Code.INVALID_ARGUMENT, s -> s.createFile(file("/d/a\0b"))));
    cases.put(
        "mode out of range",
        entry(
            Status.Code.INVALID_ARGUMENT,
            s ->
                s.createFile(
                    CreateFileRequest.newBuilder().setPath("/d/m").setMode(010000).build())));
    cases.put(
        "negative block size",
        entry(
            Status.Code.INVALID_ARGUMENT,
            s ->
                s.createFile(
                    CreateFileRequest.newBuilder().setPath("/d/b").setBlockSize(-1).build())));
    cases.put(
        "negative ttl",
        entry(
            Status.Code.INVALID_ARGUMENT,
            s ->
                s.createDirectory(
                    CreateDirectoryRequest.newBuilder().setPath("/d/t").setTtlMs(-5).build())));
    cases.put(
        "negative length",
        entry(
            Status.Code.INVALID_ARGUMENT,
            s ->
                s.completeFile(
                    CompleteFileRequest.newBuilder().setPath("/d/f").setLength(-1).build())));
    cases.put(
        "negative list limit",
        entry(
            Status.Code.INVALID_ARGUMENT,
            s ->
                s.listStatus(ListStatusRequest.newBuilder().setPath("/d").setLimit(-1).build())
                    .hasNext()));
    cases.put(
        "negative page size",
        entry(
            Status.Code.INVALID_ARGUMENT,
            s ->
                s.listStatus(ListStatusRequest.newBuilder().setPath("/d").setPageSize(-3).build())
                    .hasNext()));
    cases.put(
        "bad start_after",
        entry(
            Status.Code.INVALID_ARGUMENT,
            s ->
                s.listStatus(
                        ListStatusRequest.newBuilder().setPath("/d").setStartAfter("a/b").build())
                    .hasNext()));
    cases.put(
        "rename root",
        entry(
            Status.Code.INVALID_ARGUMENT,
            s -> s.rename(RenameRequest.newBuilder().setSrc("/").setDst("/r").build())));
    cases.put(
        "rename under itself",
        entry(
            Status.Code.INVALID_ARGUMENT,
            s -> s.rename(RenameRequest.newBuilder().setSrc("/d").setDst("/d/sub/d").build())));
    cases.put(
        "delete root",
        entry(
            Status.Code.INVALID_ARGUMENT,
            s -> s.delete(DeleteRequest.newBuilder().setPath("/").setRecursive(true).build())));
    cases.put(
        "recursive delete of more entries than rpc.delete.max.entries",
        entry(
            Status.Code.FAILED_PRECONDITION,
            s -> s.delete(DeleteRequest.newBuilder().setPath("/d").setRecursive(true).build())));
    cases.put(
        "empty owner name in setAttribute",
        entry(
            Status.Code.INVALID_ARGUMENT,
            s ->
                s.setAttribute(
                    SetAttributeRequest.newBuilder().setPath("/d/f").setOwner("").build())));
    cases.put(
        "xattr value over the limit",
        entry(
            Status.Code.RESOURCE_EXHAUSTED,
            s ->
                s.setAttribute(
                    SetAttributeRequest.newBuilder()
                        .setPath("/d/f")
                        .putSetXattrs("user.big", ByteString.copyFrom(new byte[20_000]))
                        .build())));
    cases.put(
        "message over 4 MiB",
        entry(
            Status.Code.RESOURCE_EXHAUSTED,
            s ->
                s.setAttribute(
                    SetAttributeRequest.newBuilder()
                        .setPath("/d/f")
                        .putSetXattrs("user.huge", ByteString.copyFrom(new byte[5 << 20]))
                        .build())));
    cases.put("missing parent", entry(Status.Code.NOT_FOUND, s -> s.createFile(file("/nope/f"))));
    cases.put(
        "file as a directory",
        entry(
            Status.Code.FAILED_PRECONDITION,
            s -> s.listStatus(ListStatusRequest.newBuilder().setPath("/d/f").build()).hasNext()));
    cases.put(
        "completed twice",
        entry(
            Status.Code.OK,
            s ->
                s.completeFile(
                    CompleteFileRequest.newBuilder().setPath("/d/f").setLength(1).build())));

    for (var c : cases.entrySet()) {
      Status.Code expected = c.getValue().getKey();
      try {
        c.getValue().getValue().accept(fs());
        assertThat(Status.Code.OK).as(c.getKey()).isEqualTo(expected);
      } catch (StatusRuntimeException e) {
        assertThat(e.getStatus().getCode())
            .as(c.getKey() + ": " + e.getStatus())
            .isEqualTo(expected);
        assertThat(e.getStatus().getDescription()).as(c.getKey()).isNotBlank();
      }
      if (expected == Status.Code.OK) {
        before = cluster.checksums().get("m0");
      }
    }
    assertThat(
            codeOf(
                () ->
                    fs().completeFile(
                            CompleteFileRequest.newBuilder().setPath("/d/f").setLength(2).build())))
        .isEqualTo(Status.Code.FAILED_PRECONDITION);
    assertThat(cluster.checksums().get("m0")).isEqualTo(before);
    // Still serving.
    assertThat(
            fs().getStatus(GetStatusRequest.newBuilder().setPath("/d/f").build())
                .getStatus()
                .getLength())
        .isEqualTo(1);
  }

  @Test
  void aRecursiveDeleteIsRefusedOnlyOverTheLimitAndSaysWhy() {
    fs().createDirectory(
            CreateDirectoryRequest.newBuilder().setPath("/small/one").setRecursive(true).build());

    long appliedBefore = appliedIndex();
    Status tooLarge =
        statusOf(
            () -> fs().delete(DeleteRequest.newBuilder().setPath("/d").setRecursive(true).build()));
    assertThat(tooLarge.getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
    assertThat(tooLarge.getDescription())
        .contains("/d has more than 1 entries below it", "rpc.delete.max.entries");
    assertThat(fs().getStatus(GetStatusRequest.newBuilder().setPath("/d/sub").build()).hasStatus())
        .isTrue();
    assertThat(appliedIndex()).as("refused before the journal").isEqualTo(appliedBefore);

    // One entry below /small: within the limit.
    fs().delete(DeleteRequest.newBuilder().setPath("/small").setRecursive(true).build());
    assertThat(
            codeOf(() -> fs().getStatus(GetStatusRequest.newBuilder().setPath("/small").build())))
        .isEqualTo(Status.Code.NOT_FOUND);
  }

  @Test
  void malformedCallHeadersAreRefused() {
    Map<String, Metadata> cases = new LinkedHashMap<>();
    cases.put(
        "client id not a UUID", headers(Headers.CLIENT_ID, "not-a-uuid", Headers.CALL_ID, "1"));
    cases.put("call id without client id", headers(Headers.CALL_ID, "1", null, null));
    cases.put(
        "negative call id",
        headers(Headers.CLIENT_ID, "0b7e6d6e-4f7e-4e39-9d7a-2a8e0f6a1b2c", Headers.CALL_ID, "-4"));
    cases.put(
        "call id not a number",
        headers(Headers.CLIENT_ID, "0b7e6d6e-4f7e-4e39-9d7a-2a8e0f6a1b2c", Headers.CALL_ID, "x"));
    cases.put("unknown read mode", headers(Headers.READ, "stale", null, null));
    cases.put(
        "min index not a number", headers(Headers.READ, "follower", Headers.MIN_INDEX, "soon"));
    for (var c : cases.entrySet()) {
      var stub = fs().withInterceptors(MetadataUtils.newAttachHeadersInterceptor(c.getValue()));
      Status.Code code = codeOf(() -> stub.createDirectory(dir("/headers")));
      assertThat(code).as(c.getKey()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    }
    assertThat(
            codeOf(() -> fs().getStatus(GetStatusRequest.newBuilder().setPath("/headers").build())))
        .isEqualTo(Status.Code.NOT_FOUND);
  }

  @Test
  void invalidUtf8OnTheWireIsRefused() {
    // BackupChunk's field 1 is bytes: the same field number as GetStatusRequest.path, without
    // the UTF-8 check a proto3 string setter does on the client.
    byte[] request =
        dev.metacluster.api.admin.v1.BackupChunk.newBuilder()
            .setData(ByteString.copyFrom(new byte[] {'/', 'd', '/', (byte) 0xC3, (byte) 0x28}))
            .build()
            .toByteArray();
    io.grpc.MethodDescriptor.Marshaller<byte[]> raw =
        new io.grpc.MethodDescriptor.Marshaller<>() {
          @Override
          public java.io.InputStream stream(byte[] value) {
            return new java.io.ByteArrayInputStream(value);
          }

          @Override
          public byte[] parse(java.io.InputStream stream) {
            try {
              return stream.readAllBytes();
            } catch (java.io.IOException e) {
              throw new java.io.UncheckedIOException(e);
            }
          }
        };
    for (String method : new String[] {"GetStatus", "CreateFile", "Delete"}) {
      io.grpc.MethodDescriptor<byte[], byte[]> descriptor =
          io.grpc.MethodDescriptor.<byte[], byte[]>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName("metacluster.fs.v1.FileSystemService/" + method)
              .setRequestMarshaller(raw)
              .setResponseMarshaller(raw)
              .build();
      Status.Code code =
          codeOf(
              () ->
                  io.grpc.stub.ClientCalls.blockingUnaryCall(
                      cluster.channel("m0"),
                      descriptor,
                      io.grpc.CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS),
                      request));
      assertThat(code).as(method).isEqualTo(Status.Code.INVALID_ARGUMENT);
    }
  }

  private static Metadata headers(
      Metadata.Key<String> k1, String v1, Metadata.Key<String> k2, String v2) {
    Metadata m = new Metadata();
    m.put(k1, v1);
    if (k2 != null) {
      m.put(k2, v2);
    }
    return m;
  }

  private static long appliedIndex() {
    return cluster.servers.get("m0").journal().stateMachine().getLastAppliedTermIndex().getIndex();
  }

  private static Status.Code codeOf(Runnable call) {
    return statusOf(call).getCode();
  }

  private static Status statusOf(Runnable call) {
    try {
      call.run();
      return Status.OK;
    } catch (StatusRuntimeException e) {
      return e.getStatus();
    }
  }

  private static Map.Entry<Status.Code, Consumer<FileSystemServiceBlockingStub>> entry(
      Status.Code code, Consumer<FileSystemServiceBlockingStub> call) {
    return Map.entry(code, call);
  }

  private static CreateDirectoryRequest dir(String path) {
    return CreateDirectoryRequest.newBuilder().setPath(path).build();
  }

  private static CreateFileRequest file(String path) {
    return CreateFileRequest.newBuilder().setPath(path).build();
  }
}

package dev.metacluster.api.client;

import com.google.protobuf.ByteString;
import dev.metacluster.api.Headers;
import dev.metacluster.api.admin.v1.AddMembersRequest;
import dev.metacluster.api.admin.v1.AddMembersResponse;
import dev.metacluster.api.admin.v1.BackupChunk;
import dev.metacluster.api.admin.v1.BackupManifest;
import dev.metacluster.api.admin.v1.BackupRequest;
import dev.metacluster.api.admin.v1.ClusterAdminServiceGrpc;
import dev.metacluster.api.admin.v1.ClusterInfoRequest;
import dev.metacluster.api.admin.v1.ClusterInfoResponse;
import dev.metacluster.api.admin.v1.Member;
import dev.metacluster.api.admin.v1.RemoveMembersRequest;
import dev.metacluster.api.admin.v1.RemoveMembersResponse;
import dev.metacluster.api.admin.v1.Role;
import dev.metacluster.api.admin.v1.TakeSnapshotRequest;
import dev.metacluster.api.admin.v1.TakeSnapshotResponse;
import dev.metacluster.api.admin.v1.TransferLeadershipRequest;
import dev.metacluster.api.admin.v1.TransferLeadershipResponse;
import dev.metacluster.api.fs.v1.CompleteFileRequest;
import dev.metacluster.api.fs.v1.CompleteFileResponse;
import dev.metacluster.api.fs.v1.CreateDirectoryRequest;
import dev.metacluster.api.fs.v1.CreateDirectoryResponse;
import dev.metacluster.api.fs.v1.CreateFileRequest;
import dev.metacluster.api.fs.v1.CreateFileResponse;
import dev.metacluster.api.fs.v1.DeleteRequest;
import dev.metacluster.api.fs.v1.DeleteResponse;
import dev.metacluster.api.fs.v1.ExistsRequest;
import dev.metacluster.api.fs.v1.ExistsResponse;
import dev.metacluster.api.fs.v1.FileStatus;
import dev.metacluster.api.fs.v1.FileSystemServiceGrpc;
import dev.metacluster.api.fs.v1.GetStatusRequest;
import dev.metacluster.api.fs.v1.GetStatusResponse;
import dev.metacluster.api.fs.v1.ListStatusRequest;
import dev.metacluster.api.fs.v1.ListStatusResponse;
import dev.metacluster.api.fs.v1.RenameRequest;
import dev.metacluster.api.fs.v1.RenameResponse;
import dev.metacluster.api.fs.v1.SetAttributeRequest;
import dev.metacluster.api.fs.v1.SetAttributeResponse;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Deadline;
import io.grpc.ForwardingServerCall;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * A stand-in for a group of masters on in-process gRPC: one leader (or none), followers that answer
 * writes and linearizable reads with UNAVAILABLE + the leader hint, a shared namespace with a retry
 * cache keyed by (client id, call id), a log index per applied write, and failures to inject.
 * Records every call it receives.
 */
final class FakeCluster implements AutoCloseable {
  /** One call as a member received it. */
  record Call(
      String member, String method, Metadata headers, long arrivedNanos, Long deadlineNanos) {
    String header(Metadata.Key<String> key) {
      return headers.get(key);
    }

    String callKey() {
      return header(Headers.CLIENT_ID) + "/" + header(Headers.CALL_ID);
    }
  }

  /**
   * A failure injected for the next call of a method: {@code applied} applies the write first and
   * then loses the answer; {@code hang} never answers.
   */
  record Failure(String method, Status status, boolean applied, boolean hang) {}

  /** A listing stream that breaks after this many pages with this status (+ trailers). */
  record BrokenList(int pages, Status status, Metadata trailers) {}

  static final Context.Key<Metadata> HEADERS = Context.key("headers");
  static final Context.Key<AtomicLong> INDEX = Context.key("index");

  final List<String> addresses = new ArrayList<>();
  private final Map<String, Server> servers = new ConcurrentHashMap<>();
  private final List<ManagedChannel> channels = new CopyOnWriteArrayList<>();
  volatile String leader;
  volatile boolean hints = true;
  final List<Call> calls = new CopyOnWriteArrayList<>();
  final Queue<Failure> failures = new ConcurrentLinkedQueue<>();
  final Queue<BrokenList> brokenLists = new ConcurrentLinkedQueue<>();

  /** The listings served (not refused). */
  final List<ListStatusRequest> listRequests = new CopyOnWriteArrayList<>();

  final ConcurrentSkipListMap<String, FileStatus> files = new ConcurrentSkipListMap<>();
  private final Map<String, Object> retryCache = new ConcurrentHashMap<>();
  final Map<String, AtomicInteger> applied = new ConcurrentHashMap<>();
  final AtomicLong logIndex = new AtomicLong(100);
  final AtomicLong ids = new AtomicLong(1);
  volatile Runnable onCall = () -> {};
  volatile byte[] backup = new byte[0];
  volatile Supplier<BackupManifest> backupManifest;

  FakeCluster(int members) throws IOException {
    files.put("/", FileStatus.newBuilder().setPath("/").setDirectory(true).build());
    for (int i = 0; i < members; i++) {
      addresses.add("m" + i + ":" + (7000 + i));
    }
    for (String a : addresses) {
      start(a);
    }
    leader = members > 0 ? addresses.get(0) : null;
  }

  /** Starts a member on a real (Netty) server on 127.0.0.1; returns its address. */
  String startLoopback() throws IOException {
    int port;
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = probe.getLocalPort();
    }
    String address = "127.0.0.1:" + port;
    startLoopback(port);
    addresses.add(address);
    return address;
  }

  /** Starts (or restarts, after {@link #kill}) the loopback member on {@code port}. */
  void startLoopback(int port) throws IOException {
    String address = "127.0.0.1:" + port;
    ServerInterceptor interceptor = new Recorder(address);
    Server server =
        NettyServerBuilder.forAddress(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), port),
                InsecureServerCredentials.create())
            .addService(ServerInterceptors.intercept(new Fs(address), interceptor))
            .addService(ServerInterceptors.intercept(new Admin(address), interceptor))
            .build()
            .start();
    servers.put(address, server);
  }

  /** Starts (or restarts) the member at {@code address}. */
  void start(String address) throws IOException {
    ServerInterceptor interceptor = new Recorder(address);
    Server server =
        InProcessServerBuilder.forName(address)
            .addService(ServerInterceptors.intercept(new Fs(address), interceptor))
            .addService(ServerInterceptors.intercept(new Admin(address), interceptor))
            .build()
            .start();
    servers.put(address, server);
  }

  /** Kills the member at {@code address}: calls to it fail with UNAVAILABLE from then on. */
  void kill(String address) throws InterruptedException {
    Server server = servers.remove(address);
    server.shutdownNow();
    server.awaitTermination(5, TimeUnit.SECONDS);
  }

  /** The channel factory a client under test uses: in-process, by address. */
  ManagedChannel channel(String address) {
    ManagedChannel channel = InProcessChannelBuilder.forName(address).build();
    channels.add(channel);
    return channel;
  }

  List<ManagedChannel> channels() {
    return channels;
  }

  MetadataClient.Builder client() {
    return MetadataClient.builder()
        .addresses(addresses)
        .channelFactory(this::channel)
        .backoff(java.time.Duration.ofMillis(1), java.time.Duration.ofMillis(20));
  }

  List<Call> calls(String method) {
    return calls.stream().filter(c -> c.method().equals(method)).toList();
  }

  int applied(String method) {
    AtomicInteger n = applied.get(method);
    return n == null ? 0 : n.get();
  }

  void addChildren(String dir, int n) {
    for (int i = 0; i < n; i++) {
      String name = String.format("f%03d", i);
      put(dir + "/" + name, false);
    }
  }

  private FileStatus put(String path, boolean directory) {
    String name = path.substring(path.lastIndexOf('/') + 1);
    FileStatus s =
        FileStatus.newBuilder()
            .setId(ids.getAndIncrement())
            .setPath(path)
            .setName(name)
            .setDirectory(directory)
            .build();
    files.put(path, s);
    return s;
  }

  @Override
  public void close() throws InterruptedException {
    for (Server s : servers.values()) {
      s.shutdownNow();
    }
    for (Server s : servers.values()) {
      s.awaitTermination(5, TimeUnit.SECONDS);
    }
    for (ManagedChannel c : channels) {
      c.shutdownNow();
    }
  }

  private static String parent(String path) {
    int slash = path.lastIndexOf('/');
    return slash == 0 ? "/" : path.substring(0, slash);
  }

  /** Records calls, exposes the request headers, adds the log index to the response headers. */
  private final class Recorder implements ServerInterceptor {
    private final String member;

    Recorder(String member) {
      this.member = member;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(
        ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
      Deadline deadline = Context.current().getDeadline();
      long now = System.nanoTime();
      calls.add(
          new Call(
              member,
              call.getMethodDescriptor().getBareMethodName(),
              headers,
              now,
              deadline == null ? null : now + deadline.timeRemaining(TimeUnit.NANOSECONDS)));
      onCall.run();
      AtomicLong index = new AtomicLong();
      ServerCall<Q, R> withIndex =
          new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
            @Override
            public void sendHeaders(Metadata responseHeaders) {
              if (index.get() > 0) {
                responseHeaders.put(Headers.LOG_INDEX, Long.toString(index.get()));
              }
              super.sendHeaders(responseHeaders);
            }
          };
      Context context = Context.current().withValues(HEADERS, headers, INDEX, index);
      return Contexts.interceptCall(context, withIndex, headers, next);
    }
  }

  private StatusRuntimeException notLeader(String member) {
    Metadata trailers = new Metadata();
    String l = leader;
    if (hints && l != null && !l.equals(member)) {
      trailers.put(Headers.LEADER, l);
    }
    return Status.UNAVAILABLE
        .withDescription(l == null ? "no leader yet" : member + " is not the leader")
        .asRuntimeException(trailers);
  }

  private Failure takeFailure(String method) {
    for (Failure f : failures) {
      if (f.method().equals(method) && failures.remove(f)) {
        return f;
      }
    }
    return null;
  }

  /** A write on {@code member}: leader check, retry cache, injected failures, log index. */
  @SuppressWarnings("unchecked")
  private <R> void write(
      String member, String method, StreamObserver<R> observer, Supplier<R> apply) {
    if (!member.equals(leader)) {
      observer.onError(notLeader(member));
      return;
    }
    Metadata headers = HEADERS.get();
    String key = headers.get(Headers.CLIENT_ID) + "/" + headers.get(Headers.CALL_ID);
    Failure failure = takeFailure(method);
    if (failure != null && failure.hang()) {
      return; // never answers; the client's attempt deadline cancels it
    }
    if (failure != null && !failure.applied()) {
      observer.onError(failure.status().asRuntimeException());
      return;
    }
    Object result =
        retryCache.computeIfAbsent(
            key,
            k -> {
              Object r;
              try {
                r = apply.get();
              } catch (StatusRuntimeException e) {
                r = e.getStatus();
              }
              applied.computeIfAbsent(method, m -> new AtomicInteger()).incrementAndGet();
              return new Object[] {r, logIndex.incrementAndGet()};
            });
    Object[] entry = (Object[]) result;
    if (failure != null) {
      observer.onError(failure.status().asRuntimeException()); // applied, answer lost
      return;
    }
    if (entry[0] instanceof Status s) {
      observer.onError(s.asRuntimeException());
      return;
    }
    INDEX.get().set((Long) entry[1]);
    observer.onNext((R) entry[0]);
    observer.onCompleted();
  }

  /** A read on {@code member}: anywhere with the follower header, else on the leader only. */
  private <R> void read(
      String member, String method, StreamObserver<R> observer, Supplier<R> answer) {
    Metadata headers = HEADERS.get();
    boolean follower = Headers.READ_FOLLOWER.equals(headers.get(Headers.READ));
    if (!follower && !member.equals(leader)) {
      observer.onError(notLeader(member));
      return;
    }
    Failure failure = takeFailure(method);
    if (failure != null) {
      if (!failure.hang()) {
        observer.onError(failure.status().asRuntimeException());
      }
      return;
    }
    try {
      R r = answer.get();
      observer.onNext(r);
      observer.onCompleted();
    } catch (StatusRuntimeException e) {
      observer.onError(e);
    }
  }

  private FileStatus existing(String path) {
    FileStatus s = files.get(path);
    if (s == null) {
      throw Status.NOT_FOUND.withDescription(path + " does not exist").asRuntimeException();
    }
    return s;
  }

  private FileStatus create(String path, boolean directory, boolean recursive) {
    if (files.containsKey(path)) {
      if (directory && recursive && files.get(path).getDirectory()) {
        return files.get(path);
      }
      throw Status.ALREADY_EXISTS.withDescription(path + " exists").asRuntimeException();
    }
    String parent = parent(path);
    if (!files.containsKey(parent)) {
      if (!recursive) {
        throw Status.NOT_FOUND.withDescription(parent + " does not exist").asRuntimeException();
      }
      create(parent, true, true);
    }
    return put(path, directory);
  }

  private final class Fs extends FileSystemServiceGrpc.FileSystemServiceImplBase {
    private final String member;

    Fs(String member) {
      this.member = member;
    }

    @Override
    public void createDirectory(
        CreateDirectoryRequest r, StreamObserver<CreateDirectoryResponse> o) {
      write(
          member,
          "CreateDirectory",
          o,
          () ->
              CreateDirectoryResponse.newBuilder()
                  .setStatus(create(r.getPath(), true, r.getRecursive()))
                  .build());
    }

    @Override
    public void createFile(CreateFileRequest r, StreamObserver<CreateFileResponse> o) {
      write(
          member,
          "CreateFile",
          o,
          () ->
              CreateFileResponse.newBuilder()
                  .setStatus(create(r.getPath(), false, r.getRecursive()))
                  .build());
    }

    @Override
    public void completeFile(CompleteFileRequest r, StreamObserver<CompleteFileResponse> o) {
      write(
          member,
          "CompleteFile",
          o,
          () -> {
            FileStatus s =
                existing(r.getPath()).toBuilder()
                    .setCompleted(true)
                    .setLength(r.getLength())
                    .build();
            files.put(r.getPath(), s);
            return CompleteFileResponse.newBuilder().setStatus(s).build();
          });
    }

    @Override
    public void getStatus(GetStatusRequest r, StreamObserver<GetStatusResponse> o) {
      read(
          member,
          "GetStatus",
          o,
          () -> GetStatusResponse.newBuilder().setStatus(existing(r.getPath())).build());
    }

    @Override
    public void exists(ExistsRequest r, StreamObserver<ExistsResponse> o) {
      read(
          member,
          "Exists",
          o,
          () -> ExistsResponse.newBuilder().setExists(files.containsKey(r.getPath())).build());
    }

    @Override
    public void listStatus(ListStatusRequest r, StreamObserver<ListStatusResponse> o) {
      read(
          member,
          "ListStatus",
          new StreamObserver<ListStatusResponse>() {
            @Override
            public void onNext(ListStatusResponse value) {}

            @Override
            public void onError(Throwable t) {
              o.onError(t);
            }

            @Override
            public void onCompleted() {
              streamChildren(r, o);
            }
          },
          () -> {
            if (!existing(r.getPath()).getDirectory()) {
              throw Status.FAILED_PRECONDITION
                  .withDescription(r.getPath() + " is not a directory")
                  .asRuntimeException();
            }
            return ListStatusResponse.getDefaultInstance();
          });
    }

    private void streamChildren(ListStatusRequest r, StreamObserver<ListStatusResponse> o) {
      listRequests.add(r);
      String prefix = r.getPath().equals("/") ? "/" : r.getPath() + "/";
      List<FileStatus> children = new ArrayList<>();
      for (FileStatus s : files.tailMap(prefix, false).values()) {
        if (!s.getPath().startsWith(prefix)) {
          break;
        }
        String rest = s.getPath().substring(prefix.length());
        if (!rest.contains("/") && rest.compareTo(r.getStartAfter()) > 0) {
          children.add(s);
        }
      }
      if (r.getLimit() > 0 && children.size() > r.getLimit()) {
        children = children.subList(0, r.getLimit());
      }
      int pageSize = r.getPageSize() > 0 ? r.getPageSize() : 2;
      BrokenList broken = brokenLists.poll();
      int pages = 0;
      for (int i = 0; i < children.size(); i += pageSize) {
        if (broken != null && pages == broken.pages()) {
          o.onError(broken.status().asRuntimeException(broken.trailers()));
          return;
        }
        o.onNext(
            ListStatusResponse.newBuilder()
                .addAllEntries(children.subList(i, Math.min(children.size(), i + pageSize)))
                .build());
        pages++;
      }
      o.onCompleted();
    }

    @Override
    public void rename(RenameRequest r, StreamObserver<RenameResponse> o) {
      write(
          member,
          "Rename",
          o,
          () -> {
            FileStatus s = existing(r.getSrc());
            if (files.containsKey(r.getDst())) {
              throw Status.ALREADY_EXISTS.withDescription(r.getDst()).asRuntimeException();
            }
            files.remove(r.getSrc());
            String name = r.getDst().substring(r.getDst().lastIndexOf('/') + 1);
            FileStatus moved = s.toBuilder().setPath(r.getDst()).setName(name).build();
            files.put(r.getDst(), moved);
            return RenameResponse.newBuilder().setStatus(moved).build();
          });
    }

    @Override
    public void delete(DeleteRequest r, StreamObserver<DeleteResponse> o) {
      write(
          member,
          "Delete",
          o,
          () -> {
            existing(r.getPath());
            files.remove(r.getPath());
            return DeleteResponse.getDefaultInstance();
          });
    }

    @Override
    public void setAttribute(SetAttributeRequest r, StreamObserver<SetAttributeResponse> o) {
      write(
          member,
          "SetAttribute",
          o,
          () -> {
            FileStatus.Builder s = existing(r.getPath()).toBuilder();
            if (r.hasMode()) {
              s.setMode(r.getMode());
            }
            if (r.hasOwner()) {
              s.setOwner(r.getOwner());
            }
            s.putAllXattrs(r.getSetXattrsMap());
            files.put(r.getPath(), s.build());
            return SetAttributeResponse.newBuilder().setStatus(s.build()).build();
          });
    }
  }

  static String id(String address) {
    return address.substring(0, address.indexOf(':'));
  }

  List<Member> memberList() {
    List<Member> out = new ArrayList<>();
    for (String a : addresses) {
      out.add(
          Member.newBuilder()
              .setId(id(a))
              .setClientAddress(a)
              .setRaftAddress(id(a) + ":9000")
              .setLeader(a.equals(leader))
              .build());
    }
    return out;
  }

  private final class Admin extends ClusterAdminServiceGrpc.ClusterAdminServiceImplBase {
    private final String member;

    Admin(String member) {
      this.member = member;
    }

    @Override
    public void clusterInfo(ClusterInfoRequest r, StreamObserver<ClusterInfoResponse> o) {
      String l = leader;
      o.onNext(
          ClusterInfoResponse.newBuilder()
              .setClusterId("c1")
              .setMemberId(id(member))
              .setRole(member.equals(l) ? Role.LEADER : Role.FOLLOWER)
              .setLeaderId(l == null ? "" : id(l))
              .addAllMembers(memberList())
              .build());
      o.onCompleted();
    }

    @Override
    public void addMembers(AddMembersRequest r, StreamObserver<AddMembersResponse> o) {
      write(
          member,
          "AddMembers",
          o,
          () -> AddMembersResponse.newBuilder().addAllMembers(memberList()).build());
    }

    @Override
    public void removeMembers(RemoveMembersRequest r, StreamObserver<RemoveMembersResponse> o) {
      write(
          member,
          "RemoveMembers",
          o,
          () -> RemoveMembersResponse.newBuilder().addAllMembers(memberList()).build());
    }

    @Override
    public void transferLeadership(
        TransferLeadershipRequest r, StreamObserver<TransferLeadershipResponse> o) {
      write(
          member,
          "TransferLeadership",
          o,
          () -> {
            String target =
                addresses.stream().filter(a -> id(a).equals(r.getTargetId())).findFirst().get();
            leader = target;
            return TransferLeadershipResponse.newBuilder().setLeaderId(r.getTargetId()).build();
          });
    }

    @Override
    public void takeSnapshot(TakeSnapshotRequest r, StreamObserver<TakeSnapshotResponse> o) {
      o.onNext(TakeSnapshotResponse.newBuilder().setIndex(logIndex.get()).build());
      o.onCompleted();
    }

    @Override
    public void backup(BackupRequest r, StreamObserver<BackupChunk> o) {
      if (!member.equals(leader)) {
        o.onError(notLeader(member));
        return;
      }
      byte[] data = backup;
      int third = Math.max(1, data.length / 3);
      List<ByteString> pieces = new ArrayList<>();
      for (int i = 0; i < data.length; i += third) {
        pieces.add(ByteString.copyFrom(data, i, Math.min(third, data.length - i)));
      }
      for (int i = 0; i < pieces.size() - 1; i++) {
        o.onNext(BackupChunk.newBuilder().setData(pieces.get(i)).build());
      }
      BackupChunk.Builder last = BackupChunk.newBuilder();
      if (!pieces.isEmpty()) {
        last.setData(pieces.get(pieces.size() - 1));
      }
      BackupManifest manifest = backupManifest != null ? backupManifest.get() : manifestOf(data);
      if (manifest != null) {
        last.setManifest(manifest);
      }
      o.onNext(last.build());
      o.onCompleted();
    }
  }

  static BackupManifest manifestOf(byte[] data) {
    try {
      byte[] sha = MessageDigest.getInstance("SHA-256").digest(data);
      return BackupManifest.newBuilder()
          .setClusterId("c1")
          .setIndex(42)
          .setArchiveBytes(data.length)
          .setArchiveSha256(java.util.HexFormat.of().formatHex(sha))
          .build();
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static Map<String, Integer> countBy(List<Call> calls) {
    Map<String, Integer> out = new HashMap<>();
    for (Call c : calls) {
      out.merge(c.member(), 1, Integer::sum);
    }
    return Collections.unmodifiableMap(out);
  }
}

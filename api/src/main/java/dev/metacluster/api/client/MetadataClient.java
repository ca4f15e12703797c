package dev.metacluster.api.client;

import dev.metacluster.api.Headers;
import dev.metacluster.api.admin.v1.AddMembersRequest;
import dev.metacluster.api.admin.v1.BackupChunk;
import dev.metacluster.api.admin.v1.BackupManifest;
import dev.metacluster.api.admin.v1.BackupRequest;
import dev.metacluster.api.admin.v1.ClusterAdminServiceGrpc;
import dev.metacluster.api.admin.v1.ClusterInfoRequest;
import dev.metacluster.api.admin.v1.ClusterInfoResponse;
import dev.metacluster.api.admin.v1.Member;
import dev.metacluster.api.admin.v1.MemberAddress;
import dev.metacluster.api.admin.v1.RemoveMembersRequest;
import dev.metacluster.api.admin.v1.Role;
import dev.metacluster.api.admin.v1.TakeSnapshotRequest;
import dev.metacluster.api.admin.v1.TransferLeadershipRequest;
import dev.metacluster.api.fs.v1.CompleteFileRequest;
import dev.metacluster.api.fs.v1.CreateDirectoryRequest;
import dev.metacluster.api.fs.v1.CreateFileRequest;
import dev.metacluster.api.fs.v1.DeleteRequest;
import dev.metacluster.api.fs.v1.ExistsRequest;
import dev.metacluster.api.fs.v1.FileStatus;
import dev.metacluster.api.fs.v1.FileSystemServiceGrpc;
import dev.metacluster.api.fs.v1.GetStatusRequest;
import dev.metacluster.api.fs.v1.ListStatusRequest;
import dev.metacluster.api.fs.v1.RenameRequest;
import dev.metacluster.api.fs.v1.SetAttributeRequest;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * The Java client of a metacluster: the file-system API ({@code metacluster.fs.v1}) and the admin
 * API ({@code metacluster.admin.v1}) of a group of masters, with leader discovery, retries and
 * deadlines (docs/CLIENT.md).
 *
 * <p>One instance per process is enough: it is thread-safe, keeps one channel per member address
 * and remembers the leader. {@link #close()} shuts the channels down.
 *
 * <pre>{@code
 * try (MetadataClient client = MetadataClient.builder().target("m1:9200,m2:9200,m3:9200").build()) {
 *   client.createDirectory("/data", true);
 *   try (Stream<FileStatus> children = client.listStatus("/data")) {
 *     children.forEach(s -> System.out.println(s.getPath()));
 *   }
 * }
 * }</pre>
 *
 * <p>Every call throws {@link MetadataException} (unchecked) with the gRPC status code: the
 * server's final answers ({@code NOT_FOUND}, {@code ALREADY_EXISTS}, {@code INVALID_ARGUMENT},
 * {@code FAILED_PRECONDITION}, ...) at once, {@code UNAVAILABLE} or {@code DEADLINE_EXCEEDED} once
 * the retries are spent.
 */
public final class MetadataClient implements AutoCloseable {
  private final Members members;
  private final RetryPolicy policy;
  private final long callTimeoutNanos;
  private final long backupTimeoutNanos;
  private final boolean followerReads;
  private final String clientId = UUID.randomUUID().toString();
  private final AtomicLong callIds = new AtomicLong();
  private final AtomicLong lastSeenIndex = new AtomicLong();

  private MetadataClient(Builder b, Members members) {
    this.members = members;
    this.policy =
        new RetryPolicy(
            b.maxAttempts,
            Math.min(b.attemptTimeout.toNanos(), b.callTimeout.toNanos()),
            b.initialBackoff.toNanos(),
            Math.max(b.initialBackoff.toNanos(), b.maxBackoff.toNanos()));
    this.callTimeoutNanos = b.callTimeout.toNanos();
    this.backupTimeoutNanos = b.backupTimeout.toNanos();
    this.followerReads = b.followerReads;
  }

  public static Builder builder() {
    return new Builder();
  }

  // ---- file system -------------------------------------------------------------------------

  /** Creates a directory; with {@code recursive}, also its parents, and an existing one is fine. */
  public FileStatus createDirectory(String path, boolean recursive) {
    return createDirectory(
        CreateDirectoryRequest.newBuilder().setPath(path).setRecursive(recursive).build());
  }

  public FileStatus createDirectory(CreateDirectoryRequest request) {
    return write(FileSystemServiceGrpc.getCreateDirectoryMethod(), request).getStatus();
  }

  /** Creates an empty, incomplete file; with {@code recursive}, also its missing parents. */
  public FileStatus createFile(String path, boolean recursive) {
    return createFile(CreateFileRequest.newBuilder().setPath(path).setRecursive(recursive).build());
  }

  public FileStatus createFile(CreateFileRequest request) {
    return write(FileSystemServiceGrpc.getCreateFileMethod(), request).getStatus();
  }

  /** Marks a file complete with its final length. */
  public FileStatus completeFile(String path, long length) {
    CompleteFileRequest request =
        CompleteFileRequest.newBuilder().setPath(path).setLength(length).build();
    return write(FileSystemServiceGrpc.getCompleteFileMethod(), request).getStatus();
  }

  public FileStatus getStatus(String path) {
    GetStatusRequest request = GetStatusRequest.newBuilder().setPath(path).build();
    return read(FileSystemServiceGrpc.getGetStatusMethod(), request).getStatus();
  }

  public boolean exists(String path) {
    ExistsRequest request = ExistsRequest.newBuilder().setPath(path).build();
    return read(FileSystemServiceGrpc.getExistsMethod(), request).getExists();
  }

  /**
   * The children of a directory in name order. The stream is lazy and holds a server stream open:
   * close it (try-with-resources) when not read to the end. Errors about the directory itself
   * (NOT_FOUND, FAILED_PRECONDITION) are thrown here; later ones from the stream's operations.
   */
  public Stream<FileStatus> listStatus(String path) {
    return listStatus(ListStatusRequest.newBuilder().setPath(path).build());
  }

  /** As {@link #listStatus(String)}, with start_after, limit and page_size of the request. */
  public Stream<FileStatus> listStatus(ListStatusRequest request) {
    DirectoryListing listing = listStatusIterator(request);
    return StreamSupport.stream(
            Spliterators.spliteratorUnknownSize(
                listing, Spliterator.ORDERED | Spliterator.NONNULL | Spliterator.DISTINCT),
            false)
        .onClose(listing::close);
  }

  /**
   * The children of a directory as an iterator over the server's pages, resuming after the last
   * name received when a stream breaks or the leader changes. Close it when not read to the end.
   */
  public DirectoryListing listStatusIterator(ListStatusRequest request) {
    DirectoryListing listing = new DirectoryListing(this, request);
    try {
      listing.hasNext(); // fail here if the directory cannot be listed at all
    } catch (RuntimeException e) {
      listing.close();
      throw e;
    }
    return listing;
  }

  /** Moves {@code src} to {@code dst} (which must not exist); returns the inode at {@code dst}. */
  public FileStatus rename(String src, String dst) {
    RenameRequest request = RenameRequest.newBuilder().setSrc(src).setDst(dst).build();
    return write(FileSystemServiceGrpc.getRenameMethod(), request).getStatus();
  }

  /** Deletes a file or an empty directory; with {@code recursive}, a whole subtree. */
  public void delete(String path, boolean recursive) {
    DeleteRequest request =
        DeleteRequest.newBuilder().setPath(path).setRecursive(recursive).build();
    write(FileSystemServiceGrpc.getDeleteMethod(), request);
  }

  /** Changes the attributes set in the request, leaving the others. */
  public FileStatus setAttribute(SetAttributeRequest request) {
    return write(FileSystemServiceGrpc.getSetAttributeMethod(), request).getStatus();
  }

  // ---- admin -------------------------------------------------------------------------------

  /**
   * The leader's view of the group. Asks the remembered leader or any member, and when the member
   * that answers is not the leader, asks the leader it names.
   */
  public ClusterInfoResponse clusterInfo() {
    ClusterInfoRequest request = ClusterInfoRequest.getDefaultInstance();
    Attempts attempts = attempts(Attempts.Route.LEADER, null, callTimeoutNanos);
    while (true) {
      String address = attempts.next();
      ClusterInfoResponse info;
      try {
        info =
            call(
                address,
                ClusterAdminServiceGrpc.getClusterInfoMethod(),
                request,
                new Metadata(),
                attempts,
                null);
      } catch (StatusRuntimeException e) {
        attempts.failed(address, e.getStatus(), e.getTrailers());
        continue;
      }
      if (info.getRole() == Role.LEADER) {
        attempts.succeeded(address);
        return info;
      }
      String leader =
          info.getMembersList().stream()
              .filter(m -> m.getLeader() || m.getId().equals(info.getLeaderId()))
              .filter(m -> !info.getLeaderId().isEmpty() || m.getLeader())
              .map(Member::getClientAddress)
              .filter(a -> !a.isEmpty())
              .findFirst()
              .orElse(null);
      attempts.redirect(
          leader,
          Status.UNAVAILABLE.withDescription(
              "member " + info.getMemberId() + " is " + info.getRole() + "; no leader known"));
    }
  }

  /** The view of the member at {@code memberAddress} (host:port), one attempt, no redirect. */
  public ClusterInfoResponse clusterInfo(String memberAddress) {
    return unary(
        Attempts.Route.FIXED,
        memberAddress,
        ClusterAdminServiceGrpc.getClusterInfoMethod(),
        ClusterInfoRequest.getDefaultInstance(),
        false);
  }

  /** Adds members to the group (members already in it are ignored); returns the new members. */
  public List<Member> addMembers(List<MemberAddress> newMembers) {
    AddMembersRequest request = AddMembersRequest.newBuilder().addAllMembers(newMembers).build();
    return write(ClusterAdminServiceGrpc.getAddMembersMethod(), request).getMembersList();
  }

  /** Removes members from the group (ids not in it are ignored); returns the members left. */
  public List<Member> removeMembers(List<String> memberIds) {
    RemoveMembersRequest request =
        RemoveMembersRequest.newBuilder().addAllMemberIds(memberIds).build();
    return write(ClusterAdminServiceGrpc.getRemoveMembersMethod(), request).getMembersList();
  }

  /**
   * Moves leadership to {@code targetId} ("" = the most caught-up follower); returns the new
   * leader's id. The client forgets the leader it remembered.
   */
  public String transferLeadership(String targetId) {
    TransferLeadershipRequest request =
        TransferLeadershipRequest.newBuilder().setTargetId(targetId).build();
    String leaderId =
        write(ClusterAdminServiceGrpc.getTransferLeadershipMethod(), request).getLeaderId();
    String leader = members.leader();
    if (leader != null) {
      members.leaderFailed(leader);
    }
    return leaderId;
  }

  /** Takes a snapshot on the leader now; returns its log index. */
  public long takeSnapshot() {
    return unary(
            Attempts.Route.LEADER,
            null,
            ClusterAdminServiceGrpc.getTakeSnapshotMethod(),
            TakeSnapshotRequest.getDefaultInstance(),
            false)
        .getIndex();
  }

  /** Takes a snapshot on the member at {@code memberAddress} now (one attempt). */
  public long takeSnapshot(String memberAddress) {
    return unary(
            Attempts.Route.FIXED,
            memberAddress,
            ClusterAdminServiceGrpc.getTakeSnapshotMethod(),
            TakeSnapshotRequest.getDefaultInstance(),
            false)
        .getIndex();
  }

  /**
   * Streams a backup archive from the leader into {@code out} and checks it against the manifest of
   * the last message (SHA-256 and length). The deadline is the builder's backup timeout. The call
   * is retried (leader hints, unavailable members) only until the first byte is written; after that
   * a failure is thrown. A mismatch throws {@code DATA_LOSS}: discard what was written.
   *
   * @throws IOException when writing to {@code out} fails
   */
  public BackupManifest backup(OutputStream out) throws IOException {
    Objects.requireNonNull(out, "out");
    Attempts attempts = attempts(Attempts.Route.LEADER, null, backupTimeoutNanos);
    while (true) {
      String address = attempts.next();
      MessageDigest sha256 = sha256();
      long written = 0;
      BackupManifest manifest = null;
      try (Context.CancellableContext context = Context.current().withCancellation()) {
        Iterator<BackupChunk> chunks =
            serverStream(
                context,
                address,
                ClusterAdminServiceGrpc.getBackupMethod(),
                BackupRequest.getDefaultInstance(),
                new Metadata(),
                attempts.callDeadline()); // the whole backup, not one attempt's share
        try {
          while (chunks.hasNext()) {
            BackupChunk chunk = chunks.next();
            if (manifest != null) {
              throw new MetadataException(
                  Status.Code.DATA_LOSS, "backup stream went on after its manifest", address, null);
            }
            if (!chunk.getData().isEmpty()) {
              chunk.getData().writeTo(out);
              chunk.getData().asReadOnlyByteBufferList().forEach(sha256::update);
              written += chunk.getData().size();
            }
            if (chunk.hasManifest()) {
              manifest = chunk.getManifest();
            }
          }
        } catch (StatusRuntimeException e) {
          if (written > 0) {
            throw MetadataException.of(
                e.getStatus().augmentDescription("backup broke off after " + written + " bytes"),
                address);
          }
          attempts.failed(address, e.getStatus(), e.getTrailers());
          continue;
        }
      }
      attempts.succeeded(address);
      if (manifest == null) {
        throw new MetadataException(
            Status.Code.DATA_LOSS,
            "backup stream ended after " + written + " bytes without a manifest",
            address,
            null);
      }
      String actual = HexFormat.of().formatHex(sha256.digest());
      if (!actual.equalsIgnoreCase(manifest.getArchiveSha256())) {
        throw new MetadataException(
            Status.Code.DATA_LOSS,
            "backup archive SHA-256 is "
                + actual
                + " but the manifest says "
                + manifest.getArchiveSha256(),
            address,
            null);
      }
      if (manifest.getArchiveBytes() != written) {
        throw new MetadataException(
            Status.Code.DATA_LOSS,
            "backup archive has "
                + written
                + " bytes but the manifest says "
                + manifest.getArchiveBytes(),
            address,
            null);
      }
      return manifest;
    }
  }

  // ---- the client itself -------------------------------------------------------------------

  /** The member this client last saw leading (host:port), if any. */
  public Optional<String> leader() {
    return Optional.ofNullable(members.leader());
  }

  /** The highest journal index of this client's writes (0 before the first). */
  public long lastSeenIndex() {
    return lastSeenIndex.get();
  }

  /** This client's identity in the journal's retry cache (a random UUID per instance). */
  public String clientId() {
    return clientId;
  }

  /** The member addresses known now (the seed list, or what the DNS name resolved to). */
  public List<String> addresses() {
    return members.seeds();
  }

  /** Shuts the channels down (waiting up to 5 s for calls in flight). Idempotent. */
  @Override
  public void close() {
    members.close();
  }

  // ---- internals ---------------------------------------------------------------------------

  Attempts attempts(Attempts.Route route, String fixed, long timeoutNanos) {
    return new Attempts(members, policy, route, fixed, timeoutNanos);
  }

  long callTimeoutNanos() {
    return callTimeoutNanos;
  }

  Attempts.Route readRoute() {
    return followerReads ? Attempts.Route.ANY : Attempts.Route.LEADER;
  }

  Metadata readHeaders() {
    Metadata headers = new Metadata();
    if (followerReads) {
      headers.put(Headers.READ, Headers.READ_FOLLOWER);
      long index = lastSeenIndex.get();
      if (index > 0) {
        headers.put(Headers.MIN_INDEX, Long.toString(index));
      }
    }
    return headers;
  }

  private <Q, R> R write(MethodDescriptor<Q, R> method, Q request) {
    return unary(Attempts.Route.LEADER, null, method, request, true);
  }

  private <Q, R> R read(MethodDescriptor<Q, R> method, Q request) {
    return unary(readRoute(), null, method, request, false);
  }

  private <Q, R> R unary(
      Attempts.Route route, String fixed, MethodDescriptor<Q, R> method, Q request, boolean write) {
    Metadata headers;
    if (write) {
      // one call id for every attempt of this write: the journal applies it once
      headers = new Metadata();
      headers.put(Headers.CLIENT_ID, clientId);
      headers.put(Headers.CALL_ID, Long.toString(callIds.incrementAndGet()));
    } else if (route == Attempts.Route.FIXED) {
      headers = new Metadata();
    } else {
      headers = readHeaders();
    }
    Attempts attempts = attempts(route, fixed, callTimeoutNanos);
    while (true) {
      String address = attempts.next();
      AtomicReference<Metadata> responseHeaders = new AtomicReference<>();
      try {
        R response = call(address, method, request, headers, attempts, responseHeaders);
        attempts.succeeded(address);
        if (write) {
          observeIndex(responseHeaders.get());
        }
        return response;
      } catch (StatusRuntimeException e) {
        attempts.failed(address, e.getStatus(), e.getTrailers());
      }
    }
  }

  private <Q, R> R call(
      String address,
      MethodDescriptor<Q, R> method,
      Q request,
      Metadata headers,
      Attempts attempts,
      AtomicReference<Metadata> responseHeaders) {
    Channel channel = channel(address, headers, responseHeaders);
    return ClientCalls.blockingUnaryCall(
        channel, method, CallOptions.DEFAULT.withDeadline(attempts.attemptDeadline()), request);
  }

  /** Starts a server-streaming call inside {@code context}: cancelling it cancels the call. */
  <Q, R> Iterator<R> serverStream(
      Context.CancellableContext context,
      String address,
      MethodDescriptor<Q, R> method,
      Q request,
      Metadata headers,
      Deadline deadline) {
    Channel channel = channel(address, headers, null);
    CallOptions options = CallOptions.DEFAULT.withDeadline(deadline);
    Context previous = context.attach();
    try {
      return ClientCalls.blockingServerStreamingCall(channel, method, options, request);
    } finally {
      context.detach(previous);
    }
  }

  private Channel channel(
      String address, Metadata headers, AtomicReference<Metadata> responseHeaders) {
    Channel channel =
        ClientInterceptors.intercept(
            members.channel(address), MetadataUtils.newAttachHeadersInterceptor(headers));
    if (responseHeaders != null) {
      channel =
          ClientInterceptors.intercept(
              channel,
              MetadataUtils.newCaptureMetadataInterceptor(
                  responseHeaders, new AtomicReference<>()));
    }
    return channel;
  }

  private void observeIndex(Metadata responseHeaders) {
    if (responseHeaders == null) {
      return;
    }
    String value = responseHeaders.get(Headers.LOG_INDEX);
    if (value == null) {
      return;
    }
    try {
      long index = Long.parseLong(value.trim());
      lastSeenIndex.accumulateAndGet(index, Math::max);
    } catch (NumberFormatException e) {
      // a malformed header only costs read-your-writes on follower reads
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JRE has SHA-256", e);
    }
  }

  /**
   * Builds a {@link MetadataClient}. Defaults: call timeout 30 s, attempt timeout 10 s, at most 50
   * attempts per call, backoff from 100 ms doubling to 2 s (each sleep jittered to 50..100% of its
   * step), linearizable reads on the leader (no follower reads), inbound messages up to 16 MiB,
   * backup timeout 1 h, plaintext.
   */
  public static final class Builder {
    private List<String> addresses = List.of();
    private String dnsName;
    private Duration callTimeout = Duration.ofSeconds(30);
    private Duration attemptTimeout = Duration.ofSeconds(10);
    private Duration backupTimeout = Duration.ofHours(1);
    private int maxAttempts = 50;
    private Duration initialBackoff = Duration.ofMillis(100);
    private Duration maxBackoff = Duration.ofSeconds(2);
    private boolean followerReads;
    private int maxInboundMessageSize = 16 * 1024 * 1024;
    private Function<String, ManagedChannel> channelFactory;
    private Function<HostPort, List<String>> resolver = Builder::resolveAll;

    private Builder() {}

    /**
     * Where the masters are: {@code host:port,host:port,...} (a fixed list), {@code
     * dns:///name:port} or a single {@code name:port} (a DNS name whose every A/AAAA record is a
     * member; resolved again when every known member fails).
     */
    public Builder target(String target) {
      String t = target.trim();
      if (t.startsWith("dns:///")) {
        return dnsName(t.substring("dns:///".length()));
      }
      if (t.indexOf(',') >= 0) {
        return addresses(Arrays.asList(t.split(",")));
      }
      return dnsName(t);
    }

    /** A fixed list of member addresses, host:port each. */
    public Builder addresses(List<String> addresses) {
      List<String> parsed = new ArrayList<>();
      for (String a : addresses) {
        if (!a.isBlank()) {
          String address = HostPort.parse(a).toString();
          if (!parsed.contains(address)) {
            parsed.add(address);
          }
        }
      }
      if (parsed.isEmpty()) {
        throw new IllegalArgumentException("no member address in " + addresses);
      }
      this.addresses = List.copyOf(parsed);
      this.dnsName = null;
      return this;
    }

    /** One DNS name (name:port) that resolves to every member. */
    public Builder dnsName(String nameAndPort) {
      this.dnsName = HostPort.parse(nameAndPort).toString();
      this.addresses = List.of();
      return this;
    }

    /** The deadline of one call across all its attempts and backoffs. Default 30 s. */
    public Builder callTimeout(Duration timeout) {
      this.callTimeout = positive(timeout, "callTimeout");
      return this;
    }

    /**
     * The deadline of one attempt (capped by what is left of the call's): a member that does not
     * answer within it is left for another. Default 10 s.
     */
    public Builder attemptTimeout(Duration timeout) {
      this.attemptTimeout = positive(timeout, "attemptTimeout");
      return this;
    }

    /** The deadline of {@link MetadataClient#backup}. Default 1 h. */
    public Builder backupTimeout(Duration timeout) {
      this.backupTimeout = positive(timeout, "backupTimeout");
      return this;
    }

    /**
     * Attempts per call at most, leader hints included. Default 50; the deadline usually ends a
     * call first.
     */
    public Builder maxAttempts(int maxAttempts) {
      if (maxAttempts < 1) {
        throw new IllegalArgumentException("maxAttempts must be >= 1: " + maxAttempts);
      }
      this.maxAttempts = maxAttempts;
      return this;
    }

    /** Backoff after a round in which every member failed: initial step and cap. */
    public Builder backoff(Duration initial, Duration max) {
      this.initialBackoff = positive(initial, "initial backoff");
      this.maxBackoff = positive(max, "max backoff");
      return this;
    }

    /**
     * Reads (getStatus, exists, listStatus) go to any member, spread over all of them, with
     * read-your-writes: each read carries the highest log index of this client's writes. Default
     * off: reads are linearizable, on the leader.
     */
    public Builder followerReads(boolean followerReads) {
      this.followerReads = followerReads;
      return this;
    }

    /** The largest message the client accepts. Default 16 MiB. */
    public Builder maxInboundMessageSize(int bytes) {
      if (bytes <= 0) {
        throw new IllegalArgumentException("maxInboundMessageSize must be > 0: " + bytes);
      }
      this.maxInboundMessageSize = bytes;
      return this;
    }

    /** Tests: how an address becomes a channel. */
    Builder channelFactory(Function<String, ManagedChannel> channelFactory) {
      this.channelFactory = channelFactory;
      return this;
    }

    /** Tests: how the DNS name becomes addresses. */
    Builder resolver(Function<HostPort, List<String>> resolver) {
      this.resolver = resolver;
      return this;
    }

    public MetadataClient build() {
      if (addresses.isEmpty() && dnsName == null) {
        throw new IllegalStateException("no target: set addresses or a DNS name");
      }
      Function<String, ManagedChannel> factory =
          channelFactory != null ? channelFactory : this::plaintextChannel;
      Members members;
      if (dnsName != null) {
        HostPort name = HostPort.parse(dnsName);
        Function<HostPort, List<String>> r = resolver;
        members = new Members(dnsName, List.of(), () -> r.apply(name), factory);
      } else {
        members = new Members(String.join(",", addresses), addresses, null, factory);
      }
      return new MetadataClient(this, members);
    }

    private ManagedChannel plaintextChannel(String address) {
      HostPort hp = HostPort.parse(address);
      return Grpc.newChannelBuilderForAddress(
              hp.host(), hp.port(), InsecureChannelCredentials.create())
          .maxInboundMessageSize(maxInboundMessageSize)
          .build();
    }

    private static List<String> resolveAll(HostPort name) {
      try {
        List<String> out = new ArrayList<>();
        for (InetAddress a : InetAddress.getAllByName(name.host())) {
          String address = new HostPort(a.getHostAddress(), name.port()).toString();
          if (!out.contains(address)) {
            out.add(address);
          }
        }
        return out;
      } catch (UnknownHostException e) {
        throw new IllegalStateException("cannot resolve " + name.host(), e);
      }
    }

    private static Duration positive(Duration d, String what) {
      if (d == null || d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(what + " must be > 0: " + d);
      }
      return d;
    }
  }
}

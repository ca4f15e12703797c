package dev.metacluster.master.journal;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.metacluster.master.proto.CommandResult;
import dev.metacluster.master.proto.NamespaceCommand;
import dev.metacluster.master.proto.ReadReply;
import dev.metacluster.master.proto.ReadRequest;
import dev.metacluster.master.store.Metastore;
import dev.metacluster.master.store.StoreConfig;
import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.proto.RaftProtos.RoleInfoProto;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientAsynchronousProtocol;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.exceptions.LeaderNotReadyException;
import org.apache.ratis.protocol.exceptions.NotLeaderException;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.impl.LeaseReadIndex;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.util.SizeInBytes;
import org.apache.ratis.util.TimeDuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One member of the replicated journal: an embedded Ratis server (gRPC transport) whose state
 * machine is the namespace. Writes submitted here are committed by a majority and applied on every
 * member; reads are linearizable on the leader, or bounded-stale on any member.
 */
public final class JournalServer implements Closeable {
  private static final Logger LOG = LoggerFactory.getLogger(JournalServer.class);

  private final JournalConfig config;
  private final RaftGroup group;
  private final RaftPeerId selfId;
  private final JournalStateMachine stateMachine;
  private final RaftServer server;
  private final PeerChannels peerChannels;
  // How long a write that reached this member during an election waits for its outcome.
  private final long leaderWaitNanos;
  // The last index of this member's Raft log when it started (-1 if empty), see logEndAtStart().
  private volatile long logEndAtStart = -1;
  private volatile boolean closing;
  private final ClientId localClientId = ClientId.randomId();
  private final AtomicLong localCallId = new AtomicLong();
  // This member's division of the group, looked up once it exists (see division()).
  private volatile RaftServer.Division division;

  public JournalServer(JournalConfig config, StoreConfig storeConfig) throws IOException {
    this.config = config;
    this.group = group(config.groupUuid(), config.peers(), config.clientAddresses());
    this.selfId = RaftPeerId.valueOf(config.memberId());
    // A joining member starts outside any configuration: it must not hold elections with peers
    // that have never heard of it; the leader brings it in (AddMembers) once it has caught up.
    RaftGroup startGroup = config.join() ? RaftGroup.valueOf(group.getGroupId()) : group;
    refuseOtherGroups(config.journalDir(), group.getGroupId().getUuid());
    // The Raft log is the write-ahead log: RocksDB runs without its own, the applied index is
    // written in every batch and flushed atomically with the data, and the log is purged only up
    // to the latest snapshot (a flushed checkpoint). A crash replays the log from that snapshot.
    StoreConfig withoutWal =
        new StoreConfig(
            config.metastoreDir(),
            storeConfig.inodeCacheEntries(),
            storeConfig.edgeCacheEntries(),
            storeConfig.blockCacheBytes(),
            false);
    Metastore metastore =
        new Metastore(config.metastoreDir(), withoutWal, group.getGroupId().getUuid().toString());
    if (!Files.exists(config.journalDir().resolve(group.getGroupId().getUuid().toString()))) {
      // A new Raft log (first start, or the journal volume was lost): whatever the metastore kept,
      // this member no longer holds what it acknowledged, so it gets a new store id.
      metastore.forgetStoreId();
    }
    this.stateMachine = new JournalStateMachine(metastore);
    this.server =
        RaftServer.newBuilder()
            .setServerId(selfId)
            .setGroup(startGroup)
            .setStateMachine(stateMachine)
            .setProperties(serverProperties(config))
            .setOption(RaftStorage.StartupOption.RECOVER)
            .build();
    this.peerChannels = new PeerChannels(server, group.getGroupId());
    // Two election timeouts: a normal election (pre-vote and vote) ends well within it.
    this.leaderWaitNanos = 2 * config.electionTimeoutMax().toNanos();
  }

  /**
   * Refuses a journal directory that holds another cluster's Raft log. Ratis would start every
   * group it finds there, all on this member's one state machine, and the failure would be a
   * confusing one (whichever group's start failed first).
   */
  private static void refuseOtherGroups(Path journalDir, java.util.UUID own) throws IOException {
    if (!Files.isDirectory(journalDir)) {
      return;
    }
    try (Stream<Path> entries = Files.list(journalDir)) {
      for (Path entry : (Iterable<Path>) entries::iterator) {
        String name = entry.getFileName().toString();
        java.util.UUID group = parseUuid(name);
        if (Files.isDirectory(entry) && group != null && !group.equals(own)) {
          throw new IOException(
              "journal directory "
                  + journalDir
                  + " belongs to cluster "
                  + name
                  + ", not to "
                  + own
                  + "; refusing to serve another cluster's data");
        }
      }
    }
  }

  /** The group id a directory name stands for, parsed as Ratis parses it; null if none. */
  private static java.util.UUID parseUuid(String name) {
    try {
      return java.util.UUID.fromString(name);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /** The Raft group for a cluster: every member's id and address. */
  public static RaftGroup group(java.util.UUID groupUuid, Map<String, InetSocketAddress> peers) {
    return group(groupUuid, peers, Map.of());
  }

  /** The Raft group, with the client API address of each member where known. */
  public static RaftGroup group(
      java.util.UUID groupUuid,
      Map<String, InetSocketAddress> peers,
      Map<String, InetSocketAddress> clientAddresses) {
    List<RaftPeer> raftPeers =
        peers.entrySet().stream()
            .sorted(Map.Entry.comparingByKey())
            .map(e -> peer(e.getKey(), e.getValue(), clientAddresses.get(e.getKey())))
            .toList();
    return RaftGroup.valueOf(RaftGroupId.valueOf(groupUuid), raftPeers);
  }

  public static RaftPeer peer(String id, InetSocketAddress address) {
    return peer(id, address, null);
  }

  /** A member: its Raft address and, if not null, its client API address. */
  public static RaftPeer peer(String id, InetSocketAddress address, InetSocketAddress client) {
    RaftPeer.Builder peer = RaftPeer.newBuilder().setId(id).setAddress(hostPort(address));
    if (client != null) {
      peer.setClientAddress(hostPort(client));
    }
    return peer.build();
  }

  private static String hostPort(InetSocketAddress address) {
    return address.getHostString() + ":" + address.getPort();
  }

  static RaftProperties serverProperties(JournalConfig config) {
    RaftProperties p = new RaftProperties();
    InetSocketAddress self = config.peers().get(config.memberId());
    RaftServerConfigKeys.setStorageDir(p, List.of(config.journalDir().toFile()));
    // gRPC, with a leader that sends a snapshot when a follower's previous entry is purged.
    SnapshotFallbackGrpc.use(p);
    GrpcConfigKeys.Server.setHost(p, self.getHostString());
    GrpcConfigKeys.Server.setPort(p, self.getPort());
    RaftServerConfigKeys.Rpc.setTimeoutMin(p, millis(config.electionTimeoutMin().toMillis()));
    RaftServerConfigKeys.Rpc.setTimeoutMax(p, millis(config.electionTimeoutMax().toMillis()));
    RaftServerConfigKeys.Rpc.setRequestTimeout(p, millis(config.requestTimeout().toMillis()));
    RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(p, true);
    RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(p, config.snapshotThreshold());
    RaftServerConfigKeys.Log.setSegmentSizeMax(p, SizeInBytes.valueOf(config.logSegmentBytes()));
    // The log is the write-ahead log: never purge past the latest snapshot (a flushed checkpoint).
    RaftServerConfigKeys.Log.setPurgeUptoSnapshotIndex(p, true);
    RaftServerConfigKeys.Log.setPurgeGap(p, config.purgeGap());
    // fsync on the log worker itself. Entries arriving during an fsync queue up and share the next
    // one (group commit, up to raft.server.log.force.sync.num = 128 entries). Not Ratis's async
    // flush: in 3.2.2 its completion marks as flushed every entry written by the time the fsync
    // *returns* (SegmentedRaftLogWorker.asyncFlushOutStream reads lastWrittenIndex in the
    // callback),
    // including entries written after the fsync started and still in the write buffer, and it
    // ignores a failed fsync; such entries could count towards commit unsynced. Measured: no
    // throughput difference on this machine (docs/BENCHMARKS.md).
    RaftServerConfigKeys.Log.setAsyncFlushEnabled(p, false);
    // No metadata entry (the new commit index) appended to the log after every commit: one extra
    // entry written, fsynced and replicated per commit round (+42% log entries in the 1-member
    // create benchmark). It only lets a restarting member apply up to its last known commit index
    // before hearing from a leader; without it the member applies once the leader (or, alone, its
    // own first entry of the new term) commits, which replays the same entries. Durability is
    // unchanged: entries are committed by the leader's fsync-acknowledged majority, as before.
    RaftServerConfigKeys.Log.setLogMetadataEnabled(p, false);
    RaftServerConfigKeys.Log.Appender.setInstallSnapshotEnabled(p, true);
    // A snapshot goes out in chunks (16 MiB), at most 4 unanswered at a time; Ratis gives each
    // 4 x 2 s = 8 s. Its defaults (8 x 3 s) let the leader wait 24 s on a follower that restarted
    // in the middle of a download before it started over (seen in JournalSnapshotIT).
    GrpcConfigKeys.Server.setInstallSnapshotRequestElementLimit(p, 4);
    GrpcConfigKeys.Server.setInstallSnapshotRequestTimeout(p, millis(2_000));
    RaftServerConfigKeys.Read.setOption(p, RaftServerConfigKeys.Read.Option.LINEARIZABLE);
    RaftServerConfigKeys.Read.setLeaderLeaseEnabled(p, true);
    RaftServerConfigKeys.RetryCache.setExpiryTime(p, TimeDuration.valueOf(60, TimeUnit.SECONDS));
    return p;
  }

  private static TimeDuration millis(long ms) {
    return TimeDuration.valueOf(ms, TimeUnit.MILLISECONDS);
  }

  public void start() throws IOException {
    server.start();
    logEndAtStart = lastLogIndex();
    peerChannels.start(config.electionTimeoutMin());
    LOG.info(
        "member {} of cluster {} started: group {}, applied {}",
        config.memberId(),
        config.clusterName(),
        group.getGroupId(),
        stateMachine.getLastAppliedTermIndex().getIndex());
  }

  /**
   * The last index of this member's Raft log when it started. A restarted member replays its log
   * from its last flush, and learns the commit index only as a leader tells it; until it has
   * applied about this far it is not caught up, whatever the commit index it knows says.
   */
  public long logEndAtStart() {
    return logEndAtStart;
  }

  /** The last index in this member's Raft log now, or -1 if it is empty. */
  public long lastLogIndex() {
    try {
      TermIndex last = division().getRaftLog().getLastEntryTermIndex();
      return last == null ? -1 : last.getIndex();
    } catch (IOException e) {
      return -1;
    }
  }

  public RaftServer raftServer() {
    return server;
  }

  public RaftServer.Division division() throws IOException {
    RaftServer.Division d = division;
    if (d == null) {
      d = server.getDivision(group.getGroupId());
      division = d;
    }
    return d;
  }

  public RaftGroup group() {
    return group;
  }

  public JournalConfig config() {
    return config;
  }

  public JournalStateMachine stateMachine() {
    return stateMachine;
  }

  /** Leader and ready to serve (its first entry of the term is committed). */
  public boolean isLeaderReady() {
    try {
      return division().getInfo().isLeaderReady();
    } catch (IOException e) {
      return false;
    }
  }

  public boolean isLeader() {
    try {
      return division().getInfo().isLeader();
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * Submits a write on this member with the caller's stable client id and call id: a retry of the
   * same (client, call) is answered from the retry cache, never applied twice. Completes with
   * {@link NotLeaderException} (naming the leader when known) if this member is not the leader.
   */
  public CompletableFuture<CommandResult> submit(
      ClientId clientId, long callId, NamespaceCommand command) {
    return submitWrite(clientId, callId, command).thenApply(WriteResult::result);
  }

  /**
   * Like {@link #submit(ClientId, long, NamespaceCommand)}, with the entry's log index.
   *
   * <p>A write that reaches this member during an election waits for its outcome (up to two
   * election timeouts) instead of failing at once: then this member, if it won, applies it, or the
   * caller gets {@link NotLeaderException} naming the new leader and goes there without backing
   * off. "During an election": this member knows no leader, has not heard from the one it knows for
   * an election timeout, or is a leader not yet ready. Failing at once would send the caller into
   * its backoff, and writes would resume a backoff step after the new leader is ready.
   */
  public CompletableFuture<WriteResult> submitWrite(
      ClientId clientId, long callId, NamespaceCommand command) {
    RaftClientRequest request =
        request(
            clientId, callId, JournalCodec.entry(command), RaftClientRequest.writeRequestType());
    return sendAfterElection(request, System.nanoTime() + leaderWaitNanos)
        .thenApply(reply -> new WriteResult(parseResult(reply), reply.getLogIndex()));
  }

  private CompletableFuture<RaftClientReply> sendAfterElection(
      RaftClientRequest request, long deadlineNanos) {
    LeaderChanges changes = stateMachine.leaderChanges();
    // Taken before sending: an election that ends while the request is on its way completes it.
    CompletableFuture<Void> nextChange = changes.next();
    return send(request)
        .exceptionallyCompose(
            failure -> {
              long left = deadlineNanos - System.nanoTime();
              if (left <= 0 || !electionUnderWay(unwrap(failure))) {
                return CompletableFuture.failedFuture(failure);
              }
              // Until the next leader event, or an election timeout: heartbeats that were only
              // late resume without any event, and then the answer is the same leader at once.
              long wait = Math.min(left, config.electionTimeoutMin().toNanos());
              return changes
                  .await(nextChange, wait)
                  .handle(
                      (v, notResumed) ->
                          notResumed == null
                              // Same client and call id: the retry cache answers if it was
                              // applied after all.
                              ? sendAfterElection(request, deadlineNanos)
                              // Closing (the resume executor is gone): the original answer.
                              : CompletableFuture.<RaftClientReply>failedFuture(failure))
                  .thenCompose(f -> f);
            });
  }

  private boolean electionUnderWay(Throwable failure) {
    if (closing) {
      // A closing leader answers NotLeader without a hint too; no election will answer for it.
      return false;
    }
    if (failure instanceof LeaderNotReadyException) {
      return true;
    }
    if (!(failure instanceof NotLeaderException notLeader)) {
      return false;
    }
    if (notLeader.getSuggestedLeader() == null) {
      return true;
    }
    try {
      RoleInfoProto role = division().getInfo().getRoleInfoProto();
      return role.hasFollowerInfo()
          && role.getFollowerInfo().getLeaderInfo().getLastRpcElapsedTimeMs()
              > config.electionTimeoutMin().toMillis();
    } catch (IOException e) {
      return false;
    }
  }

  private static Throwable unwrap(Throwable t) {
    while (t instanceof CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  /** What a write produced, and the log index it was applied at. */
  public record WriteResult(CommandResult result, long logIndex) {}

  /** A write from this process itself (tools, demo), with its own client id. */
  public CompletableFuture<CommandResult> submit(NamespaceCommand command) {
    return submit(localClientId, localCallId.incrementAndGet(), command);
  }

  /**
   * A read. Linearizable (on the leader only) unless {@code minAppliedIndex} >= 0, in which case
   * any member answers once it has applied at least that index (read-your-writes for a caller that
   * passes the index of its last write).
   */
  public CompletableFuture<ReadReply> read(ReadRequest read, long minAppliedIndex) {
    if (minAppliedIndex >= 0) {
      // Served here, from this member's applied state: no round trip to the leader.
      return stateMachine.awaitApplied(minAppliedIndex).thenCompose(v -> stateMachine.read(read));
    }
    long readIndex = leaseReadIndex();
    if (readIndex >= 0) {
      // A leader holding its lease: Ratis's own ReadIndex decision, without a Ratis request.
      return readIndex <= stateMachine.getLastAppliedTermIndex().getIndex()
          ? stateMachine.read(read)
          : stateMachine.awaitApplied(readIndex).thenCompose(v -> stateMachine.read(read));
    }
    // Not the leader, not ready, or the lease lapsed: Ratis's ReadIndex path (a follower asks the
    // leader; a leader without a lease confirms its leadership with a heartbeat round).
    RaftClientRequest request =
        request(
            localClientId,
            localCallId.incrementAndGet(),
            JournalCodec.message(read),
            RaftClientRequest.readRequestType());
    return send(request).thenApply(reply -> parseRead(reply.getMessage().getContent()));
  }

  /**
   * The commit index read before a successful leader-lease check, or -1 if this member is not a
   * ready leader holding its lease. A read that waits until this index is applied and then reads
   * the state machine is linearizable: while the lease holds no other member can have been elected,
   * so nothing committed before the read started lies beyond this index.
   */
  long leaseReadIndex() {
    try {
      return LeaseReadIndex.of(division());
    } catch (IOException e) {
      return -1;
    }
  }

  private RaftClientRequest request(
      ClientId clientId, long callId, Message message, RaftClientRequest.Type type) {
    return RaftClientRequest.newBuilder()
        .setClientId(clientId)
        .setServerId(selfId)
        .setGroupId(group.getGroupId())
        .setCallId(callId)
        .setMessage(message)
        .setType(type)
        .build();
  }

  private CompletableFuture<RaftClientReply> send(RaftClientRequest request) {
    try {
      // Straight into the division: RaftServer.submitClientRequestAsync hands every request to a
      // pool thread and blocks the caller until that thread has queued it (two thread switches per
      // request for nothing, since the caller is already off any I/O thread).
      RaftServer.Division d = division();
      CompletableFuture<RaftClientReply> submitted =
          d instanceof RaftClientAsynchronousProtocol direct
              ? direct.submitClientRequestAsync(request)
              : server.submitClientRequestAsync(request);
      return submitted.thenCompose(
          reply -> {
            if (reply.isSuccess()) {
              return CompletableFuture.completedFuture(reply);
            }
            Exception e = reply.getException();
            return CompletableFuture.failedFuture(
                e != null ? e : new IOException("request failed: " + reply));
          });
    } catch (IOException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private static CommandResult parseResult(RaftClientReply reply) {
    try {
      // An empty reply: the entry was applied before a restart and its result is gone.
      return CommandResult.parseFrom(reply.getMessage().getContent().asReadOnlyByteBuffer());
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("malformed command result", e);
    }
  }

  private static ReadReply parseRead(
      org.apache.ratis.thirdparty.com.google.protobuf.ByteString bytes) {
    try {
      return ReadReply.parseFrom(bytes.asReadOnlyByteBuffer());
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("malformed read reply", e);
    }
  }

  @Override
  public void close() throws IOException {
    closing = true;
    // Writes waiting for an election resume now and fail with their answer (UNAVAILABLE).
    stateMachine.leaderChanges().changed();
    // A snapshot chunk waiting for the previous snapshot to load must not hold up the shutdown.
    stateMachine.closing();
    peerChannels.close();
    server.close();
  }
}

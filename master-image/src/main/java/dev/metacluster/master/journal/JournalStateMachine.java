package dev.metacluster.master.journal;

import com.google.common.util.concurrent.ThreadFactoryBuilder;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.metacluster.master.namespace.Listing;
import dev.metacluster.master.namespace.Namespace;
import dev.metacluster.master.namespace.NamespaceException;
import dev.metacluster.master.proto.CommandResult;
import dev.metacluster.master.proto.JournalEntry;
import dev.metacluster.master.proto.ListReply;
import dev.metacluster.master.proto.ListRequest;
import dev.metacluster.master.proto.ReadReply;
import dev.metacluster.master.proto.ReadRequest;
import dev.metacluster.master.store.Metastore;
import dev.metacluster.master.store.StoreException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftGroupMemberId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.raftlog.segmented.LogSegmentPath;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.SnapshotInfo;
import org.apache.ratis.statemachine.StateMachineStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.util.LifeCycle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Raft state machine: applies journal entries to the namespace in log order, serves reads,
 * takes snapshots as RocksDB checkpoints and installs the ones a leader sends.
 *
 * <p>Durability: each applied entry is one RocksDB batch that records its index. On restart Ratis
 * replays the log from the latest snapshot; entries the store already holds are skipped, so only
 * the tail since the last snapshot is read and nothing is applied twice.
 */
public final class JournalStateMachine extends BaseStateMachine {
  private static final Logger LOG = LoggerFactory.getLogger(JournalStateMachine.class);
  private static final Pattern SEGMENT = Pattern.compile("log_(?:inprogress_)?(\\d+)(?:-\\d+)?");

  // A snapshot chunk waits this long for the previous snapshot to load (holding Ratis's lock: no
  // votes, no appends meanwhile), then is refused and sent again by the leader.
  private static final Duration INSTALL_FENCE_WAIT = Duration.ofMillis(250);
  // A snapshot on disk that no load picks up stops holding downloads back after this.
  private static final Duration INSTALL_FENCE_GIVE_UP = Duration.ofSeconds(30);

  private final Metastore metastore;
  private final SnapshotStore snapshots;
  // Readers and the apply thread hold the read side; pausing for a snapshot install holds the write
  // side while the metastore is closed and replaced.
  private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
  private volatile Namespace namespace;
  private volatile long openedAtIndex;
  // Set while Ratis installs a snapshot from the leader: no snapshots of our own meanwhile.
  private volatile boolean installing;
  // Snapshot threshold (entries) when Ratis takes snapshots by threshold, else 0; and the tenth of
  // it that the last background flush was started in (see flushInBackgroundEveryTenth).
  private long snapshotThreshold;
  private long flushedInTenth;
  // Runs what had to wait: reads for the apply thread (AppliedWaiters), writes for a leader
  // (LeaderChanges). Never the apply thread or a Ratis thread that released the wait.
  private final ExecutorService resumedWaits =
      Executors.newFixedThreadPool(
          2, new ThreadFactoryBuilder().setNameFormat("journal-waits-%d").setDaemon(true).build());
  // Reads waiting for this member to apply an index (follower reads, lease reads ahead of apply).
  private final AppliedWaiters appliedWaiters =
      new AppliedWaiters(() -> getLastAppliedTermIndex().getIndex(), resumedWaits);
  // Writes waiting for an election to end (see JournalServer.submitWrite).
  private final LeaderChanges leaderChanges = new LeaderChanges(resumedWaits);

  // Keeps the next snapshot from the leader out until this member has loaded the previous one.
  private final SnapshotInstallFence installFence;

  public JournalStateMachine(Metastore metastore) {
    this.metastore = metastore;
    this.snapshots = new SnapshotStore(metastore);
    this.installFence =
        new SnapshotInstallFence(
            this::hasUnloadedSnapshot,
            () -> installing = true,
            INSTALL_FENCE_WAIT,
            INSTALL_FENCE_GIVE_UP);
  }

  private boolean hasUnloadedSnapshot() {
    try {
      return snapshots.hasUnloadedSnapshot();
    } catch (IOException e) {
      LOG.warn("{}: cannot list the snapshot directory", getId(), e);
      return false;
    }
  }

  @Override
  public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage storage)
      throws IOException {
    super.initialize(server, groupId, storage);
    RaftProperties properties = server.getProperties();
    snapshotThreshold =
        RaftServerConfigKeys.Snapshot.autoTriggerEnabled(properties)
            ? RaftServerConfigKeys.Snapshot.autoTriggerThreshold(properties)
            : 0;
    // Ratis requires RUNNING -> PAUSED around snapshot installation; start the life cycle here.
    getLifeCycle()
        .startAndTransition(
            () -> {
              snapshots.init(storage);
              openNamespace();
              checkLogContinuity(storage);
            });
  }

  /** Opens the metastore and, if it is behind the latest snapshot (lost or stale), installs it. */
  private void openNamespace() throws IOException {
    Lock lock = lifecycle.writeLock();
    lock.lock();
    try {
      metastore.open();
      SnapshotInfo snapshot = snapshots.getLatestSnapshot();
      if (snapshot != null && metastore.store().appliedIndex() < snapshot.getIndex()) {
        LOG.info(
            "{}: metastore at index {} is behind snapshot {}; installing it",
            getId(),
            metastore.store().appliedIndex(),
            snapshot.getTermIndex());
        metastore.installFrom(snapshots.latestDir());
      }
      namespace = new Namespace(metastore.store());
      openedAtIndex = metastore.store().appliedIndex();
      setLastAppliedTermIndex(
          TermIndex.valueOf(metastore.store().appliedTerm(), metastore.store().appliedIndex()));
      LOG.info("{}: namespace open at {}", getId(), getLastAppliedTermIndex());
    } finally {
      lock.unlock();
    }
  }

  /**
   * Refuses to start when the journal no longer holds the entries right after what the metastore
   * has applied (the metastore volume was lost or replaced by an older one while the log was
   * purged): replaying would silently skip changes.
   */
  private void checkLogContinuity(RaftStorage storage) throws IOException {
    long applied = metastore.store().appliedIndex();
    long first = Long.MAX_VALUE;
    for (LogSegmentPath segment : LogSegmentPath.getLogSegmentPaths(storage)) {
      Matcher m = SEGMENT.matcher(segment.getPath().getFileName().toString());
      if (m.matches()) {
        first = Math.min(first, Long.parseLong(m.group(1)));
      }
    }
    if (first != Long.MAX_VALUE && first > applied + 1) {
      throw new IOException(
          getId()
              + ": the metastore holds entries up to "
              + applied
              + " but the journal starts at "
              + first
              + "; the metastore was lost or replaced. Remove this member and add it back empty"
              + " so that it receives a snapshot.");
    }
  }

  @Override
  public StateMachineStorage getStateMachineStorage() {
    return snapshots;
  }

  @Override
  public SnapshotInfo getLatestSnapshot() {
    return snapshots.getLatestSnapshot();
  }

  @Override
  public TermIndex getLastAppliedTermIndex() {
    installFence.maybeApplyThread();
    return super.getLastAppliedTermIndex();
  }

  @Override
  public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
    LogEntryProto entry = trx.getLogEntry();
    long term = entry.getTerm();
    long index = entry.getIndex();
    Lock lock = lifecycle.readLock();
    lock.lock();
    try {
      if (index <= metastore.store().appliedIndex()) {
        // Already in RocksDB (replay after a restart): durable, and its result is long delivered.
        return CompletableFuture.completedFuture(Message.EMPTY);
      }
      JournalEntry journalEntry =
          JournalCodec.parseEntry(entry.getStateMachineLogEntry().getLogData());
      CommandResult result = namespace.apply(journalEntry.getCommand(), term, index);
      updateLastAppliedTermIndex(term, index);
      releaseWaiters(index);
      flushInBackgroundEveryTenth(index);
      // Completed here, so Ratis replies to the caller on this thread. A hand-off to a reply thread
      // (tried before) cost a wake-up of that thread per entry on top of the caller's, and more
      // CPU per write in total (docs/BENCHMARKS.md, profile of the write path).
      return CompletableFuture.completedFuture(JournalCodec.message(result));
    } catch (InvalidProtocolBufferException e) {
      // Thrown, not returned: Ratis stops this member rather than skip an entry and diverge.
      throw new IllegalStateException("journal entry " + term + "_" + index + " is corrupt", e);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Starts a RocksDB flush in the background each time another tenth of the snapshot threshold has
   * been applied. Two reasons. A snapshot flushes on the apply thread and writes wait for it
   * (seconds on a busy machine with 100,000 entries in the memtables); this way it flushes a tenth
   * at most. And a member that crashes replays every entry applied since its last flush when it
   * restarts; if it is elected leader meanwhile (its log is current), writes wait until the replay
   * is done (seen: 2-3 s for 36,000 entries); this way it replays a tenth at most. Durability is
   * the same: the log is kept up to the latest snapshot either way.
   */
  private void flushInBackgroundEveryTenth(long index) {
    if (snapshotThreshold <= 0) {
      return;
    }
    // At least 100 entries apart: tiny thresholds (tests) would flush every few entries.
    long tenth = index / Math.max(100, snapshotThreshold / 10);
    if (tenth != flushedInTenth) {
      flushedInTenth = tenth;
      try {
        metastore.rocks().flushInBackground();
      } catch (StoreException e) {
        LOG.warn("{}: background flush at index {} failed", getId(), index, e);
      }
    }
  }

  @Override
  public void notifyTermIndexUpdated(long term, long index) {
    // Entries without our data (configuration, leader no-ops) during replay may lie below what the
    // store already holds; the applied position only moves forward.
    if (index > getLastAppliedTermIndex().getIndex()) {
      updateLastAppliedTermIndex(term, index);
      releaseWaiters(index);
      flushInBackgroundEveryTenth(index);
    }
  }

  @Override
  public void notifyLeaderChanged(RaftGroupMemberId memberId, RaftPeerId newLeaderId) {
    leaderChanges.changed();
  }

  @Override
  public void notifyLeaderReady() {
    leaderChanges.changed();
  }

  LeaderChanges leaderChanges() {
    return leaderChanges;
  }

  /**
   * A read on any member once it has applied {@code minIndex}: waits for the apply thread instead
   * of failing, so a caller that passes the index of its last write always reads it.
   */
  @Override
  public CompletableFuture<Message> queryStale(Message request, long minIndex) {
    return awaitApplied(minIndex).thenCompose(v -> query(request));
  }

  /** Completes once this member has applied {@code index} (at most 30 s later). */
  public CompletableFuture<Void> awaitApplied(long index) {
    CompletableFuture<Void> applied = appliedWaiters.await(index);
    return applied.isDone() ? applied : applied.orTimeout(30, TimeUnit.SECONDS);
  }

  private void releaseWaiters(long appliedIndex) {
    appliedWaiters.release(appliedIndex);
  }

  @Override
  public CompletableFuture<Message> query(Message request) {
    ReadRequest read;
    try {
      read = ReadRequest.parseFrom(request.getContent().asReadOnlyByteBuffer());
    } catch (InvalidProtocolBufferException e) {
      return CompletableFuture.failedFuture(new IllegalArgumentException("malformed read", e));
    }
    return read(read).thenApply(JournalCodec::message);
  }

  /** Serves a read from the state applied so far (the caller decides how fresh it must be). */
  public CompletableFuture<ReadReply> read(ReadRequest read) {
    Lock lock = lifecycle.readLock();
    lock.lock();
    try {
      return CompletableFuture.completedFuture(serve(read));
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    } finally {
      lock.unlock();
    }
  }

  private ReadReply serve(ReadRequest read) {
    Namespace ns = requireNamespace();
    try {
      return switch (read.getReadCase()) {
        case GET_STATUS ->
            ReadReply.newBuilder().setInode(ns.getStatus(read.getGetStatus())).build();
        case EXISTS -> ReadReply.newBuilder().setExists(ns.exists(read.getExists())).build();
        case LIST -> {
          ListRequest list = read.getList();
          Listing page = ns.listStatus(list.getPath(), list.getStartAfter(), list.getLimit());
          yield ReadReply.newBuilder()
              .setList(
                  ListReply.newBuilder().addAllChildren(page.children()).setHasMore(page.hasMore()))
              .build();
        }
        case READ_NOT_SET ->
            throw new NamespaceException(
                dev.metacluster.master.proto.ErrorCode.INVALID_ARGUMENT, "read request is empty");
      };
    } catch (NamespaceException e) {
      return ReadReply.newBuilder().setError(e.toProto()).build();
    }
  }

  /**
   * {@link Namespace#countBelow} under the lifecycle lock, so that a snapshot load or a close does
   * not close the store under the count (it may run for seconds).
   */
  public long countBelow(String path, long limit, BooleanSupplier giveUp)
      throws NamespaceException {
    Lock lock = lifecycle.readLock();
    lock.lock();
    try {
      return requireNamespace().countBelow(path, limit, giveUp);
    } finally {
      lock.unlock();
    }
  }

  private Namespace requireNamespace() {
    Namespace ns = namespace;
    if (ns == null || !metastore.isOpen()) {
      throw new StoreException("the namespace is being replaced by a snapshot; retry");
    }
    return ns;
  }

  /** Direct access for this member's own use (admin, tests): the namespace as applied so far. */
  public Namespace namespace() {
    return requireNamespace();
  }

  /** The applied index the metastore had when it was opened: replay starts after it. */
  public long openedAtIndex() {
    return openedAtIndex;
  }

  public Metastore metastore() {
    return metastore;
  }

  /**
   * Writes a RocksDB checkpoint of the applied state to {@code target} (for backups). Safe while
   * writes continue: the checkpoint is one consistent point, with its applied index inside.
   */
  public void checkpointTo(Path target) {
    Lock lock = lifecycle.readLock();
    lock.lock();
    try {
      requireNamespace();
      metastore.rocks().checkpoint(target);
    } finally {
      lock.unlock();
    }
  }

  @Override
  public long takeSnapshot() throws IOException {
    Lock lock = lifecycle.readLock();
    lock.lock();
    try {
      TermIndex at = getLastAppliedTermIndex();
      SnapshotInfo latest = snapshots.getLatestSnapshot();
      if (installing) {
        return latest == null ? -1 : latest.getIndex();
      }
      if (at == null || at.getIndex() <= 0) {
        return -1;
      }
      if (latest != null && latest.getIndex() >= at.getIndex()) {
        return latest.getIndex();
      }
      // Called on the apply thread, so nothing is applied meanwhile: the checkpoint is exactly
      // the state at `at` once the position (which may be a configuration entry) is recorded.
      // Writes wait meanwhile (the checkpoint flushes the memtables): the duration is logged.
      long start = System.nanoTime();
      namespace.recordAppliedPosition(at.getTerm(), at.getIndex());
      snapshots.take(at, metastore.rocks());
      LOG.info(
          "{}: took snapshot {} in {} ms", getId(), at, (System.nanoTime() - start) / 1_000_000);
      return at.getIndex();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Ratis pauses the state machine while a snapshot from the leader arrives. The live metastore
   * stays open and entries the member already has keep applying (closing it here would fail that
   * apply and stop the member); only our own snapshots stop, so nothing writes into the snapshot
   * directory Ratis is about to replace. The swap happens in {@link #reinitialize}, which Ratis
   * calls on the apply thread itself. Ratis calls this before every chunk it writes; a chunk of the
   * next snapshot waits here until the previous one is loaded, or is refused ({@link
   * SnapshotInstallFence}).
   */
  @Override
  public void pause() {
    installFence.beforeChunk();
    installing = true;
    LifeCycle lc = getLifeCycle();
    if (lc.getCurrentState() == LifeCycle.State.RUNNING) {
      lc.transition(LifeCycle.State.PAUSING);
      lc.transition(LifeCycle.State.PAUSED);
    }
  }

  @Override
  public void reinitialize() throws IOException {
    // A snapshot from the leader has been installed into the snapshot directory.
    installFence.loading();
    try {
      snapshots.reload();
      SnapshotInfo snapshot = snapshots.getLatestSnapshot();
      if (snapshot == null) {
        throw new IOException(getId() + ": no usable snapshot after installing one (see above)");
      }
      load(snapshot);
    } finally {
      installing = false;
      installFence.loaded();
    }
  }

  /** Replaces the metastore with {@code snapshot} unless it already holds as much. */
  private void load(SnapshotInfo snapshot) throws IOException {
    Lock lock = lifecycle.writeLock();
    lock.lock();
    try {
      if (!metastore.isOpen() || metastore.store().appliedIndex() < snapshot.getIndex()) {
        Path dir = snapshots.latestDir();
        LOG.info("{}: installing snapshot {} from {}", getId(), snapshot.getTermIndex(), dir);
        namespace = null;
        metastore.installFrom(dir);
      } else {
        metastore.open();
      }
      namespace = new Namespace(metastore.store());
      setLastAppliedTermIndex(
          TermIndex.valueOf(metastore.store().appliedTerm(), metastore.store().appliedIndex()));
      releaseWaiters(getLastAppliedTermIndex().getIndex());
      LifeCycle lc = getLifeCycle();
      if (lc.getCurrentState() == LifeCycle.State.PAUSED) {
        lc.transition(LifeCycle.State.STARTING);
        lc.transition(LifeCycle.State.RUNNING);
      }
    } finally {
      lock.unlock();
    }
  }

  /** The member is shutting down: nothing waits for a snapshot to load any more. */
  void closing() {
    installFence.close();
  }

  @Override
  public void close() throws IOException {
    installFence.close();
    Lock lock = lifecycle.writeLock();
    lock.lock();
    try {
      namespace = null;
      metastore.close();
    } finally {
      lock.unlock();
    }
    resumedWaits.shutdownNow();
    super.close();
  }
}

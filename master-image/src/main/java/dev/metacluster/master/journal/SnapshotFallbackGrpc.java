package dev.metacluster.master.journal;

import java.io.IOException;
import java.lang.reflect.Field;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.ratis.RaftConfigKeys;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcFactory;
import org.apache.ratis.grpc.server.GrpcLogAppender;
import org.apache.ratis.proto.RaftProtos.AppendEntriesRequestProto;
import org.apache.ratis.rpc.RpcFactory;
import org.apache.ratis.rpc.RpcType;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.leader.FollowerInfo;
import org.apache.ratis.server.leader.LeaderState;
import org.apache.ratis.server.leader.LogAppender;
import org.apache.ratis.server.leader.LogAppenderBase;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.raftlog.RaftLog;
import org.apache.ratis.server.raftlog.RaftLogIOException;
import org.apache.ratis.statemachine.SnapshotInfo;
import org.apache.ratis.util.DataQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ratis's gRPC transport with a leader-side fix for Ratis 3.2.2: a follower whose next entry is the
 * first one left in the leader's log, while the entry before it has been purged, gets a snapshot.
 *
 * <p>Stock Ratis only sends a snapshot when the follower's next index is <em>below</em> the log
 * start. When it is <em>equal</em>, the append request must name the purged entry as "previous";
 * Ratis cannot, its appender thread dies with {@code NullPointerException: Previous TermIndex not
 * found for firstIndex = N}, and 3.2.2 never restarts a failed appender ("is not running: skipping
 * restart"), so that follower gets nothing more from this leader. This is not rare: a new term
 * starts a new log segment, so once the new leader snapshots and purges the old term, its log
 * starts exactly where the former leader's log ends. A leader that was killed (or restarted while
 * idle) and comes back after that purge is stuck. {@code JournalCrashIT} ran into it; {@code
 * JournalSnapshotIT} reproduces it in one step.
 *
 * <p>The same dead end, second door: the leader purges entries (after a snapshot) while the
 * appender reads them for a request; Ratis's "Log entry not found" ends the appender thread. Here
 * that round sends nothing and the next one sends the snapshot.
 *
 * <p>Selected by class name through {@link RaftConfigKeys.Rpc#setType}; everything else is stock
 * {@link GrpcFactory} (the same {@code GrpcConfigKeys} apply). Drop this class once Ratis sends a
 * snapshot in that case itself.
 */
public final class SnapshotFallbackGrpc implements RpcType {
  // Not LOG: inside the appender that name is GrpcLogAppender.LOG (Ratis, WARN and up).
  private static final Logger FALLBACK_LOG = LoggerFactory.getLogger(SnapshotFallbackGrpc.class);

  /** Ratis instantiates this type reflectively from its class name. */
  public SnapshotFallbackGrpc() {}

  /** Makes servers built with {@code properties} use this transport. */
  static void use(RaftProperties properties) {
    RaftConfigKeys.Rpc.setType(properties, new SnapshotFallbackGrpc());
  }

  @Override
  public String name() {
    return SnapshotFallbackGrpc.class.getName();
  }

  @Override
  public RpcFactory newFactory(Parameters parameters) {
    return new Factory(parameters);
  }

  private static final class Factory extends GrpcFactory {
    Factory(Parameters parameters) {
      super(parameters);
    }

    @Override
    public LogAppender newLogAppender(
        RaftServer.Division server, LeaderState state, FollowerInfo follower) {
      return new Appender(server, state, follower);
    }
  }

  private static final class Appender extends GrpcLogAppender {
    // The snapshot this appender is sending, between shouldInstallSnapshot calls.
    private final AtomicReference<TermIndex> sending = new AtomicReference<>();

    Appender(RaftServer.Division server, LeaderState state, FollowerInfo follower) {
      super(server, state, follower);
    }

    /**
     * Also tells the snapshot store which snapshot is being sent, so that it is not deleted
     * meanwhile: GrpcLogAppender sends all of it on this thread before it asks again (or ends).
     */
    @Override
    public SnapshotInfo shouldInstallSnapshot() {
      sendingEnded();
      SnapshotInfo snapshot = snapshotToSend();
      SnapshotStore store = snapshotStore();
      if (snapshot != null && store != null) {
        store.sendingStarted(snapshot.getTermIndex());
        sending.set(snapshot.getTermIndex());
      }
      return snapshot;
    }

    /** This member's snapshot store, or null under a state machine other than ours. */
    private SnapshotStore snapshotStore() {
      return getServer().getStateMachine().getStateMachineStorage() instanceof SnapshotStore store
          ? store
          : null;
    }

    private SnapshotInfo snapshotToSend() {
      SnapshotInfo stock = super.shouldInstallSnapshot();
      if (stock != null) {
        return stock;
      }
      SnapshotInfo snapshot = getServer().getStateMachine().getLatestSnapshot();
      if (snapshot != null && previousPurged(snapshot)) {
        FALLBACK_LOG.info(
            "{}: follower needs entry {} but the log before {} is purged; sending snapshot {}",
            this,
            getFollower().getNextIndex(),
            getRaftLog().getStartIndex(),
            snapshot.getTermIndex());
        return snapshot;
      }
      return null;
    }

    private void sendingEnded() {
      TermIndex sent = sending.getAndSet(null);
      SnapshotStore store = snapshotStore();
      if (sent != null && store != null) {
        store.sendingEnded(sent);
      }
    }

    /** Only this appender's own thread touches its mark, so it is released exactly once. */
    @Override
    public void run() throws IOException {
      try {
        super.run();
      } finally {
        sendingEnded();
      }
    }

    /**
     * Refuses to build an append request that would need a purged "previous" entry (the follower's
     * next index moved after this round's snapshot check): nothing is sent this round, and the next
     * round's {@link #shouldInstallSnapshot} sends the snapshot. Called with the appender's lock
     * held, which is also held when a reply moves the next index, so the check stays true.
     */
    @Override
    public AppendEntriesRequestProto newAppendEntriesRequest(long callId, boolean heartbeat)
        throws RaftLogIOException {
      SnapshotInfo snapshot = getServer().getStateMachine().getLatestSnapshot();
      if (!heartbeat && snapshot != null && previousPurged(snapshot)) {
        FALLBACK_LOG.info(
            "{}: not appending from {}: the entry before it is purged; a snapshot goes next",
            this,
            getFollower().getNextIndex());
        return null;
      }
      try {
        return super.newAppendEntriesRequest(callId, heartbeat);
      } catch (RaftLogIOException e) {
        if (getFollower().getNextIndex() >= getRaftLog().getStartIndex()) {
          throw e;
        }
        // A snapshot purged the entries while this request was built. Stock Ratis lets the
        // exception end the appender thread, which 3.2.2 never restarts. Nothing is sent this
        // round; the next one sends the snapshot. The entries read before the purge are dropped.
        FALLBACK_LOG.info(
            "{}: entries from {} were purged while building a request; a snapshot goes next",
            this,
            getFollower().getNextIndex());
        clearBuffer();
        return null;
      }
    }

    /**
     * Empties the appender's private entry buffer, which stock Ratis leaves filled when reading the
     * log fails halfway and then refuses to build the next request ("buffer has N elements").
     */
    private void clearBuffer() {
      try {
        Field field = LogAppenderBase.class.getDeclaredField("buffer");
        field.setAccessible(true);
        ((DataQueue<?>) field.get(this)).clear();
      } catch (ReflectiveOperationException | RuntimeException e) {
        FALLBACK_LOG.warn("{}: cannot empty the appender's buffer", this, e);
      }
    }

    /**
     * Whether the follower needs entries whose predecessor is neither in the log nor the latest
     * snapshot nor the snapshot the follower installed last, i.e. whether stock Ratis would fail.
     */
    private boolean previousPurged(SnapshotInfo snapshot) {
      RaftLog log = getRaftLog();
      long next = getFollower().getNextIndex();
      if (next <= RaftLog.LEAST_VALID_LOG_INDEX || next >= log.getNextIndex()) {
        return false;
      }
      long previous = next - 1;
      return log.getTermIndex(previous) == null
          && snapshot.getIndex() != previous
          && getFollower().getSnapshotIndex() != previous;
    }
  }
}

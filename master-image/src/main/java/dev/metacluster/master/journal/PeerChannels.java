package dev.metacluster.master.journal;

import com.google.common.util.concurrent.ThreadFactoryBuilder;
import java.io.Closeable;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.grpc.server.PeerConnectBackoff;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.server.RaftServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps this member's Raft channels to its peers out of gRPC's reconnect backoff.
 *
 * <p>Why: a channel to a peer that was down when this member last called it (a vote request during
 * the election that followed the peer's crash) stays in gRPC's exponential reconnect backoff,
 * seconds long, after the peer is back: followers send each other nothing between elections. At the
 * next election every vote request on that channel fails at once with UNAVAILABLE until the backoff
 * ends, and elections took 3-5 s (docs/BENCHMARKS.md). Ratis resets the backoff only on the
 * leader's append path. Resetting every peer channel's backoff once per period bounds the window to
 * one period. On a healthy channel a reset does nothing; to a peer that is down it costs one
 * connection attempt per period.
 */
final class PeerChannels implements Closeable {
  private static final Logger LOG = LoggerFactory.getLogger(PeerChannels.class);

  private final RaftServer server;
  private final RaftGroupId groupId;
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          new ThreadFactoryBuilder().setNameFormat("peer-channels").setDaemon(true).build());

  PeerChannels(RaftServer server, RaftGroupId groupId) {
    this.server = server;
    this.groupId = groupId;
  }

  /** Resets the backoffs every {@code period} from now on. */
  void start(Duration period) {
    long ms = Math.max(1, period.toMillis());
    timer.scheduleWithFixedDelay(this::resetQuietly, ms, ms, TimeUnit.MILLISECONDS);
  }

  /**
   * Resets the reconnect backoff of the channel to every voting peer of the current (and, during a
   * change, the previous) configuration other than this member.
   *
   * @return how many channels were reset
   * @throws IOException if this member's division does not exist (not started, or closed)
   */
  int resetBackoff() throws IOException {
    int reset = 0;
    for (RaftPeer peer : server.getDivision(groupId).getRaftConf().getAllPeers()) {
      if (peer.getId().equals(server.getId())) {
        continue;
      }
      try {
        if (PeerConnectBackoff.reset(server, peer.getId())) {
          reset++;
        }
      } catch (IOException | RuntimeException e) {
        // A peer just removed from the configuration, or the server closing: next period.
        LOG.debug("resetting the channel backoff to {} failed", peer.getId(), e);
      }
    }
    return reset;
  }

  private void resetQuietly() {
    try {
      resetBackoff();
    } catch (IOException | RuntimeException e) {
      // Not started yet, or closing: next period.
      LOG.debug("resetting peer channel backoffs failed", e);
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}

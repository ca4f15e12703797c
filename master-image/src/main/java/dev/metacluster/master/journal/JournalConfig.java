package dev.metacluster.master.journal;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

/**
 * How one member runs its part of the Raft group. Defaults favour fast failover: an election
 * timeout of 300-600 ms (Alluxio uses 10-20 s), heartbeats every 150 ms (Ratis: half the minimum).
 *
 * <p>The fixed Ratis settings (log flush, log metadata entries, leader lease, purge policy) are set
 * in {@code JournalServer.serverProperties}, each with its reason; docs/CONFIGURATION.md lists
 * them.
 *
 * @param clusterName names the cluster; the Raft group id is derived from it
 * @param memberId this member's id (on Kubernetes: the pod name)
 * @param peers every member's id and Raft address, this member included
 * @param journalDir the Raft log volume
 * @param metastoreDir the RocksDB volume (live data and snapshots)
 * @param electionTimeoutMin lower bound of the randomized election timeout
 * @param electionTimeoutMax upper bound of the randomized election timeout
 * @param requestTimeout how long a write may wait for commit before the client gets a timeout
 * @param snapshotThreshold take a snapshot after this many applied entries since the last one
 * @param logSegmentBytes size of one Raft log segment file
 * @param purgeGap purge the log up to the snapshot only once this many entries can go
 * @param join start outside the group's configuration and wait to be added (a new member of a
 *     running cluster); ignored once the member has joined and restarts from its own log
 * @param clientAddresses members' client API addresses (may be empty or partial); carried in the
 *     Raft configuration so that any member can point a client at the leader
 */
public record JournalConfig(
    String clusterName,
    String memberId,
    Map<String, InetSocketAddress> peers,
    Path journalDir,
    Path metastoreDir,
    Duration electionTimeoutMin,
    Duration electionTimeoutMax,
    Duration requestTimeout,
    long snapshotThreshold,
    long logSegmentBytes,
    int purgeGap,
    boolean join,
    Map<String, InetSocketAddress> clientAddresses) {

  public static final Duration DEFAULT_ELECTION_TIMEOUT_MIN = Duration.ofMillis(300);
  public static final Duration DEFAULT_ELECTION_TIMEOUT_MAX = Duration.ofMillis(600);
  public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(10);
  public static final long DEFAULT_SNAPSHOT_THRESHOLD = 100_000;
  public static final long DEFAULT_LOG_SEGMENT_BYTES = 32L << 20;
  public static final int DEFAULT_PURGE_GAP = 10_000;

  public JournalConfig {
    peers = Map.copyOf(peers);
    clientAddresses = clientAddresses == null ? Map.of() : Map.copyOf(clientAddresses);
    if (!peers.containsKey(memberId)) {
      throw new IllegalArgumentException(
          "member " + memberId + " is not in the peer list " + peers.keySet());
    }
    if (electionTimeoutMin.compareTo(electionTimeoutMax) >= 0) {
      throw new IllegalArgumentException("election timeout min must be below max");
    }
    if (snapshotThreshold < 1 || purgeGap < 1 || logSegmentBytes < (64 << 10)) {
      throw new IllegalArgumentException(
          "snapshot threshold and purge gap must be >= 1, log segments >= 64 KiB");
    }
  }

  /** A member with the default timeouts and thresholds. */
  public static JournalConfig defaults(
      String clusterName,
      String memberId,
      Map<String, InetSocketAddress> peers,
      Path journalDir,
      Path metastoreDir) {
    return new JournalConfig(
        clusterName,
        memberId,
        peers,
        journalDir,
        metastoreDir,
        DEFAULT_ELECTION_TIMEOUT_MIN,
        DEFAULT_ELECTION_TIMEOUT_MAX,
        DEFAULT_REQUEST_TIMEOUT,
        DEFAULT_SNAPSHOT_THRESHOLD,
        DEFAULT_LOG_SEGMENT_BYTES,
        DEFAULT_PURGE_GAP,
        false,
        Map.of());
  }

  /** Snapshot and purge settings (small values let tests reach snapshot installation fast). */
  public JournalConfig withLogCompaction(long threshold, int gap, long segmentBytes) {
    return new JournalConfig(
        clusterName,
        memberId,
        peers,
        journalDir,
        metastoreDir,
        electionTimeoutMin,
        electionTimeoutMax,
        requestTimeout,
        threshold,
        segmentBytes,
        gap,
        join,
        clientAddresses);
  }

  /** This member as a newcomer to a running cluster (see {@code join}). */
  public JournalConfig joining() {
    return new JournalConfig(
        clusterName,
        memberId,
        peers,
        journalDir,
        metastoreDir,
        electionTimeoutMin,
        electionTimeoutMax,
        requestTimeout,
        snapshotThreshold,
        logSegmentBytes,
        purgeGap,
        true,
        clientAddresses);
  }

  /** The Raft group id: a name-based UUID, the same on every member. */
  public UUID groupUuid() {
    return groupUuid(clusterName);
  }

  /** The Raft group id (and cluster id) of the cluster named {@code clusterName}. */
  public static UUID groupUuid(String clusterName) {
    return UUID.nameUUIDFromBytes(("metacluster:" + clusterName).getBytes(StandardCharsets.UTF_8));
  }
}

package dev.metacluster.cli.bench;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonUnwrapped;

/**
 * One line of benchmark output (one op, or the fill), as written to {@code --json}. Latencies are
 * of successful ops only, in µs; {@code opsPerSec} counts every op of the timed phase over its
 * wall-clock time. Each group of extra figures is {@code null} where it does not apply; it is
 * unwrapped into this object's JSON, so a group that applies adds its fields at this level (after
 * {@code firstError}) and one that does not adds nothing. Only written, never read back: Jackson
 * 2.x does not deserialize {@code @JsonUnwrapped} record components (it fills them with zeros).
 *
 * @param firstError message of the first failed op, when {@code errors > 0}
 * @param fill fill only: what the filled namespace costs in heap and on disk
 * @param failover failover mode only: how long the group was without a leader and writes
 * @param connections cluster mode with --connections only: the connections held open
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record BenchResult(
    String mode,
    String op,
    int threads,
    long files,
    int filesPerDir,
    long ops,
    long errors,
    double elapsedSec,
    double opsPerSec,
    long p50Us,
    long p99Us,
    long p999Us,
    long maxUs,
    double meanUs,
    String firstError,
    @JsonUnwrapped Fill fill,
    @JsonUnwrapped Failover failover,
    @JsonUnwrapped Connections connections) {

  /**
   * Heap and disk after the fill.
   *
   * @param inodes inodes the fill created (files plus their directories)
   * @param heapUsedAfterGcBytes heap in use after the fill and a few full GCs, with the namespace
   *     still open
   * @param diskBytes bytes of all files in the data directory after flush + compaction
   */
  public record Fill(
      long inodes,
      long heapUsedAfterGcBytes,
      long maxHeapBytes,
      long diskBytes,
      double diskBytesPerInode) {

    /** Derives {@code diskBytesPerInode}. */
    Fill(long inodes, long heapUsedAfterGcBytes, long maxHeapBytes, long diskBytes) {
      this(
          inodes,
          heapUsedAfterGcBytes,
          maxHeapBytes,
          diskBytes,
          round((double) diskBytes / Math.max(1, inodes), 1));
    }
  }

  /**
   * Leader kills during the write load.
   *
   * @param kills how many times the leader was killed ({@code members} in the group)
   * @param leaderElectedMsP50 kill to a new leader ready, median over the kills
   * @param writeResumedMsP50 kill to the first successful write submitted after it
   */
  public record Failover(
      int members,
      int kills,
      long leaderElectedMsP50,
      long leaderElectedMsMax,
      long writeResumedMsP50,
      long writeResumedMsP99,
      long writeResumedMsMax) {}

  /**
   * Client connections held open during the timed phase.
   *
   * @param connections client connections held open
   * @param activeConnections of those, how many issued the timed getStatus calls
   * @param openFds file descriptors open in the benchmark process after the connections opened;
   *     {@code null} (left out) where the JVM cannot tell
   * @param maxFds the process's file-descriptor limit ({@code ulimit -n}); {@code null} likewise
   */
  @JsonInclude(JsonInclude.Include.NON_NULL) // the outer one does not reach unwrapped fields
  public record Connections(int connections, int activeConnections, Long openFds, Long maxFds) {}

  /** The result of a timed phase. */
  static BenchResult of(
      String mode,
      String op,
      int threads,
      long files,
      int filesPerDir,
      ParallelRunner.Phase phase) {
    LatencyRecorder l = phase.latencies();
    return new BenchResult(
        mode,
        op,
        threads,
        files,
        filesPerDir,
        l.ops(),
        l.errors(),
        round(phase.elapsedSeconds(), 3),
        round(phase.opsPerSec(), 1),
        l.percentileUs(50),
        l.percentileUs(99),
        l.percentileUs(99.9),
        l.maxUs(),
        round(l.meanUs(), 1),
        l.firstError(),
        null,
        null,
        null);
  }

  /** This timed result with the fill figures added. */
  BenchResult withFill(Fill fill) {
    return withGroups(fill, failover, connections);
  }

  /** This timed result (the write load) with the failover figures added. */
  BenchResult withFailover(Failover failover) {
    return withGroups(fill, failover, connections);
  }

  /** This timed result with the connection figures added (cluster mode, --connections). */
  BenchResult withConnections(Connections connections) {
    return withGroups(fill, failover, connections);
  }

  // the one place that copies the timed figures
  private BenchResult withGroups(Fill fill, Failover failover, Connections connections) {
    return new BenchResult(
        mode,
        op,
        threads,
        files,
        filesPerDir,
        ops,
        errors,
        elapsedSec,
        opsPerSec,
        p50Us,
        p99Us,
        p999Us,
        maxUs,
        meanUs,
        firstError,
        fill,
        failover,
        connections);
  }

  private static double round(double value, int decimals) {
    double scale = Math.pow(10, decimals);
    return Math.round(value * scale) / scale;
  }
}

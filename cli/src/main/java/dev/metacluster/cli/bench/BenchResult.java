package dev.metacluster.cli.bench;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One line of benchmark output (one op, or the fill), as written to {@code --json}. Latencies are
 * of successful ops only, in µs; {@code opsPerSec} counts every op of the timed phase over its
 * wall-clock time. The fill fields are {@code null} (and left out of the JSON) for timed ops.
 *
 * @param firstError message of the first failed op, when {@code errors > 0}
 * @param inodes fill only: inodes the fill created (files plus their directories)
 * @param heapUsedAfterGcBytes fill only: heap in use after the fill and a few full GCs, with the
 *     namespace still open
 * @param diskBytes fill only: bytes of all files in the data directory after flush + compaction
 * @param kills failover only: how many times the leader was killed ({@code members} in the group)
 * @param leaderElectedMsP50 failover only: kill to a new leader ready, median over the kills
 * @param writeResumedMsP50 failover only: kill to the first successful write submitted after it
 * @param connections cluster mode with --connections only: client connections held open
 * @param activeConnections of those, how many issued the timed getStatus calls
 * @param openFds file descriptors open in the benchmark process after the connections opened
 * @param maxFds the process's file-descriptor limit ({@code ulimit -n})
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
    Long inodes,
    Long heapUsedAfterGcBytes,
    Long maxHeapBytes,
    Long diskBytes,
    Double diskBytesPerInode,
    Integer members,
    Integer kills,
    Long leaderElectedMsP50,
    Long leaderElectedMsMax,
    Long writeResumedMsP50,
    Long writeResumedMsP99,
    Long writeResumedMsMax,
    Integer connections,
    Integer activeConnections,
    Long openFds,
    Long maxFds) {

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
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null);
  }

  /** This timed result with the fill figures added. */
  BenchResult withFill(long inodes, long heapUsedAfterGc, long maxHeap, long diskBytes) {
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
        inodes,
        heapUsedAfterGc,
        maxHeap,
        diskBytes,
        round((double) diskBytes / Math.max(1, inodes), 1),
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null);
  }

  /** This timed result (the write load) with the failover figures added. */
  BenchResult withFailover(
      int members,
      int kills,
      long electedP50,
      long electedMax,
      long resumedP50,
      long resumedP99,
      long resumedMax) {
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
        null,
        null,
        null,
        null,
        null,
        members,
        kills,
        electedP50,
        electedMax,
        resumedP50,
        resumedP99,
        resumedMax,
        null,
        null,
        null,
        null);
  }

  /** This timed result with the connection figures added (cluster mode, --connections). */
  BenchResult withConnections(int connections, int active, Long openFds, Long maxFds) {
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
        inodes,
        heapUsedAfterGcBytes,
        maxHeapBytes,
        diskBytes,
        diskBytesPerInode,
        members,
        kills,
        leaderElectedMsP50,
        leaderElectedMsMax,
        writeResumedMsP50,
        writeResumedMsP99,
        writeResumedMsMax,
        connections,
        active,
        openFds,
        maxFds);
  }

  private static double round(double value, int decimals) {
    double scale = Math.pow(10, decimals);
    return Math.round(value * scale) / scale;
  }
}

package dev.metacluster.cli.bench;

import dev.metacluster.api.client.MetadataClient;
import java.nio.file.Path;
import java.util.Set;
import java.util.function.Supplier;

/**
 * What a benchmark run was asked to do, independent of the command line.
 *
 * @param ops the operations to time, iterated in {@link BenchOp} order
 * @param threads worker threads
 * @param files files (or directories, for mkdirs) per op
 * @param filesPerDir entries per directory
 * @param dir data directory, or {@code null} for a temporary one deleted at the end
 * @param cacheEntries on-heap cache bound (inodes and edges each), or {@code null} for the default
 * @param inodes fill mode: how many files to create instead of running {@code ops}, or {@code null}
 * @param members journal members, for modes that run a journal
 * @param kills failover mode: how many times to kill the leader
 * @param cluster cluster mode: how to reach the cluster, or {@code null} in the other modes
 * @param connections cluster mode: client connections to hold open (0: run the ops instead)
 * @param activePercent cluster mode with connections: the share of them that issue getStatus
 * @param warmupSeconds untimed run of every op before the timed phases (0: none)
 */
public record BenchOptions(
    Set<BenchOp> ops,
    int threads,
    long files,
    int filesPerDir,
    Path dir,
    Long cacheEntries,
    Long inodes,
    int members,
    int kills,
    Cluster cluster,
    int connections,
    int activePercent,
    int warmupSeconds) {

  /**
   * A running cluster: where it is (for messages) and how to make a new client for it, each with
   * channels of its own.
   */
  public record Cluster(String target, Supplier<MetadataClient> newClient) {}

  public boolean fill() {
    return inodes != null;
  }
}

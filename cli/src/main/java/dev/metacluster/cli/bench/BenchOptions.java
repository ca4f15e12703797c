package dev.metacluster.cli.bench;

import java.nio.file.Path;
import java.util.Set;

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
    int kills) {

  public boolean fill() {
    return inodes != null;
  }
}

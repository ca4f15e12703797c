package dev.metacluster.master.store;

import java.nio.file.Path;

/**
 * How the metastore is opened.
 *
 * @param directory where RocksDB keeps its files (the metastore volume)
 * @param inodeCacheEntries on-heap cache bound for inodes, in entries
 * @param edgeCacheEntries on-heap cache bound for directory entries, in entries
 * @param blockCacheBytes RocksDB's off-heap block cache, shared by all column families
 * @param writeAheadLog whether RocksDB keeps its own WAL; only safe to turn off when another log
 *     (the Raft journal) replays what was not flushed
 */
public record StoreConfig(
    Path directory,
    long inodeCacheEntries,
    long edgeCacheEntries,
    long blockCacheBytes,
    boolean writeAheadLog) {

  public static final long DEFAULT_INODE_CACHE_ENTRIES = 200_000;
  public static final long DEFAULT_EDGE_CACHE_ENTRIES = 200_000;
  public static final long DEFAULT_BLOCK_CACHE_BYTES = 64L << 20;

  public StoreConfig {
    if (inodeCacheEntries < 0 || edgeCacheEntries < 0) {
      throw new IllegalArgumentException("cache sizes must be >= 0");
    }
    if (blockCacheBytes < (1 << 20)) {
      throw new IllegalArgumentException("block cache must be at least 1 MiB");
    }
  }

  /** Defaults for a standalone engine at {@code directory}. */
  public static StoreConfig defaults(Path directory) {
    return new StoreConfig(
        directory,
        DEFAULT_INODE_CACHE_ENTRIES,
        DEFAULT_EDGE_CACHE_ENTRIES,
        DEFAULT_BLOCK_CACHE_BYTES,
        true);
  }

  public StoreConfig withCacheEntries(long entries) {
    return new StoreConfig(directory, entries, entries, blockCacheBytes, writeAheadLog);
  }
}

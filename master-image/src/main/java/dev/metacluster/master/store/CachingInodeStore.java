package dev.metacluster.master.store;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.stats.CacheStats;
import dev.metacluster.master.proto.Inode;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * The on-heap layer: bounded (by entry count) caches of inodes and edges in front of a backing
 * store. Heap use depends on the bounds, not on the number of files.
 *
 * <p>Correctness rests on the namespace's locks: a reader fills an entry only while it holds at
 * least a read lock on that inode or edge, and a writer updates the entries of a batch while it
 * still holds the write locks, so a stale value can never be cached after a newer one.
 *
 * <p>Reads without a lock go through {@link #peekInode}, which never fills: a cache hit, else the
 * backing store. Each value it returns is one committed version of the inode (records are written
 * and read whole), and since unlocked readers never put anything in the cache they cannot leave a
 * stale entry behind. Listings use it for the children of a read-locked directory: the directory's
 * read lock keeps the set of children fixed, and a child changed concurrently (setAttribute,
 * completeFile) is seen before or after that change, as with a lock per child.
 */
public final class CachingInodeStore implements InodeStore {
  // Eviction and buffer drains run on the thread that triggers them (under Caffeine's tryLock, so
  // nobody waits), not on the common ForkJoinPool: handing them over woke a pool thread after most
  // writes, and on the journal's single apply thread that hand-off (unpark) cost more than the
  // maintenance itself (profile in docs/BENCHMARKS.md).
  private static final Executor SAME_THREAD = Runnable::run;

  private final InodeStore backing;
  private final Cache<Long, Inode> inodes;
  // Values are child ids, or NO_INODE for a cached miss (creates look up names that do not exist).
  private final Cache<EdgeKey, Long> edges;

  public CachingInodeStore(InodeStore backing, long inodeEntries, long edgeEntries) {
    this.backing = backing;
    this.inodes =
        Caffeine.newBuilder().maximumSize(inodeEntries).recordStats().executor(SAME_THREAD).build();
    this.edges =
        Caffeine.newBuilder().maximumSize(edgeEntries).recordStats().executor(SAME_THREAD).build();
  }

  @Override
  public Inode getInode(long id) {
    Inode inode = inodes.getIfPresent(id);
    if (inode == null) {
      inode = backing.getInode(id);
      if (inode != null) {
        inodes.put(id, inode);
      }
    }
    return inode;
  }

  /**
   * A cache hit, else the backing store's value, which is not cached: the caller holds no lock on
   * the inode, so a writer could commit a newer value between our read and our fill.
   */
  @Override
  public Inode peekInode(long id) {
    Inode inode = inodes.getIfPresent(id);
    return inode != null ? inode : backing.getInode(id);
  }

  @Override
  public long getChildId(long parentId, String name) {
    EdgeKey key = new EdgeKey(parentId, name);
    Long child = edges.getIfPresent(key);
    if (child == null) {
      child = backing.getChildId(parentId, name);
      edges.put(key, child);
    }
    return child;
  }

  @Override
  public List<Edge> listChildren(long parentId, String startAfter, int limit) {
    // A page is one prefix scan in RocksDB; caching pages would cost more heap than it saves.
    return backing.listChildren(parentId, startAfter, limit);
  }

  @Override
  public void commit(StoreBatch batch) {
    try {
      backing.commit(batch);
    } catch (RuntimeException e) {
      // The batch may or may not be on disk; forget what it touched so the next read goes there.
      invalidate(batch);
      throw e;
    }
    for (StoreBatch.Change change : batch.changes()) {
      if (change instanceof StoreBatch.PutInode put) {
        inodes.put(put.inode().getId(), put.inode());
      } else if (change instanceof StoreBatch.RemoveInode remove) {
        inodes.invalidate(remove.id());
      } else if (change instanceof StoreBatch.PutEdge put) {
        edges.put(new EdgeKey(put.parentId(), put.name()), put.childId());
      } else if (change instanceof StoreBatch.RemoveEdge remove) {
        edges.invalidate(new EdgeKey(remove.parentId(), remove.name()));
      }
    }
  }

  private void invalidate(StoreBatch batch) {
    for (StoreBatch.Change change : batch.changes()) {
      if (change instanceof StoreBatch.PutInode put) {
        inodes.invalidate(put.inode().getId());
      } else if (change instanceof StoreBatch.RemoveInode remove) {
        inodes.invalidate(remove.id());
      } else if (change instanceof StoreBatch.PutEdge put) {
        edges.invalidate(new EdgeKey(put.parentId(), put.name()));
      } else if (change instanceof StoreBatch.RemoveEdge remove) {
        edges.invalidate(new EdgeKey(remove.parentId(), remove.name()));
      }
    }
  }

  @Override
  public long appliedTerm() {
    return backing.appliedTerm();
  }

  @Override
  public long appliedIndex() {
    return backing.appliedIndex();
  }

  @Override
  public long nextInodeId() {
    return backing.nextInodeId();
  }

  @Override
  public void scanInodes(Consumer<Inode> visitor) {
    backing.scanInodes(visitor);
  }

  @Override
  public void scanEdges(Consumer<Edge> visitor) {
    backing.scanEdges(visitor);
  }

  public CacheStats inodeCacheStats() {
    return inodes.stats();
  }

  public CacheStats edgeCacheStats() {
    return edges.stats();
  }

  /** Runs pending evictions now (Caffeine batches them); for exact size checks. */
  public void cleanUp() {
    inodes.cleanUp();
    edges.cleanUp();
  }

  public long cachedEntries() {
    return inodes.estimatedSize() + edges.estimatedSize();
  }

  @Override
  public void close() {
    inodes.invalidateAll();
    edges.invalidateAll();
    backing.close();
  }
}

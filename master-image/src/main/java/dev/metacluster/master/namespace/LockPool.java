package dev.metacluster.master.namespace;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Read-write locks by key, created on first use and dropped when the last holder releases. The pool
 * therefore holds one lock per key that is locked or waited on right now: its size is bounded by
 * the number of operations in flight times their path depth, never by the number of inodes.
 */
final class LockPool<K> {
  private static final class Entry {
    final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    int references; // guarded by the map's lock on this key (only touched inside compute)
  }

  private final ConcurrentHashMap<K, Entry> locks = new ConcurrentHashMap<>();

  /** Blocks until the lock on {@code key} is held in {@code mode}; returns it for release. */
  Lock acquire(K key, LockMode mode) {
    Entry entry =
        locks.compute(
            key,
            (k, existing) -> {
              Entry e = existing == null ? new Entry() : existing;
              e.references++;
              return e;
            });
    Lock lock = mode == LockMode.READ ? entry.lock.readLock() : entry.lock.writeLock();
    lock.lock();
    return lock;
  }

  /** Releases what {@link #acquire} returned for {@code key}. */
  void release(K key, Lock lock) {
    lock.unlock();
    locks.computeIfPresent(key, (k, e) -> --e.references == 0 ? null : e);
  }

  /** Locks currently in the pool (held or waited on). */
  int size() {
    return locks.size();
  }
}

package dev.metacluster.master.namespace;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Read-write locks by key, created on first use and dropped when the last holder releases. The pool
 * therefore holds one lock per key that is locked or waited on right now: its size is bounded by
 * the number of operations in flight times their path depth, never by the number of inodes.
 *
 * <p>The hot path takes no monitor. Every operation locks the same few keys (the root, the first
 * edges), so a {@code ConcurrentHashMap.compute} per acquire and release made all threads queue on
 * the map's bin lock for those keys. Instead an entry carries a reference count changed by CAS:
 *
 * <ul>
 *   <li>acquire: {@code get} (lock-free); if the entry is alive (count &ge; 0) CAS count + 1 and
 *       use it; if absent, {@code putIfAbsent} a new entry with count 1;
 *   <li>release: count - 1; the thread that brings it to 0 CASes 0 &rarr; -1 (dead) and removes the
 *       entry with {@code remove(key, entry)}. An acquirer that got in between (0 &rarr; 1) makes
 *       that CAS fail, and the entry stays;
 *   <li>dead is final: an acquirer that finds a dead entry helps remove it and retries, so it can
 *       only ever join a live entry, which is the one in the map.
 * </ul>
 *
 * Hence at most one live entry per key exists at any time, and it stays in the map while anyone
 * holds or waits for its lock: two threads locking the same key always get the same lock.
 */
final class LockPool<K> {
  /** One pooled lock; {@link #acquire} returns it held, {@link #release} gives it back. */
  static final class Entry {
    private final Object key;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    // Holders and waiters; 0 while the last one is leaving; -1 once removed (never reused).
    private final AtomicInteger references = new AtomicInteger(1);

    private Entry(Object key) {
      this.key = key;
    }

    /** Counts one more user unless the entry is dead. */
    private boolean retain() {
      for (int n = references.get(); n >= 0; n = references.get()) {
        if (references.compareAndSet(n, n + 1)) {
          return true;
        }
      }
      return false;
    }

    private Lock lock(LockMode mode) {
      return mode == LockMode.READ ? lock.readLock() : lock.writeLock();
    }
  }

  private final ConcurrentHashMap<K, Entry> locks = new ConcurrentHashMap<>();

  /**
   * Blocks until the lock on {@code key} is held in {@code mode}; returns its entry, to be given
   * back to {@link #release} with the same mode.
   */
  Entry acquire(K key, LockMode mode) {
    Entry entry = retain(key);
    try {
      entry.lock(mode).lock();
    } catch (RuntimeException | Error e) {
      drop(entry);
      throw e;
    }
    return entry;
  }

  /** Releases what {@link #acquire} returned; the entry leaves the pool with its last user. */
  void release(Entry entry, LockMode mode) {
    entry.lock(mode).unlock();
    drop(entry);
  }

  private Entry retain(K key) {
    Entry fresh = null;
    while (true) {
      Entry entry = locks.get(key);
      if (entry == null) {
        if (fresh == null) {
          fresh = new Entry(key);
        }
        entry = locks.putIfAbsent(key, fresh);
        if (entry == null) {
          return fresh;
        }
      }
      if (entry.retain()) {
        return entry;
      }
      locks.remove(key, entry); // dead: help its last user take it out, then try again
    }
  }

  private void drop(Entry entry) {
    // Our reference kept the entry live, hence in the map, until now.
    if (entry.references.decrementAndGet() == 0 && entry.references.compareAndSet(0, -1)) {
      locks.remove(entry.key, entry);
    }
  }

  /** Locks currently in the pool (held or waited on). */
  int size() {
    return locks.size();
  }
}

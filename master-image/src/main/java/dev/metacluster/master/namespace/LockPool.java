package dev.metacluster.master.namespace;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.locks.AbstractQueuedSynchronizer;

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
 * holds or waits for it: two threads locking the same key always get the same lock.
 *
 * <p>Most keys (a file, its edge, its directory) are locked by one operation at a time, so their
 * entries are created and dropped by almost every operation: an entry is therefore one object, its
 * own lock (see {@link Entry}).
 */
final class LockPool<K> {
  private static final AtomicIntegerFieldUpdater<Entry> REFERENCES =
      AtomicIntegerFieldUpdater.newUpdater(Entry.class, "references");

  /**
   * One pooled lock: a non-reentrant read-write lock (the path locker takes each key once per
   * operation and never upgrades), plus its key and reference count. AQS state: the number of
   * readers, or -1 while write-locked. Compared to a {@code ReentrantReadWriteLock} there are no
   * per-thread hold counters (a ThreadLocal entry per reader) and one object instead of six.
   *
   * <p>Writers may barge; readers do not enter while any thread is queued, so a queued writer is
   * not starved by a stream of readers (what {@code ReentrantReadWriteLock}'s nonfair mode also
   * guarantees). The write owner is recorded, so thread dumps and {@code
   * ThreadMXBean.findDeadlockedThreads} see who holds a write lock.
   */
  static final class Entry extends AbstractQueuedSynchronizer {
    private static final long serialVersionUID = 1L;
    private final transient Object key;
    // Holders and waiters; 0 while the last one is leaving; -1 once removed (never reused).
    private volatile int references = 1;

    private Entry(Object key) {
      this.key = key;
    }

    /** Counts one more user unless the entry is dead. */
    private boolean retain() {
      for (int n = references; n >= 0; n = references) {
        if (REFERENCES.compareAndSet(this, n, n + 1)) {
          return true;
        }
      }
      return false;
    }

    @Override
    protected boolean tryAcquire(int unused) {
      if (getState() == 0 && compareAndSetState(0, -1)) {
        setExclusiveOwnerThread(Thread.currentThread());
        return true;
      }
      return false;
    }

    @Override
    protected boolean tryRelease(int unused) {
      setExclusiveOwnerThread(null);
      setState(0);
      return true;
    }

    @Override
    protected int tryAcquireShared(int unused) {
      while (true) {
        int readers = getState();
        if (readers < 0 || hasQueuedPredecessors()) {
          return -1;
        }
        if (compareAndSetState(readers, readers + 1)) {
          return 1;
        }
      }
    }

    @Override
    protected boolean tryReleaseShared(int unused) {
      while (true) {
        int readers = getState();
        if (compareAndSetState(readers, readers - 1)) {
          return readers == 1; // the last reader lets a waiting writer in
        }
      }
    }

    @Override
    protected boolean isHeldExclusively() {
      return getExclusiveOwnerThread() == Thread.currentThread();
    }

    @Override
    public String toString() {
      int state = getState();
      return "lock " + key + (state < 0 ? " write-locked" : " read-locked " + state + " times");
    }
  }

  private final ConcurrentHashMap<K, Entry> locks = new ConcurrentHashMap<>();

  /**
   * Blocks until the lock on {@code key} is held in {@code mode}; returns its entry, to be given
   * back to {@link #release} by the same thread.
   */
  Entry acquire(K key, LockMode mode) {
    Entry entry = retain(key);
    try {
      if (mode == LockMode.READ) {
        entry.acquireShared(1);
      } else {
        entry.acquire(1);
      }
    } catch (RuntimeException | Error e) {
      drop(entry);
      throw e;
    }
    return entry;
  }

  /** Releases what {@link #acquire} returned; the entry leaves the pool with its last user. */
  void release(Entry entry) {
    // Non-reentrant and never held in both modes by one thread: owning it means write-locked.
    if (entry.isHeldExclusively()) {
      entry.release(1);
    } else {
      entry.releaseShared(1);
    }
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
    if (REFERENCES.decrementAndGet(entry) == 0 && REFERENCES.compareAndSet(entry, 0, -1)) {
      locks.remove(entry.key, entry);
    }
  }

  /** Locks currently in the pool (held or waited on). */
  int size() {
    return locks.size();
  }
}

package dev.metacluster.master.namespace;

import java.util.Arrays;

/** The locks one operation holds, released in reverse order of acquisition. */
final class HeldLocks implements AutoCloseable {
  private final LockPool<?> pool;
  // Parallel arrays rather than a record per lock: an operation holds 2 * depth + 1 of them.
  private LockPool.Entry[] entries = new LockPool.Entry[8];
  private LockMode[] modes = new LockMode[8];
  private int size;

  HeldLocks(LockPool<?> pool) {
    this.pool = pool;
  }

  void add(LockPool.Entry entry, LockMode mode) {
    if (size == entries.length) {
      entries = Arrays.copyOf(entries, size * 2);
      modes = Arrays.copyOf(modes, size * 2);
    }
    entries[size] = entry;
    modes[size] = mode;
    size++;
  }

  @Override
  public void close() {
    while (size > 0) {
      size--;
      pool.release(entries[size], modes[size]);
      entries[size] = null;
    }
  }
}

package dev.metacluster.master.namespace;

import java.util.Arrays;

/** The locks one operation holds, released in reverse order of acquisition. */
final class HeldLocks implements AutoCloseable {
  private final LockPool<?> pool;
  // An operation holds 2 * depth + 1 locks (more for a rename); 16 covers paths of depth 7.
  private LockPool.Entry[] entries = new LockPool.Entry[16];
  private int size;

  HeldLocks(LockPool<?> pool) {
    this.pool = pool;
  }

  void add(LockPool.Entry entry) {
    if (size == entries.length) {
      entries = Arrays.copyOf(entries, size * 2);
    }
    entries[size++] = entry;
  }

  @Override
  public void close() {
    while (size > 0) {
      size--;
      pool.release(entries[size]);
      entries[size] = null;
    }
  }
}

package dev.metacluster.master.namespace;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Lock;

/** The locks one operation holds, released in reverse order of acquisition. */
final class HeldLocks implements AutoCloseable {
  private record Held(LockPool<Object> pool, Object key, Lock lock) {}

  private final List<Held> held = new ArrayList<>(8);

  void add(LockPool<Object> pool, Object key, Lock lock) {
    held.add(new Held(pool, key, lock));
  }

  @Override
  public void close() {
    for (int i = held.size() - 1; i >= 0; i--) {
      Held h = held.get(i);
      h.pool.release(h.key, h.lock);
    }
    held.clear();
  }
}

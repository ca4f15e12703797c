package dev.metacluster.master.namespace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60) // the tests wait for threads to block: fail rather than hang the build
class LockPoolTest {
  @Test
  void sameKeyGivesTheSameLockWhileHeldAndThePoolDrains() {
    LockPool<Object> pool = new LockPool<>();
    LockPool.Entry a = pool.acquire(7L, LockMode.READ);
    LockPool.Entry b = pool.acquire(7L, LockMode.READ);
    LockPool.Entry other = pool.acquire(8L, LockMode.READ);
    assertThat(b).isSameAs(a);
    assertThat(other).isNotSameAs(a);
    assertThat(pool.size()).isEqualTo(2);

    pool.release(a);
    assertThat(pool.size()).as("still held once").isEqualTo(2);
    LockPool.Entry c = pool.acquire(7L, LockMode.READ);
    assertThat(c).as("a held key keeps its lock").isSameAs(a);
    pool.release(b);
    pool.release(c);
    pool.release(other);
    assertThat(pool.size()).isZero();

    LockPool.Entry again = pool.acquire(7L, LockMode.WRITE);
    assertThat(again).as("a released key gets a fresh lock").isNotSameAs(a);
    pool.release(again);
    assertThat(pool.size()).isZero();
  }

  @Test
  void aWaiterKeepsTheLockInThePool() throws Exception {
    LockPool<Object> pool = new LockPool<>();
    LockPool.Entry held = pool.acquire("k", LockMode.WRITE);
    AtomicReference<LockPool.Entry> waited = new AtomicReference<>();
    Thread waiter =
        new Thread(
            () -> {
              LockPool.Entry e = pool.acquire("k", LockMode.READ);
              waited.set(e);
              pool.release(e);
            });
    waiter.start();
    awaitWaiting(waiter);
    pool.release(held);
    waiter.join(10_000);
    assertThat(waited.get()).isSameAs(held);
    assertThat(pool.size()).isZero();
  }

  @Test
  void readersShareAndAQueuedWriterGoesBeforeNewReaders() throws Exception {
    LockPool<Object> pool = new LockPool<>();
    LockPool.Entry first = pool.acquire("k", LockMode.READ);
    List<String> order = java.util.Collections.synchronizedList(new ArrayList<>());
    Thread secondReader =
        new Thread(
            () -> {
              LockPool.Entry e = pool.acquire("k", LockMode.READ);
              order.add("second reader");
              pool.release(e);
            });
    secondReader.start();
    secondReader.join(10_000);
    assertThat(order).as("readers share the lock").containsExactly("second reader");

    Thread writer =
        new Thread(
            () -> {
              LockPool.Entry e = pool.acquire("k", LockMode.WRITE);
              order.add("writer");
              pool.release(e);
            });
    writer.start();
    awaitWaiting(writer);
    Thread lateReader =
        new Thread(
            () -> {
              LockPool.Entry e = pool.acquire("k", LockMode.READ);
              order.add("late reader");
              pool.release(e);
            });
    lateReader.start();
    awaitWaiting(lateReader); // behind the queued writer, although only readers hold the lock
    assertThat(order).containsExactly("second reader");

    pool.release(first);
    writer.join(10_000);
    lateReader.join(10_000);
    assertThat(order).containsExactly("second reader", "writer", "late reader");
    assertThat(pool.size()).isZero();
  }

  /** Write locks record their owner, so a deadlock (a broken lock order) is diagnosable. */
  @Test
  void aDeadlockOfWriteLocksIsVisibleToTheJvm() throws Exception {
    LockPool<Object> pool = new LockPool<>();
    CountDownLatch bothHoldTheirFirst = new CountDownLatch(2);
    Thread[] threads = new Thread[2];
    for (int t = 0; t < 2; t++) {
      String first = t == 0 ? "a" : "b";
      String second = t == 0 ? "b" : "a";
      threads[t] =
          new Thread(
              () -> {
                pool.acquire(first, LockMode.WRITE);
                bothHoldTheirFirst.countDown();
                try {
                  bothHoldTheirFirst.await();
                } catch (InterruptedException e) {
                  return;
                }
                pool.acquire(second, LockMode.WRITE); // never returns: the other holds it
              },
              "deadlocked-" + t);
      threads[t].setDaemon(true); // left behind, parked forever
      threads[t].start();
    }
    // WAITING alone is not enough: a thread may still be parked in the latch. Poll until the
    // JVM sees a deadlock (each thread parked on the other's lock), then check who is in it.
    long[][] deadlocked = new long[1][];
    await()
        .atMost(java.time.Duration.ofSeconds(10))
        .until(
            () ->
                (deadlocked[0] = ManagementFactory.getThreadMXBean().findDeadlockedThreads())
                    != null);
    assertThat(deadlocked[0]).containsExactlyInAnyOrder(threads[0].getId(), threads[1].getId());
  }

  private static void awaitWaiting(Thread thread) {
    while (thread.getState() != Thread.State.WAITING) {
      Thread.onSpinWait();
    }
  }

  /**
   * Threads lock a few keys over and over for a second, so entries are constantly dropped and
   * re-created while others race to join them. A plain (non-atomic) counter per key, changed only
   * under the write lock, stays exact only if every thread got the same lock for the same key.
   * (Removing the dead marker from the pool makes this fail within a few runs: the race windows are
   * nanoseconds wide, hence many keys, many threads and time rather than a fixed count.)
   */
  @Test
  void concurrentHammeringOfFewKeysKeepsMutualExclusion() throws Exception {
    LockPool<Object> pool = new LockPool<>();
    int threads = 12;
    int keys = 8;
    long[] counters = new long[keys];
    AtomicLong[] writes = new AtomicLong[keys];
    AtomicInteger[] readersInside = new AtomicInteger[keys];
    AtomicInteger[] writersInside = new AtomicInteger[keys];
    for (int k = 0; k < keys; k++) {
      writes[k] = new AtomicLong();
      readersInside[k] = new AtomicInteger();
      writersInside[k] = new AtomicInteger();
    }
    AtomicBoolean exclusionBroken = new AtomicBoolean();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    CountDownLatch start = new CountDownLatch(1);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      Thread worker =
          new Thread(
              () -> {
                try {
                  start.await();
                  ThreadLocalRandom random = ThreadLocalRandom.current();
                  while (System.nanoTime() < deadline) {
                    for (int i = 0; i < 1000; i++) {
                      int k = random.nextInt(keys);
                      // A new key object each time: the pool must go by equals, not identity.
                      Object key = "key-" + k;
                      if (random.nextInt(8) == 0) {
                        LockPool.Entry e = pool.acquire(key, LockMode.READ);
                        readersInside[k].incrementAndGet();
                        if (writersInside[k].get() != 0) {
                          exclusionBroken.set(true);
                        }
                        readersInside[k].decrementAndGet();
                        pool.release(e);
                      } else {
                        LockPool.Entry e = pool.acquire(key, LockMode.WRITE);
                        if (writersInside[k].incrementAndGet() != 1
                            || readersInside[k].get() != 0) {
                          exclusionBroken.set(true);
                        }
                        counters[k]++;
                        writes[k].incrementAndGet();
                        writersInside[k].decrementAndGet();
                        pool.release(e);
                      }
                    }
                  }
                } catch (Throwable e) {
                  failure.compareAndSet(null, e);
                }
              });
      worker.start();
      workers.add(worker);
    }
    start.countDown();
    for (Thread worker : workers) {
      worker.join(TimeUnit.MINUTES.toMillis(2));
      assertThat(worker.isAlive()).as("worker finished").isFalse();
    }
    assertThat(failure.get()).isNull();
    assertThat(exclusionBroken).as("a reader and a writer, or two writers, were inside").isFalse();
    for (int k = 0; k < keys; k++) {
      assertThat(counters[k]).as("writes under the lock of key %d", k).isEqualTo(writes[k].get());
    }
    assertThat(pool.size()).isZero();
  }
}

package dev.metacluster.master.journal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AppliedWaitersTest {
  private final AtomicLong applied = new AtomicLong();
  private final ExecutorService readers = Executors.newFixedThreadPool(2);
  private final AppliedWaiters waiters = new AppliedWaiters(applied::get, readers);

  @AfterEach
  void stopReaders() {
    readers.shutdownNow();
  }

  @Test
  void aWaitCompletesWhenItsIndexIsApplied() throws Exception {
    CompletableFuture<Void> at5 = waiters.await(5);
    CompletableFuture<Void> at7 = waiters.await(7);

    applied.set(5);
    waiters.release(5);

    at5.get(10, TimeUnit.SECONDS);
    assertThat(at7).isNotDone();
    assertThat(waiters.await(3)).isDone();
  }

  /** The apply thread releases; the read chained on the wait must run elsewhere. */
  @Test
  void aReleasedReadRunsOffTheReleasingThread() throws Exception {
    CompletableFuture<Thread> servedOn = waiters.await(5).thenApply(v -> Thread.currentThread());

    applied.set(5);
    waiters.release(5);

    assertThat(servedOn.get(10, TimeUnit.SECONDS)).isNotSameAs(Thread.currentThread());
  }

  /**
   * Readers register while the apply thread moves on and releases: every wait must complete. A
   * release that took an index's waiters out of the map while a reader was adding to them lost that
   * reader (its read timed out 30 s later); this race hit about one benchmark run in three.
   */
  @Test
  void noWaitIsLostWhileTheAppliedIndexMoves() throws Exception {
    // resumed in place: this is about registration racing release, and the readers register
    // millions of waits
    AppliedWaiters waiters = new AppliedWaiters(applied::get, Runnable::run);
    int readers = 4;
    long last = 200_000;
    Thread apply =
        new Thread(
            () -> {
              for (long i = 1; i <= last; i++) {
                applied.set(i);
                waiters.release(i);
              }
            });
    List<Thread> threads = new ArrayList<>();
    List<List<CompletableFuture<Void>>> waits = new ArrayList<>();
    for (int r = 0; r < readers; r++) {
      List<CompletableFuture<Void>> mine = new ArrayList<>();
      waits.add(mine);
      threads.add(
          new Thread(
              () -> {
                // Bounded: on 2 busy cores, readers spinning without limit starved the apply
                // thread and piled up pending waits by the million (minutes, gigabytes of heap).
                for (int n = 0; n < 100_000 && applied.get() < last; n++) {
                  long ahead = ThreadLocalRandom.current().nextLong(3);
                  CompletableFuture<Void> wait =
                      waiters.await(Math.min(last, applied.get() + ahead));
                  if (!wait.isDone()) {
                    mine.add(wait); // done ones are fine already; keep the heap small
                  }
                }
              }));
    }
    threads.forEach(Thread::start);
    apply.start();
    apply.join();
    for (Thread t : threads) {
      t.join();
    }
    long total = 0;
    for (List<CompletableFuture<Void>> mine : waits) {
      total += mine.size();
      CompletableFuture.allOf(mine.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
    }
    assertThat(total).isPositive();
  }
}

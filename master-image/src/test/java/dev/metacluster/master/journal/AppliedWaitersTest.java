package dev.metacluster.master.journal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class AppliedWaitersTest {
  private final AtomicLong applied = new AtomicLong();
  private final AppliedWaiters waiters = new AppliedWaiters(applied::get);

  @Test
  void aWaitCompletesWhenItsIndexIsApplied() {
    CompletableFuture<Void> at5 = waiters.await(5);
    CompletableFuture<Void> at7 = waiters.await(7);

    applied.set(5);
    waiters.release(5);

    assertThat(at5).isDone();
    assertThat(at7).isNotDone();
    assertThat(waiters.await(3)).isDone();
  }

  /**
   * Readers register while the apply thread moves on and releases: every wait must complete. A
   * release that took an index's waiters out of the map while a reader was adding to them lost that
   * reader (its read timed out 30 s later); this race hit about one benchmark run in three.
   */
  @Test
  void noWaitIsLostWhileTheAppliedIndexMoves() throws Exception {
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
                while (applied.get() < last) {
                  long ahead = ThreadLocalRandom.current().nextLong(3);
                  mine.add(waiters.await(Math.min(last, applied.get() + ahead)));
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

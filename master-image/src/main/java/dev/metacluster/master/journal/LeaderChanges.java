package dev.metacluster.master.journal;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * Lets a caller wait for this member's next leader event: another member became the leader, or this
 * member, newly elected, is ready to take writes.
 *
 * <p>Take {@link #next()} <em>before</em> looking at who leads: an event that happens after that
 * completes the future taken, so it cannot be missed between the look and the wait.
 */
final class LeaderChanges {
  private final Executor resumeOn;
  private CompletableFuture<Void> next = new CompletableFuture<>();

  /**
   * @param resumeOn where waits resume: events arrive on Ratis threads, some holding the server's
   *     lock, and what a waiter does next (submit a request) must not run there
   */
  LeaderChanges(Executor resumeOn) {
    this.resumeOn = resumeOn;
  }

  /** Completes at the next leader event. */
  synchronized CompletableFuture<Void> next() {
    return next;
  }

  /**
   * Completes when {@code event} (taken from {@link #next()}) completes or {@code nanos} pass,
   * whichever is first, on the resume executor. The shared future itself is left alone.
   */
  CompletableFuture<Void> await(CompletableFuture<Void> event, long nanos) {
    return event
        .copy()
        .completeOnTimeout(null, nanos, TimeUnit.NANOSECONDS)
        .thenApplyAsync(v -> v, resumeOn);
  }

  /** Called by the state machine on every leader event. */
  void changed() {
    CompletableFuture<Void> done;
    synchronized (this) {
      done = next;
      next = new CompletableFuture<>();
    }
    done.complete(null);
  }
}

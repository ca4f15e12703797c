package dev.metacluster.master.journal;

import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.Executor;
import java.util.function.LongSupplier;

/**
 * Reads waiting for this member to apply a log index: follower reads (the caller's last write) and
 * leader reads whose read index the apply thread has not reached yet.
 *
 * <p>A wait that is not over at once resumes on {@code resumeOn}, not on the apply thread that
 * released it: what the reader chains on (a listing, its reply) must not hold up the single thread
 * every write waits for.
 */
final class AppliedWaiters {
  private final ConcurrentSkipListMap<Long, Queue<CompletableFuture<Void>>> waiting =
      new ConcurrentSkipListMap<>();
  private final LongSupplier applied;
  private final Executor resumeOn;

  /**
   * @param applied the index applied so far; {@link #release} must be called after it moves
   * @param resumeOn where a wait that had to wait completes
   */
  AppliedWaiters(LongSupplier applied, Executor resumeOn) {
    this.applied = applied;
    this.resumeOn = resumeOn;
  }

  /** Completes once {@code index} is applied. */
  CompletableFuture<Void> await(long index) {
    if (applied.getAsLong() >= index) {
      return CompletableFuture.completedFuture(null);
    }
    CompletableFuture<Void> done = new CompletableFuture<>();
    waiting.computeIfAbsent(index, k -> new ConcurrentLinkedQueue<>()).add(done);
    // Look again after registering: the apply thread may have passed the index meanwhile, and its
    // release may have taken this index's queue out of the map before our add. Any release that
    // starts after this check sees the registration.
    if (applied.getAsLong() >= index) {
      done.complete(null);
      return done;
    }
    return done.thenApplyAsync(v -> v, resumeOn);
  }

  /** Completes every wait for an index up to {@code appliedIndex}. */
  void release(long appliedIndex) {
    Map.Entry<Long, Queue<CompletableFuture<Void>>> first;
    while ((first = waiting.firstEntry()) != null && first.getKey() <= appliedIndex) {
      if (waiting.remove(first.getKey(), first.getValue())) {
        first.getValue().forEach(w -> w.complete(null));
      }
    }
  }
}

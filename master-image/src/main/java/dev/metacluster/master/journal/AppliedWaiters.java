package dev.metacluster.master.journal;

import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.LongSupplier;

/**
 * Reads waiting for this member to apply a log index: follower reads (the caller's last write) and
 * leader reads whose read index the apply thread has not reached yet.
 */
final class AppliedWaiters {
  private final ConcurrentSkipListMap<Long, Queue<CompletableFuture<Void>>> waiting =
      new ConcurrentSkipListMap<>();
  private final LongSupplier applied;

  /**
   * @param applied the index applied so far; {@link #release} must be called after it moves
   */
  AppliedWaiters(LongSupplier applied) {
    this.applied = applied;
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
    }
    return done;
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

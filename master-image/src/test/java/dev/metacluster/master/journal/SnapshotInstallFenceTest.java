package dev.metacluster.master.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SnapshotInstallFenceTest {
  private final AtomicBoolean unloadedOnDisk = new AtomicBoolean();
  private final AtomicInteger resumed = new AtomicInteger();
  // Long waits: a chunk that is released must be released by the signal, not by the clock.
  private final SnapshotInstallFence fence =
      new SnapshotInstallFence(
          unloadedOnDisk::get,
          resumed::incrementAndGet,
          Duration.ofSeconds(20),
          Duration.ofSeconds(60));
  // Stands in for Ratis's apply thread: loads and asks for the applied index on one thread.
  private final ExecutorService applyThread = Executors.newSingleThreadExecutor();
  private final ExecutorService chunkThread = Executors.newSingleThreadExecutor();

  @AfterEach
  void stop() {
    fence.close();
    applyThread.shutdownNow();
    chunkThread.shutdownNow();
  }

  @Test
  void aChunkPassesWhenNothingIsLoading() throws Exception {
    chunk(fence).get(5, TimeUnit.SECONDS);
    assertThat(resumed).hasValue(0);
  }

  @Test
  void aChunkWaitsForASwappedInSnapshotToLoadAndTheApplyThreadToComeBack() throws Exception {
    unloadedOnDisk.set(true);
    CompletableFuture<Void> chunk = chunk(fence);
    assertStaysWaiting(chunk);

    onApplyThread(fence::loading);
    unloadedOnDisk.set(false);
    onApplyThread(fence::loaded);
    // Loaded, but the apply thread has not been seen leaving the reload yet.
    assertStaysWaiting(chunk);

    fence.maybeApplyThread(); // another thread asking: not the sign
    assertStaysWaiting(chunk);

    onApplyThread(fence::maybeApplyThread);
    chunk.get(5, TimeUnit.SECONDS);
    assertThat(resumed).as("own snapshots stop before the apply thread goes on").hasValue(1);
  }

  @Test
  void theApplyThreadAskingWhileItLoadsIsNotTheSign() throws Exception {
    onApplyThread(fence::loading);
    onApplyThread(fence::loaded);
    onApplyThread(fence::loading); // the next load, right away
    CompletableFuture<Void> chunk = chunk(fence);
    onApplyThread(fence::maybeApplyThread);
    assertStaysWaiting(chunk);

    onApplyThread(fence::loaded);
    onApplyThread(fence::maybeApplyThread);
    chunk.get(5, TimeUnit.SECONDS);
  }

  @Test
  void aChunkThatWaitedTooLongIsRefused() {
    SnapshotInstallFence shortWait =
        new SnapshotInstallFence(
            () -> true, () -> {}, Duration.ofMillis(200), Duration.ofMinutes(1));
    long start = System.nanoTime();
    assertThatThrownBy(() -> chunk(shortWait).get(5, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .hasRootCauseInstanceOf(IllegalStateException.class)
        .hasMessageContaining("still loading");
    assertThat(Duration.ofNanos(System.nanoTime() - start))
        .isGreaterThanOrEqualTo(Duration.ofMillis(200));
  }

  @Test
  void aSnapshotOnDiskThatNobodyLoadsStopsHoldingChunksBack() throws Exception {
    SnapshotInstallFence stale =
        new SnapshotInstallFence(
            () -> true, () -> {}, Duration.ofMillis(200), Duration.ofMillis(500));
    assertThatThrownBy(() -> chunk(stale).get(5, TimeUnit.SECONDS))
        .hasRootCauseInstanceOf(IllegalStateException.class);
    await()
        .atMost(Duration.ofSeconds(5))
        .ignoreExceptions()
        .until(() -> chunk(stale).get(5, TimeUnit.SECONDS) == null);
  }

  @Test
  void closingReleasesAWaitingChunk() throws Exception {
    unloadedOnDisk.set(true);
    CompletableFuture<Void> chunk = chunk(fence);
    assertStaysWaiting(chunk);
    fence.close();
    chunk.get(1, TimeUnit.SECONDS);
  }

  /** Runs beforeChunk on the chunk thread; completes once it has returned. */
  private CompletableFuture<Void> chunk(SnapshotInstallFence f) {
    CompletableFuture<Void> entered = new CompletableFuture<>();
    CompletableFuture<Void> done =
        CompletableFuture.runAsync(
            () -> {
              entered.complete(null);
              f.beforeChunk();
            },
            chunkThread);
    entered.join();
    return done;
  }

  private static void assertStaysWaiting(CompletableFuture<Void> chunk) {
    await()
        .during(Duration.ofMillis(200))
        .atMost(Duration.ofSeconds(1))
        .until(() -> !chunk.isDone());
  }

  private void onApplyThread(Runnable step) throws Exception {
    applyThread.submit(step).get(5, TimeUnit.SECONDS);
  }
}

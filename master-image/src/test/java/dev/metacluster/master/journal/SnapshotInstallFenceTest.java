package dev.metacluster.master.journal;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SnapshotInstallFenceTest {
  private final AtomicBoolean unloadedOnDisk = new AtomicBoolean();
  private final SnapshotInstallFence fence =
      new SnapshotInstallFence(unloadedOnDisk::get, Duration.ofSeconds(30));
  // Stands in for Ratis's apply thread: loads and polls the applied index on one thread.
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
    CompletableFuture.runAsync(fence::beforeChunk, chunkThread).get(5, TimeUnit.SECONDS);
  }

  @Test
  void aChunkWaitsForASwappedInSnapshotToLoadAndTheApplyThreadToComeBack() throws Exception {
    unloadedOnDisk.set(true);
    CompletableFuture<Void> chunk = CompletableFuture.runAsync(fence::beforeChunk, chunkThread);

    runOnApplyThread(fence::loading);
    unloadedOnDisk.set(false);
    runOnApplyThread(fence::loaded);
    // Loaded, but the apply thread has not been seen leaving the reload yet.
    assertStaysWaiting(chunk);

    fence.maybeApplyThread(); // another thread asking: not the sign
    assertStaysWaiting(chunk);

    runOnApplyThread(fence::maybeApplyThread);
    chunk.get(5, TimeUnit.SECONDS);
  }

  @Test
  void aChunkWaitsWhileASnapshotLoads() throws Exception {
    runOnApplyThread(fence::loading);
    CompletableFuture<Void> chunk = CompletableFuture.runAsync(fence::beforeChunk, chunkThread);
    // The apply thread asking for the applied index while it loads is not the sign either.
    runOnApplyThread(fence::maybeApplyThread);
    assertStaysWaiting(chunk);

    runOnApplyThread(fence::loaded);
    runOnApplyThread(fence::maybeApplyThread);
    chunk.get(5, TimeUnit.SECONDS);
  }

  @Test
  void closingReleasesAWaitingChunk() throws Exception {
    unloadedOnDisk.set(true);
    CompletableFuture<Void> chunk = CompletableFuture.runAsync(fence::beforeChunk, chunkThread);
    assertStaysWaiting(chunk);
    fence.close();
    chunk.get(5, TimeUnit.SECONDS);
  }

  @Test
  void aChunkGoesOnAfterTheLimit() throws Exception {
    SnapshotInstallFence shortFence = new SnapshotInstallFence(() -> true, Duration.ofMillis(200));
    CompletableFuture.runAsync(shortFence::beforeChunk, chunkThread).get(5, TimeUnit.SECONDS);
  }

  private static void assertStaysWaiting(CompletableFuture<Void> chunk) {
    await()
        .during(Duration.ofMillis(200))
        .atMost(Duration.ofSeconds(1))
        .until(() -> !chunk.isDone());
  }

  private void runOnApplyThread(Runnable step) throws Exception {
    applyThread.submit(step).get(5, TimeUnit.SECONDS);
  }
}

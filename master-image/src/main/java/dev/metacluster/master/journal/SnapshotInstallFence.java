package dev.metacluster.master.journal;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds a snapshot arriving from the leader back until this member has loaded the one before.
 *
 * <p>Ratis 3.2.2 writes the files of a snapshot on a gRPC thread, swaps them in for the whole
 * snapshot directory, and loads them later on the apply thread ({@code reinitialize}). When the
 * leader keeps snapshotting and purging under load, the next snapshot can arrive in between. Two
 * things then went wrong (seen in {@code JournalCrashIT}, about one run in eight): the swap removed
 * the files {@code reinitialize} was reading ("file is missing", the member stopped); or the second
 * snapshot was complete before the apply thread had left its reload, whose last step ({@code state
 * = RUNNING}) overwrote the second reload request, and the member never applied again (its log now
 * started after the snapshot it had loaded).
 *
 * <p>So every chunk of a snapshot waits here (Ratis calls {@code pause()} before writing each)
 * while a snapshot swapped in is not loaded yet, while it loads, and until the apply thread has
 * been seen again after loading it. The apply thread shows itself by asking for the applied index:
 * its loop does that each round once running ({@code shouldTakeSnapshot}, with snapshots by
 * threshold, which this project always enables). The wait is bounded: past {@code limit} the chunk
 * goes on as before this fence, with a warning.
 */
final class SnapshotInstallFence {
  private static final Logger LOG = LoggerFactory.getLogger(SnapshotInstallFence.class);

  private final BooleanSupplier unloadedSnapshotOnDisk;
  private final Duration limit;
  private boolean loading;
  // The apply thread, from the end of a load until it is seen again; null otherwise.
  private volatile Thread loadedBy;
  private boolean closed;

  /**
   * @param unloadedSnapshotOnDisk whether the snapshot directory holds a snapshot that was swapped
   *     in and not loaded yet
   * @param limit the longest a chunk waits
   */
  SnapshotInstallFence(BooleanSupplier unloadedSnapshotOnDisk, Duration limit) {
    this.unloadedSnapshotOnDisk = unloadedSnapshotOnDisk;
    this.limit = limit;
  }

  /** Before a chunk of a snapshot is written: waits until the previous snapshot is loaded. */
  synchronized void beforeChunk() {
    long deadline = System.nanoTime() + limit.toNanos();
    while (!closed && (loading || loadedBy != null || unloadedSnapshotOnDisk.getAsBoolean())) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        LOG.warn(
            "a snapshot chunk waited {} ms for the previous snapshot to load (loading {}, apply"
                + " thread not seen again {}); going on",
            limit.toMillis(),
            loading,
            loadedBy != null);
        return;
      }
      try {
        // Also looks again now and then: a snapshot on disk gets loaded without a notification.
        wait(Math.max(1, Math.min(100, left / 1_000_000)));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** The apply thread starts loading a snapshot. */
  synchronized void loading() {
    loading = true;
  }

  /** The apply thread is done loading (or failed to); chunks wait until it is seen again. */
  synchronized void loaded() {
    loading = false;
    loadedBy = Thread.currentThread();
  }

  /** Called wherever the apply thread asks for the applied index; cheap for other threads. */
  void maybeApplyThread() {
    if (loadedBy == Thread.currentThread()) {
      synchronized (this) {
        if (!loading) {
          loadedBy = null;
          notifyAll();
        }
      }
    }
  }

  synchronized void close() {
    closed = true;
    notifyAll();
  }
}

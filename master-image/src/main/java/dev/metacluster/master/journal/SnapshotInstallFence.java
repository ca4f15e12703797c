package dev.metacluster.master.journal;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a snapshot arriving from the leader out until this member has loaded the one before.
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
 * <p>So before each chunk is written (Ratis calls {@code pause()} first) the fence checks that no
 * snapshot swapped in is waiting to be loaded or loading, and that the apply thread has been seen
 * again since the last load. The apply thread shows itself by asking for the applied index: its
 * loop does that each round once running ({@code shouldTakeSnapshot}, with snapshots by threshold,
 * which this project always enables). Ratis holds the member's lock meanwhile (no votes, no
 * appends), so a chunk waits {@code wait} at most and is then refused: the leader sends the
 * snapshot again a little later. Two escapes keep a member from refusing for ever if a signal never
 * comes: the apply thread counts as seen {@value #SIGHTING_WINDOW_MS} ms after a load, and a
 * snapshot on disk that no load picks up for {@code giveUpAfter} stops holding chunks back.
 */
final class SnapshotInstallFence {
  private static final Logger LOG = LoggerFactory.getLogger(SnapshotInstallFence.class);
  private static final long SIGHTING_WINDOW_MS = 2_000;

  private final BooleanSupplier unloadedSnapshotOnDisk;
  private final Runnable beforeChunksResume;
  private final long waitNanos;
  private final long giveUpNanos;
  private boolean loading;
  // The apply thread, from the end of a load until it is seen again; null otherwise.
  private volatile Thread loadedBy;
  private long loadedAtNanos;
  // When chunks were first held back for a snapshot on disk that is not loading; 0: not now.
  private long unloadedSinceNanos;
  private int waiting;
  private boolean closed;

  /**
   * @param unloadedSnapshotOnDisk whether the snapshot directory holds a snapshot that was swapped
   *     in and not loaded yet
   * @param beforeChunksResume run on the apply thread when it releases waiting chunks, before it
   *     goes on (it may take a snapshot of its own right after)
   * @param wait the longest a chunk waits before it is refused
   * @param giveUpAfter how long a snapshot on disk that nobody loads holds chunks back
   */
  SnapshotInstallFence(
      BooleanSupplier unloadedSnapshotOnDisk,
      Runnable beforeChunksResume,
      Duration wait,
      Duration giveUpAfter) {
    this.unloadedSnapshotOnDisk = unloadedSnapshotOnDisk;
    this.beforeChunksResume = beforeChunksResume;
    this.waitNanos = wait.toNanos();
    this.giveUpNanos = giveUpAfter.toNanos();
  }

  /**
   * Before a chunk of a snapshot is written: returns once the previous snapshot is loaded, or
   * throws {@link IllegalStateException} after the wait (Ratis fails the download; the leader
   * retries).
   */
  synchronized void beforeChunk() {
    long deadline = System.nanoTime() + waitNanos;
    waiting++;
    try {
      while (!closed && held()) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new IllegalStateException(
              "the previous snapshot from the leader is still loading; this download is refused"
                  + " and the leader will send it again");
        }
        // Also looks again now and then: a snapshot on disk gets loaded without a notification.
        wait(Math.max(1, Math.min(50, left / 1_000_000)));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for a snapshot to load", e);
    } finally {
      waiting--;
    }
  }

  private boolean held() {
    long now = System.nanoTime();
    if (loading) {
      return true;
    }
    if (loadedBy != null) {
      if (now - loadedAtNanos < SIGHTING_WINDOW_MS * 1_000_000) {
        return true;
      }
      LOG.warn(
          "the apply thread was not seen within {} ms of loading a snapshot", SIGHTING_WINDOW_MS);
      loadedBy = null;
    }
    if (!unloadedSnapshotOnDisk.getAsBoolean()) {
      unloadedSinceNanos = 0;
      return false;
    }
    if (unloadedSinceNanos == 0) {
      unloadedSinceNanos = now;
    }
    if (now - unloadedSinceNanos < giveUpNanos) {
      return true;
    }
    LOG.warn(
        "a snapshot on disk was not loaded within {} ms; no longer holding downloads back for it",
        giveUpNanos / 1_000_000);
    return false;
  }

  /** The apply thread starts loading a snapshot. */
  synchronized void loading() {
    loading = true;
  }

  /** The apply thread is done loading (or failed to); chunks wait until it is seen again. */
  synchronized void loaded() {
    loading = false;
    unloadedSinceNanos = 0;
    loadedAtNanos = System.nanoTime();
    loadedBy = Thread.currentThread();
  }

  /** Called wherever the apply thread asks for the applied index; cheap for other threads. */
  void maybeApplyThread() {
    if (loadedBy == Thread.currentThread()) {
      synchronized (this) {
        if (!loading && loadedBy != null) {
          loadedBy = null;
          if (waiting > 0) {
            beforeChunksResume.run();
          }
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

package dev.metacluster.master.backup;

import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Keeps the newest backups of a folder and deletes the rest. Only archives with a sidecar count (an
 * archive without one is half-written or not ours); newest is by the sidecar's completedAt, else by
 * the archive's last-modified time.
 */
public final class Retention {
  private Retention() {}

  /**
   * Deletes all but the {@code keep} newest backups in the folder of {@code uri}, each sidecar
   * before its archive (so no sidecar ever names a missing archive).
   *
   * @return the locations deleted, oldest first
   */
  public static List<BackupUri> prune(BackupStore store, BackupUri uri, int keep)
      throws IOException {
    if (keep < 1) {
      throw new IllegalArgumentException("keep must be at least 1, got " + keep);
    }
    List<BackupStore.Entry> entries = store.list(uri.folder());
    Set<String> keys = new HashSet<>();
    entries.forEach(e -> keys.add(e.key()));
    record Candidate(BackupUri uri, Instant completed) {}
    List<Candidate> candidates = new ArrayList<>();
    for (BackupStore.Entry e : entries) {
      BackupUri archive = uri.withKey(e.key());
      if (e.key().endsWith(BackupUri.SUFFIX) && keys.contains(archive.sidecarKey())) {
        candidates.add(new Candidate(archive, completedAt(store, archive, e.lastModified())));
      }
    }
    candidates.sort(
        Comparator.comparing(Candidate::completed).thenComparing(c -> c.uri().key()).reversed());
    List<BackupUri> deleted = new ArrayList<>();
    for (Candidate old : candidates.subList(Math.min(keep, candidates.size()), candidates.size())) {
      store.delete(old.uri().sidecarKey());
      store.delete(old.uri().key());
      deleted.add(0, old.uri());
    }
    return deleted;
  }

  private static Instant completedAt(BackupStore store, BackupUri archive, Instant fallback) {
    try (InputStream in = store.open(archive.sidecarKey())) {
      return BackupRecord.parse(in.readAllBytes()).completedAt();
    } catch (IOException unreadable) {
      return fallback;
    }
  }
}

package dev.metacluster.operator.backup;

import dev.metacluster.operator.crd.MetadataBackup;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The schedule's decisions as pure functions: is a backup due (one, however many fire times were
 * missed), what is it called, when is the next one, which scheduled backups are beyond retention.
 */
public final class BackupScheduler {
  private static final DateTimeFormatter STAMP =
      DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);

  /**
   * @param fire the fire time to back up for now, null when none is due
   * @param next the first fire time after now, null if the schedule has none
   */
  public record Decision(Instant fire, Instant next) {
    public boolean due() {
      return fire != null;
    }
  }

  private BackupScheduler() {}

  /**
   * @param lastScheduleTime the fire time of the last scheduled backup, null before the first
   * @param since when the schedule's clock started for this cluster (its creation) when there was
   *     no scheduled backup yet
   */
  public static Decision decide(
      BackupSchedule schedule, Instant lastScheduleTime, Instant since, Instant now) {
    Instant from = lastScheduleTime != null ? lastScheduleTime : since;
    Optional<Instant> fire = schedule.due(from, now);
    return new Decision(fire.orElse(null), schedule.next(now).orElse(null));
  }

  /** {@code <cluster>-<yyyyMMdd-HHmmss>} of the fire time, in UTC. */
  public static String name(String cluster, Instant fire) {
    return cluster + "-" + STAMP.format(fire);
  }

  /**
   * The scheduled backups to delete: all but the {@code retention} newest (names sort by their fire
   * time), and only finished ones: a running backup is never cut short.
   */
  public static List<String> beyondRetention(List<MetadataBackup> scheduled, int retention) {
    List<MetadataBackup> newestFirst = new ArrayList<>(scheduled);
    newestFirst.sort(
        Comparator.comparing((MetadataBackup b) -> b.getMetadata().getName()).reversed());
    List<String> delete = new ArrayList<>();
    for (int i = retention; i < newestFirst.size(); i++) {
      MetadataBackup b = newestFirst.get(i);
      if (b.getStatus() != null && b.getStatus().finished()) {
        delete.add(b.getMetadata().getName());
      }
    }
    return delete;
  }
}

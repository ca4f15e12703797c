package dev.metacluster.operator.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.metacluster.operator.crd.MetadataBackup;
import dev.metacluster.operator.crd.MetadataBackupSpec;
import dev.metacluster.operator.crd.MetadataBackupStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The schedule's decisions on a fixed clock. */
class BackupSchedulerTest {
  static final BackupSchedule NIGHTLY = BackupSchedule.parse("0 3 * * *");
  static final Instant CREATED = Instant.parse("2026-03-01T10:00:00Z");

  @Test
  void nothingIsDueBeforeTheFirstFireTimeAndTheNextOneIsKnown() {
    BackupScheduler.Decision d =
        BackupScheduler.decide(NIGHTLY, null, CREATED, Instant.parse("2026-03-02T02:59:59Z"));
    assertThat(d.due()).isFalse();
    assertThat(d.next()).isEqualTo(Instant.parse("2026-03-02T03:00:00Z"));
  }

  @Test
  void aFireTimeThatPassedIsDueOnceAndTheNextIsTomorrow() {
    Instant now = Instant.parse("2026-03-02T03:00:07Z");
    BackupScheduler.Decision d = BackupScheduler.decide(NIGHTLY, null, CREATED, now);
    assertThat(d.fire()).isEqualTo(Instant.parse("2026-03-02T03:00:00Z"));
    assertThat(d.next()).isEqualTo(Instant.parse("2026-03-03T03:00:00Z"));
    // recorded as lastScheduleTime: the same fire time is not due again
    BackupScheduler.Decision again =
        BackupScheduler.decide(NIGHTLY, d.fire(), CREATED, now.plusSeconds(30));
    assertThat(again.due()).isFalse();
  }

  @Test
  void aFireTimeExactlyNowIsDue() {
    Instant now = Instant.parse("2026-03-02T03:00:00Z");
    assertThat(BackupScheduler.decide(NIGHTLY, null, CREATED, now).fire()).isEqualTo(now);
  }

  @Test
  void missedFireTimesWhileTheOperatorWasDownGiveOneBackupForTheLatest() {
    Instant last = Instant.parse("2026-03-02T03:00:00Z");
    Instant now = Instant.parse("2026-03-06T12:00:00Z"); // four nights missed
    BackupScheduler.Decision d = BackupScheduler.decide(NIGHTLY, last, CREATED, now);
    assertThat(d.fire()).isEqualTo(Instant.parse("2026-03-06T03:00:00Z"));
    assertThat(BackupScheduler.decide(NIGHTLY, d.fire(), CREATED, now).due()).isFalse();
  }

  @Test
  void everyFifteenMinutes() {
    BackupSchedule s = BackupSchedule.parse("*/15 * * * *");
    BackupScheduler.Decision d =
        BackupScheduler.decide(
            s,
            Instant.parse("2026-03-02T10:15:00Z"),
            CREATED,
            Instant.parse("2026-03-02T10:44:59Z"));
    assertThat(d.fire()).isEqualTo(Instant.parse("2026-03-02T10:30:00Z"));
    assertThat(d.next()).isEqualTo(Instant.parse("2026-03-02T10:45:00Z"));
  }

  @Test
  void badExpressionsAreRefusedWithCronUtilsWords() {
    assertThatThrownBy(() -> BackupSchedule.parse("0 25 * * *"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> BackupSchedule.parse("0 3 * *"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> BackupSchedule.parse("nightly"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void namesCarryTheFireTimeInUtc() {
    assertThat(BackupScheduler.name("meta", Instant.parse("2026-03-02T03:04:05Z")))
        .isEqualTo("meta-20260302-030405");
  }

  @Test
  void retentionDeletesTheOldestFinishedBeyondTheCountButNeverARunningOne() {
    List<MetadataBackup> backups = new ArrayList<>();
    backups.add(backup("meta-20260301-030000", MetadataBackupStatus.SUCCEEDED));
    backups.add(backup("meta-20260305-030000", MetadataBackupStatus.SUCCEEDED));
    backups.add(backup("meta-20260302-030000", MetadataBackupStatus.RUNNING));
    backups.add(backup("meta-20260304-030000", MetadataBackupStatus.FAILED));
    backups.add(backup("meta-20260303-030000", MetadataBackupStatus.SUCCEEDED));
    assertThat(BackupScheduler.beyondRetention(backups, 2))
        .containsExactly("meta-20260303-030000", "meta-20260301-030000");
    assertThat(BackupScheduler.beyondRetention(backups, 7)).isEmpty();
  }

  static MetadataBackup backup(String name, String phase) {
    MetadataBackup b = new MetadataBackup("ns", name, new MetadataBackupSpec("meta"));
    b.setStatus(new MetadataBackupStatus());
    b.getStatus().phase = phase;
    return b;
  }
}

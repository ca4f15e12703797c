package dev.metacluster.operator.backup;

import dev.metacluster.operator.crd.BackupSpec;
import dev.metacluster.operator.crd.BackupTarget;
import dev.metacluster.operator.crd.FromBackupSpec;
import dev.metacluster.operator.crd.MetadataClusterSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * The checks of {@code spec.backup}, {@code spec.bootstrap} and backup targets that the schema
 * makes too (repeated for an API server without the schema) plus the cron expression's, which it
 * cannot make. One sentence per problem, saying what to change.
 */
public final class BackupValidation {
  private BackupValidation() {}

  /** Problems of a MetadataCluster's backup and bootstrap sections. */
  public static List<String> problems(MetadataClusterSpec spec) {
    List<String> problems = new ArrayList<>();
    BackupSpec backup = spec.backup;
    if (backup != null) {
      if (backup.schedule != null) {
        try {
          BackupSchedule.parse(backup.schedule);
        } catch (IllegalArgumentException e) {
          problems.add(
              "spec.backup.schedule '"
                  + backup.schedule
                  + "' is not a 5-field cron expression (minute hour day-of-month month"
                  + " day-of-week): "
                  + e.getMessage());
        }
        if (backup.target == null) {
          problems.add("spec.backup.schedule needs spec.backup.target: where to write backups");
        }
      }
      if (backup.retention != null && backup.retention < 1) {
        problems.add("spec.backup.retention is " + backup.retention + "; it must be at least 1");
      }
      if (backup.target != null) {
        problems.addAll(target(backup.target, "spec.backup.target"));
      }
    }
    FromBackupSpec from = spec.bootstrap == null ? null : spec.bootstrap.fromBackup;
    if (from != null) {
      String field = "spec.bootstrap.fromBackup";
      if ((from.backup == null) == (from.uri == null)) {
        problems.add(field + " must name exactly one of backup (a MetadataBackup) or uri");
      }
      if (from.uri != null) {
        if (!from.uri.matches("^(s3://[^/\\s]+/\\S+|file:///backups/\\S+)\\.mcbak$")) {
          problems.add(
              field
                  + ".uri '"
                  + from.uri
                  + "' is not s3://BUCKET/KEY.mcbak or file:///backups/PATH.mcbak");
        }
        if (from.target == null) {
          problems.add(field + ".uri needs " + field + ".target (the claim or the S3 server)");
        }
      }
      if (from.target != null) {
        problems.addAll(target(from.target, field + ".target"));
      }
    }
    return problems;
  }

  /** Problems of one target; {@code field} names it in the messages. */
  public static List<String> target(BackupTarget target, String field) {
    List<String> problems = new ArrayList<>();
    if ((target.volume == null) == (target.s3 == null)) {
      problems.add(field + " must be exactly one of volume or s3");
      return problems;
    }
    if (target.volume != null
        && (target.volume.claimName == null || target.volume.claimName.isBlank())) {
      problems.add(field + ".volume.claimName is required");
    }
    if (target.s3 != null && (target.s3.bucket == null || target.s3.bucket.isBlank())) {
      problems.add(field + ".s3.bucket is required");
    }
    String prefix = target.s3 != null ? target.s3.prefix : target.volume.prefix;
    if (prefix != null && !prefix.matches(BackupSpec.PREFIX_PATTERN)) {
      problems.add(
          field + " prefix '" + prefix + "' must be folder names separated by '/', without '..'");
    }
    return problems;
  }
}

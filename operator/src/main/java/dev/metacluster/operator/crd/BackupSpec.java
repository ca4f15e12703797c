package dev.metacluster.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;

/**
 * Scheduled backups, and the default target of every backup of the cluster (on demand through a
 * MetadataBackup, and before an upgrade).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class BackupSpec {
  /** Folders: letters, digits, '-', '_', '.', separated by single '/'; no '..', no leading '/'. */
  public static final String PREFIX_PATTERN =
      "^[A-Za-z0-9_-][A-Za-z0-9_.-]*(/[A-Za-z0-9_-][A-Za-z0-9_.-]*)*$";

  public static final int DEFAULT_RETENTION = 7;

  @JsonPropertyDescription(
      "When to back up: a 5-field cron expression in UTC (minute hour day-of-month month"
          + " day-of-week), e.g. '0 3 * * *'. No scheduled backups when unset.")
  @Pattern("^\\s*\\S+(\\s+\\S+){4}\\s*$")
  public String schedule;

  @JsonPropertyDescription(
      "Scheduled backups to keep (objects and archives); older ones are deleted. Default 7.")
  @Min(1)
  public Integer retention;

  @JsonPropertyDescription("Where backups are written.")
  public BackupTarget target;

  @JsonPropertyDescription(
      "Take a backup before a rolling upgrade restarts the first member (default true when a"
          + " target is set). If it fails the rollout waits; set false to go on without one.")
  public Boolean beforeUpgrade;

  public int retentionOrDefault() {
    return retention == null ? DEFAULT_RETENTION : retention;
  }

  public boolean backsUpBeforeUpgrade() {
    return target != null && !Boolean.FALSE.equals(beforeUpgrade);
  }
}

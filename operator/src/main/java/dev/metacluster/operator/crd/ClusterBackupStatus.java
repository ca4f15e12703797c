package dev.metacluster.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** The cluster's backups at a glance: the schedule's bookkeeping and the last good backup. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ClusterBackupStatus {
  @JsonPropertyDescription(
      "The last fire time of spec.backup.schedule for which a backup was created (RFC 3339).")
  public String lastScheduleTime;

  @JsonPropertyDescription("The next fire time of spec.backup.schedule (RFC 3339).")
  public String nextScheduleTime;

  @JsonPropertyDescription("The MetadataBackup that finished last, successful or not.")
  public String lastBackup;

  @JsonPropertyDescription("The MetadataBackup that succeeded last.")
  public String lastSuccessfulBackup;

  @JsonPropertyDescription("When it completed (RFC 3339).")
  public String lastSuccessfulTime;

  @JsonPropertyDescription("Its archive.")
  public String lastSuccessfulUri;

  @JsonPropertyDescription("Its Raft log index.")
  public Long lastSuccessfulIndex;
}

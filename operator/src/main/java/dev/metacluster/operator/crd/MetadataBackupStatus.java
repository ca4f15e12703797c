package dev.metacluster.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;

/** Progress and result of one backup; the result fields are what the backup Job reported. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class MetadataBackupStatus {
  public static final String PENDING = "Pending";
  public static final String RUNNING = "Running";
  public static final String SUCCEEDED = "Succeeded";
  public static final String FAILED = "Failed";

  @JsonPropertyDescription("Pending, Running, Succeeded or Failed.")
  public String phase;

  @JsonPropertyDescription("Succeeded (True when the backup is complete), with reason and message.")
  public List<Condition> conditions = new ArrayList<>();

  @JsonPropertyDescription("The Job that takes the backup.")
  public String jobName;

  @JsonPropertyDescription("The target the backup is written to (as resolved when it started).")
  public BackupTarget target;

  @JsonPropertyDescription("When the Job was created (RFC 3339).")
  public String startedAt;

  @JsonPropertyDescription("When the backup completed or failed (RFC 3339).")
  public String completedAt;

  @JsonPropertyDescription("Where the archive is: s3://BUCKET/KEY.mcbak or file:///backups/....")
  public String uri;

  @JsonPropertyDescription("The cluster id in the archive's manifest.")
  public String clusterId;

  @JsonPropertyDescription("Raft term of the snapshot.")
  public Long term;

  @JsonPropertyDescription("Raft log index of the snapshot.")
  public Long index;

  @JsonPropertyDescription("Inodes in the snapshot.")
  public Long inodes;

  @JsonPropertyDescription("Size of the archive in bytes.")
  public Long sizeBytes;

  @JsonPropertyDescription("SHA-256 of the archive, hex.")
  public String sha256;

  @JsonPropertyDescription("What happened, in words (why it failed).")
  public String message;

  public boolean finished() {
    return SUCCEEDED.equals(phase) || FAILED.equals(phase);
  }
}

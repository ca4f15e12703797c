package dev.metacluster.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.ValidationRule;

/** Where backups are written: exactly one of a volume claim or an S3-compatible bucket. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "has(self.volume) != has(self.s3)",
    message = "a backup target is exactly one of volume or s3")
public class BackupTarget {
  @JsonPropertyDescription(
      "A PersistentVolumeClaim in the cluster's namespace (ReadWriteMany if backups may run while"
          + " another pod has it mounted).")
  public VolumeTarget volume;

  @JsonPropertyDescription("An S3-compatible bucket.")
  public S3Target s3;

  public BackupTarget() {}

  public static BackupTarget volume(String claimName) {
    BackupTarget t = new BackupTarget();
    t.volume = new VolumeTarget();
    t.volume.claimName = claimName;
    return t;
  }

  public static BackupTarget s3(String endpoint, String bucket, String credentialsSecret) {
    BackupTarget t = new BackupTarget();
    t.s3 = new S3Target();
    t.s3.endpoint = endpoint;
    t.s3.bucket = bucket;
    t.s3.credentialsSecret = credentialsSecret;
    return t;
  }
}

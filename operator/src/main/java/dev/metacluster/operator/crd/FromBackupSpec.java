package dev.metacluster.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.ValidationRule;

/** The backup a new cluster starts from: a MetadataBackup, or an archive's URI and its target. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "has(self.backup) != has(self.uri)",
    message = "fromBackup names exactly one of backup or uri")
@ValidationRule(
    value = "!has(self.uri) || has(self.target)",
    message = "fromBackup.uri needs a target (the volume claim or the S3 server and credentials)")
public class FromBackupSpec {
  @JsonPropertyDescription(
      "A MetadataBackup in this namespace; its status.uri is restored once it has Succeeded.")
  public String backup;

  @JsonPropertyDescription(
      "An archive: s3://BUCKET/KEY.mcbak or file:///backups/PATH.mcbak (a path on the target's"
          + " volume claim, mounted at /backups).")
  @Pattern("^(s3://[^/\\s]+/\\S+|file:///backups/\\S+)\\.mcbak$")
  public String uri;

  @JsonPropertyDescription(
      "Where the archive is: the claim to mount, or the S3 endpoint, region and credentials."
          + " With backup, the MetadataBackup's target (or its cluster's) when unset.")
  public BackupTarget target;
}

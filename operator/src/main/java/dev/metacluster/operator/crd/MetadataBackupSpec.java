package dev.metacluster.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;

/** Which cluster to back up, and where to (the cluster's spec.backup.target when unset). */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "self == oldSelf", message = "a MetadataBackup's spec is immutable")
public class MetadataBackupSpec {
  @JsonPropertyDescription("The MetadataCluster to back up, in this namespace.")
  @Required
  public String cluster;

  @JsonPropertyDescription(
      "Where to write the backup; the cluster's spec.backup.target when unset.")
  public BackupTarget target;

  public MetadataBackupSpec() {}

  public MetadataBackupSpec(String cluster) {
    this.cluster = cluster;
  }
}

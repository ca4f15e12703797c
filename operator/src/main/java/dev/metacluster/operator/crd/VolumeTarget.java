package dev.metacluster.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

/** Backups as files on a PersistentVolumeClaim, mounted at /backups in the backup Job. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class VolumeTarget {
  @JsonPropertyDescription("The claim's name, in the cluster's namespace.")
  @Required
  @Pattern("^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")
  public String claimName;

  @JsonPropertyDescription("Folder on the volume; the cluster's name when unset.")
  @Pattern(BackupSpec.PREFIX_PATTERN)
  public String prefix;
}

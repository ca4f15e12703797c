package dev.metacluster.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** How a new cluster gets its first state. Fixed once the cluster exists. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class BootstrapSpec {
  @JsonPropertyDescription(
      "Start from a backup: every member's empty metastore is restored from it before the master"
          + " starts.")
  public FromBackupSpec fromBackup;
}

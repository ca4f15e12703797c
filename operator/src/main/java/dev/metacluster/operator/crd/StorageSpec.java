package dev.metacluster.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** The two persistent volumes of each master: RocksDB (metastore) and the Raft log (journal). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class StorageSpec {
  @JsonPropertyDescription("The RocksDB volume (namespace data and snapshots).")
  public VolumeSpec metastore = new VolumeSpec("10Gi");

  @JsonPropertyDescription("The Raft log volume.")
  public VolumeSpec journal = new VolumeSpec("5Gi");
}

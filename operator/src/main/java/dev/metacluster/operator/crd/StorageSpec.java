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

  @JsonPropertyDescription(
      "What happens to the masters' volume claims when the MetadataCluster is deleted: Retain"
          + " (the default) keeps them and their data; Delete deletes them (the data is gone).")
  public DeletionPolicy deletionPolicy = DeletionPolicy.Retain;

  /** The fate of the volume claims when the cluster is deleted. */
  public enum DeletionPolicy {
    Retain,
    Delete
  }

  public boolean deletesVolumes() {
    return deletionPolicy == DeletionPolicy.Delete;
  }
}

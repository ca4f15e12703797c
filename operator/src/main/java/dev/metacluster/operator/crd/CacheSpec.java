package dev.metacluster.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Min;

/** The master's on-heap inode cache (entries, not bytes). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class CacheSpec {
  @JsonPropertyDescription("Inodes kept on heap in front of RocksDB.")
  @Min(0)
  public Long inodes = 1_000_000L;
}

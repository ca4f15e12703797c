package dev.metacluster.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.ValidationRule;

/** Raft timing and log retention of the masters. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "self.electionTimeoutMinMillis < self.electionTimeoutMaxMillis",
    message = "electionTimeoutMinMillis must be below electionTimeoutMaxMillis")
public class RaftSpec {
  @JsonPropertyDescription("Lower bound of the randomized election timeout, milliseconds.")
  @Min(100)
  @Default("300")
  public Integer electionTimeoutMinMillis = 300;

  @JsonPropertyDescription("Upper bound of the randomized election timeout, milliseconds.")
  @Min(100)
  @Default("600")
  public Integer electionTimeoutMaxMillis = 600;

  @JsonPropertyDescription(
      "Take a snapshot after this many applied entries (the masters' default: 100000). It also"
          + " bounds what a restarting member replays.")
  @Min(1)
  public Long snapshotThreshold;

  @JsonPropertyDescription(
      "Purge the Raft log up to the latest snapshot once this many entries can go (the masters'"
          + " default: 10000). A member further behind than the log reaches catches up by snapshot"
          + " installation.")
  @Min(1)
  public Integer logPurgeGap;
}

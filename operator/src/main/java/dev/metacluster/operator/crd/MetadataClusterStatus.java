package dev.metacluster.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;

/** What the operator observed; see {@code status.ClusterConditions} for the condition types. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class MetadataClusterStatus {
  @JsonPropertyDescription("The metadata.generation this status describes.")
  public Long observedGeneration;

  @JsonPropertyDescription("Creating, Running, Degraded, Unavailable or Invalid.")
  public String phase;

  @JsonPropertyDescription("Masters the StatefulSet runs.")
  public Integer replicas;

  @JsonPropertyDescription("Masters whose pods are ready.")
  public Integer readyReplicas;

  @JsonPropertyDescription("Member id of the Raft leader, empty when none is known.")
  public String leader;

  @JsonPropertyDescription("Raft term of the leader.")
  public Long term;

  @JsonPropertyDescription("Every member the cluster should have, as last observed.")
  public List<MemberStatus> members = new ArrayList<>();

  @JsonPropertyDescription(
      "Ready, Available, Progressing and Degraded, per Kubernetes conventions.")
  public List<Condition> conditions = new ArrayList<>();
}

package dev.metacluster.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Nullable;
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

  @JsonPropertyDescription("The leader before the last leader change.")
  public String previousLeader;

  @JsonPropertyDescription("When the operator saw the leader change last (RFC 3339).")
  public String leaderChangedAt;

  @JsonPropertyDescription(
      "True once the Raft group has formed (a leader was seen): from then on a member that starts"
          + " with an empty journal joins as a newcomer instead of bootstrapping a group.")
  public Boolean groupFormed;

  @JsonPropertyDescription("The risky operation in flight (scale, upgrade), null when none.")
  // written as an explicit null when none: a status apply then clears the previous operation
  // (the server-side apply stand-in of the tests merges, and a merge keeps an absent field)
  @JsonInclude(JsonInclude.Include.ALWAYS)
  @Nullable
  public OperationStatus operation;

  @JsonPropertyDescription(
      "Member replacements started within the last hour, oldest first (the bound"
          + " spec.maxReplacementsPerHour counts them).")
  public List<ReplacementStatus> replacements = new ArrayList<>();

  @JsonPropertyDescription("Scheduled and last successful backups; null without any.")
  public ClusterBackupStatus backup;

  @JsonPropertyDescription("Every member the cluster should have, as last observed.")
  public List<MemberStatus> members = new ArrayList<>();

  @JsonPropertyDescription(
      "Ready, Available, Progressing, Degraded and BackupSucceeded, per Kubernetes conventions.")
  public List<Condition> conditions = new ArrayList<>();
}

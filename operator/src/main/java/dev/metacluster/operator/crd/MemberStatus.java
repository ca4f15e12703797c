package dev.metacluster.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** One master as the operator last observed it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class MemberStatus {
  @JsonPropertyDescription("Member id, equal to the pod name.")
  public String name;

  @JsonPropertyDescription("Leader, Follower, Candidate, Listener or Unknown (not answering).")
  public String role;

  @JsonPropertyDescription("Raft term the member reports.")
  public Long term;

  @JsonPropertyDescription("Last log index applied to the member's namespace.")
  public Long appliedIndex;

  @JsonPropertyDescription("Entries the member is behind the leader's commit index.")
  public Long lag;

  @JsonPropertyDescription("True when the member answered and is a voting member of the group.")
  public Boolean healthy;

  @JsonPropertyDescription("Why the member is not healthy.")
  public String message;

  @JsonPropertyDescription(
      "Identity of the member's metastore, made when it was created empty. A voter reporting"
          + " another one lost the data it had acknowledged, and is replaced.")
  public String storeId;

  public MemberStatus() {}

  public MemberStatus(String name) {
    this.name = name;
  }
}

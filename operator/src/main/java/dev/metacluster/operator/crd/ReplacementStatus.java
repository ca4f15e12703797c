package dev.metacluster.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** One member replacement the operator started. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ReplacementStatus {
  @JsonPropertyDescription("The member replaced.")
  public String member;

  @JsonPropertyDescription("Why it was replaced.")
  public String reason;

  @JsonPropertyDescription("When the replacement started (RFC 3339).")
  public String startedAt;

  public ReplacementStatus() {}

  public ReplacementStatus(String member, String reason, String startedAt) {
    this.member = member;
    this.reason = reason;
    this.startedAt = startedAt;
  }
}

package dev.metacluster.operator.crd;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/**
 * The risky operation in flight, written before each of its steps (intent first). Together with
 * what the masters report it is enough to resume after an operator restart: every step is derived
 * again from the observed state, and this record only keeps what cannot be observed (the size an
 * in-flight scale is heading for, when it started).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class OperationStatus {
  public static final String SCALE_UP = "ScaleUp";
  public static final String SCALE_DOWN = "ScaleDown";
  public static final String UPGRADE = "Upgrade";
  public static final String REPLACE_MEMBER = "ReplaceMember";

  @JsonPropertyDescription("ScaleUp, ScaleDown, Upgrade or ReplaceMember.")
  public String type;

  @JsonPropertyDescription("Members when the operation started.")
  public Integer fromReplicas;

  @JsonPropertyDescription("Members when the operation is done.")
  public Integer toReplicas;

  @JsonPropertyDescription("For an upgrade: the StatefulSet revision every pod must run.")
  public String revision;

  @JsonPropertyDescription("The member the current step acts on, if one.")
  public String member;

  @JsonPropertyDescription("For a replacement: why the member is replaced.")
  public String reason;

  @JsonPropertyDescription(
      "For a replacement: the uid of the member's pod whose volumes are being deleted; once the"
          + " pod has another uid (or is gone), it runs on new, empty volumes.")
  public String podUid;

  @JsonPropertyDescription("The step about to be taken (or just taken), in words.")
  public String step;

  @JsonPropertyDescription("When the operation started (RFC 3339).")
  public String startedAt;

  @JsonPropertyDescription("When the last step was decided (RFC 3339).")
  public String lastStepAt;

  public OperationStatus() {}

  public OperationStatus(String type, Integer fromReplicas, Integer toReplicas) {
    this.type = type;
    this.fromReplicas = fromReplicas;
    this.toReplicas = toReplicas;
  }

  @JsonIgnore
  public boolean isReplacement() {
    return REPLACE_MEMBER.equals(type);
  }

  @JsonIgnore
  public boolean isScale() {
    return SCALE_UP.equals(type) || SCALE_DOWN.equals(type);
  }
}

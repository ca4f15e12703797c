package dev.metacluster.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.LinkedHashMap;
import java.util.Map;

/** Extra metadata on the master pods (the operator's own labels win on a clash). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class PodMetadataSpec {
  @JsonPropertyDescription("Extra labels on every master pod.")
  public Map<String, String> labels = new LinkedHashMap<>();

  @JsonPropertyDescription("Extra annotations on every master pod.")
  public Map<String, String> annotations = new LinkedHashMap<>();
}

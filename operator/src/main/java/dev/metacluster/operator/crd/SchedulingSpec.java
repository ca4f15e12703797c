package dev.metacluster.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraint;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Where masters may run. Without an affinity, masters prefer distinct nodes. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SchedulingSpec {
  @JsonPropertyDescription("Node labels a master's node must have.")
  public Map<String, String> nodeSelector = new LinkedHashMap<>();

  @JsonPropertyDescription(
      "Pod affinity; when unset masters prefer distinct nodes (anti-affinity on hostname).")
  public Affinity affinity;

  @JsonPropertyDescription("Tolerations of the master pods.")
  public List<Toleration> tolerations = new ArrayList<>();

  @JsonPropertyDescription("Topology spread constraints of the master pods.")
  public List<TopologySpreadConstraint> topologySpreadConstraints = new ArrayList<>();

  @JsonPropertyDescription("Priority class of the master pods.")
  public String priorityClassName;
}

package dev.metacluster.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.LinkedHashMap;
import java.util.Map;

/** The client Service: where clients and metactl connect. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ServiceSpec {
  @JsonPropertyDescription("Service type of the client Service.")
  public Type type = Type.ClusterIP;

  @JsonPropertyDescription("Annotations on the client Service (e.g. for a load balancer).")
  public Map<String, String> annotations = new LinkedHashMap<>();

  /** Kubernetes Service types offered for the client Service. */
  public enum Type {
    ClusterIP,
    NodePort,
    LoadBalancer
  }
}

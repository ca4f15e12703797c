package dev.metacluster.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import java.util.ArrayList;
import java.util.List;

/**
 * What the user asks for. Plain data holders with public fields: Jackson reads them, the fabric8
 * CRD generator turns them (and the validation annotations) into the schema in crds/.
 *
 * <p>{@code backup} and {@code bootstrap} are read by the {@code backup} package.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class MetadataClusterSpec {

  @JsonPropertyDescription(
      "Number of masters (Raft members): 1, 3, 5 or 7. An odd size so a majority is well defined.")
  @Default("3")
  @Min(1)
  @Max(7)
  @ValidationRule(value = "self in [1, 3, 5, 7]", message = "replicas must be 1, 3, 5 or 7")
  public Integer replicas = 3;

  @JsonPropertyDescription("The master image, e.g. registry.example.com/metacluster/master:0.1.0.")
  @Required
  @Pattern("^\\S+$")
  public String image;

  @JsonPropertyDescription("Pull policy of the master image.")
  public PullPolicy imagePullPolicy;

  @JsonPropertyDescription("Secrets for pulling the master image.")
  public List<LocalObjectReference> imagePullSecrets = new ArrayList<>();

  @JsonPropertyDescription("CPU and memory of each master container.")
  public ResourceRequirements resources;

  @JsonPropertyDescription("JVM settings of each master.")
  public JvmSpec jvm = new JvmSpec();

  @JsonPropertyDescription("Persistent volumes of each master (immutable after creation).")
  public StorageSpec storage = new StorageSpec();

  @JsonPropertyDescription("The on-heap inode cache in front of RocksDB.")
  public CacheSpec cache = new CacheSpec();

  @JsonPropertyDescription("Raft tuning.")
  public RaftSpec raft = new RaftSpec();

  @JsonPropertyDescription("Where masters run: node selector, affinity, tolerations, spread.")
  public SchedulingSpec scheduling = new SchedulingSpec();

  @JsonPropertyDescription("Extra labels and annotations on the master pods.")
  public PodMetadataSpec pod = new PodMetadataSpec();

  @JsonPropertyDescription("The client Service in front of the masters.")
  public ServiceSpec service = new ServiceSpec();

  @JsonPropertyDescription(
      "Seconds a master gets to shut down (hand over leadership, flush) before it is killed.")
  @Min(10)
  public Long terminationGracePeriodSeconds = 60L;

  @JsonPropertyDescription(
      "How many member replacements (a member whose volume was lost or whose store is refused is"
          + " removed from the group, its pod and volumes deleted, and added back empty) may start"
          + " within an hour; beyond it the cluster reports Degraded instead, so a systemic fault"
          + " does not churn it. 0 turns automatic replacement off.")
  @Min(0)
  public Integer maxReplacementsPerHour = 1;

  @JsonPropertyDescription(
      "When true the operator changes nothing in the cluster's objects but keeps the status fresh.")
  public Boolean paused = false;

  @JsonPropertyDescription("Scheduled backups and the target of every backup of this cluster.")
  public BackupSpec backup;

  @JsonPropertyDescription("How a new cluster gets its first state (immutable).")
  @ValidationRule(value = "self == oldSelf", message = "bootstrap is immutable")
  public BootstrapSpec bootstrap;

  /** Kubernetes image pull policies. */
  public enum PullPolicy {
    Always,
    IfNotPresent,
    Never
  }

  public int replicasOrDefault() {
    return replicas == null ? 3 : replicas;
  }

  public int maxReplacementsPerHourOrDefault() {
    return maxReplacementsPerHour == null ? 1 : maxReplacementsPerHour;
  }

  public boolean isPaused() {
    return Boolean.TRUE.equals(paused);
  }
}

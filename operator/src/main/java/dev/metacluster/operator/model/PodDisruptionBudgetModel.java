package dev.metacluster.operator.model;

import dev.metacluster.operator.crd.MetadataCluster;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;

/**
 * Voluntary disruptions (drains) may take down only as many masters as leaves a majority: 1 of 3, 2
 * of 5, 3 of 7, none of 1.
 */
public final class PodDisruptionBudgetModel {
  private PodDisruptionBudgetModel() {}

  public static PodDisruptionBudget desired(MetadataCluster mdc) {
    return new PodDisruptionBudgetBuilder()
        .withNewMetadata()
        .withName(Names.podDisruptionBudget(mdc))
        .withNamespace(mdc.getMetadata().getNamespace())
        .withLabels(Names.labels(mdc))
        .endMetadata()
        .withNewSpec()
        .withMaxUnavailable(new IntOrString(maxUnavailable(mdc.getSpec().replicasOrDefault())))
        .withNewSelector()
        .withMatchLabels(Names.selector(mdc))
        .endSelector()
        .endSpec()
        .build();
  }

  /** Members that may be down while a majority of {@code replicas} stays up. */
  public static int maxUnavailable(int replicas) {
    return replicas - quorum(replicas);
  }

  /** A majority of {@code replicas}. */
  public static int quorum(int replicas) {
    return replicas / 2 + 1;
  }
}

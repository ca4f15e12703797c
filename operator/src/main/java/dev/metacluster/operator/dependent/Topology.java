package dev.metacluster.operator.dependent;

import dev.metacluster.operator.crd.MetadataCluster;
import io.javaoperatorsdk.operator.api.reconciler.Context;

/**
 * What the reconciler decided about membership for this reconcile, handed to the dependents through
 * the workflow context: the StatefulSet's replicas (one membership step at a time, not the spec
 * directly), how many members the ConfigMap's peers list names, and whether new members join.
 *
 * @param replicas StatefulSet replicas
 * @param peers ordinals named in peers: every running and every about-to-run member
 * @param join the group has formed, so a member with an empty journal joins instead of
 *     bootstrapping
 */
public record Topology(int replicas, int peers, boolean join) {
  static final String KEY = "metacluster.topology";

  public void put(Context<MetadataCluster> context) {
    context.managedWorkflowAndDependentResourceContext().put(KEY, this);
  }

  /** The decided topology, or the spec's size for a context without one. */
  static Topology of(MetadataCluster primary, Context<MetadataCluster> context) {
    return context
        .managedWorkflowAndDependentResourceContext()
        .get(KEY, Topology.class)
        .orElseGet(
            () -> {
              int n = primary.getSpec().replicasOrDefault();
              return new Topology(n, n, false);
            });
  }
}

package dev.metacluster.operator.dependent;

import dev.metacluster.operator.crd.MetadataCluster;
import dev.metacluster.operator.model.PodDisruptionBudgetModel;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.BooleanWithUndefined;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;

/** Drains never take a majority of masters. */
@KubernetesDependent(
    informer = @Informer(labelSelector = OperatorLabels.MANAGED_SELECTOR),
    useSSA = BooleanWithUndefined.TRUE)
public class PodDisruptionBudgetDependent
    extends CRUDKubernetesDependentResource<PodDisruptionBudget, MetadataCluster> {
  public PodDisruptionBudgetDependent() {
    super(PodDisruptionBudget.class);
  }

  @Override
  protected PodDisruptionBudget desired(MetadataCluster primary, Context<MetadataCluster> context) {
    return PodDisruptionBudgetModel.desired(primary);
  }
}

package dev.metacluster.operator.dependent;

import dev.metacluster.operator.crd.MetadataCluster;
import dev.metacluster.operator.model.StatefulSetModel;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.BooleanWithUndefined;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;

/** The masters. */
@KubernetesDependent(
    informer = @Informer(labelSelector = OperatorLabels.MANAGED_SELECTOR),
    useSSA = BooleanWithUndefined.TRUE)
public class StatefulSetDependent
    extends CRUDKubernetesDependentResource<StatefulSet, MetadataCluster> {
  public StatefulSetDependent() {
    super(StatefulSet.class);
  }

  @Override
  protected StatefulSet desired(MetadataCluster primary, Context<MetadataCluster> context) {
    return StatefulSetModel.desired(
        primary, Topology.of(primary, context).replicas(), RestorePart.of(context));
  }
}

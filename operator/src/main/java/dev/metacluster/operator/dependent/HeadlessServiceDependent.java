package dev.metacluster.operator.dependent;

import dev.metacluster.operator.crd.MetadataCluster;
import dev.metacluster.operator.model.ServiceModel;
import io.fabric8.kubernetes.api.model.Service;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.BooleanWithUndefined;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;

/** The headless Service that gives each master its stable DNS name. */
@KubernetesDependent(
    informer = @Informer(labelSelector = OperatorLabels.MANAGED_SELECTOR),
    useSSA = BooleanWithUndefined.TRUE)
public class HeadlessServiceDependent
    extends CRUDKubernetesDependentResource<Service, MetadataCluster> {
  public HeadlessServiceDependent() {
    super(Service.class);
  }

  @Override
  protected Service desired(MetadataCluster primary, Context<MetadataCluster> context) {
    return ServiceModel.headless(primary);
  }
}

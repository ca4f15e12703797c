package dev.metacluster.operator.dependent;

import dev.metacluster.operator.crd.MetadataCluster;
import dev.metacluster.operator.model.ServiceModel;
import io.fabric8.kubernetes.api.model.Service;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.BooleanWithUndefined;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;

/** The client Service. */
@KubernetesDependent(
    informer = @Informer(labelSelector = OperatorLabels.MANAGED_SELECTOR),
    useSSA = BooleanWithUndefined.TRUE)
public class ClientServiceDependent
    extends CRUDKubernetesDependentResource<Service, MetadataCluster> {
  public ClientServiceDependent() {
    super(Service.class);
  }

  @Override
  protected Service desired(MetadataCluster primary, Context<MetadataCluster> context) {
    return ServiceModel.client(primary);
  }
}

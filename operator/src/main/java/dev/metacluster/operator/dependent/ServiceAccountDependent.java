package dev.metacluster.operator.dependent;

import dev.metacluster.operator.crd.MetadataCluster;
import dev.metacluster.operator.model.ServiceAccountModel;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.BooleanWithUndefined;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;

/** The masters' service account. */
@KubernetesDependent(
    informer = @Informer(labelSelector = OperatorLabels.MANAGED_SELECTOR),
    useSSA = BooleanWithUndefined.TRUE)
public class ServiceAccountDependent
    extends CRUDKubernetesDependentResource<ServiceAccount, MetadataCluster> {
  public ServiceAccountDependent() {
    super(ServiceAccount.class);
  }

  @Override
  protected ServiceAccount desired(MetadataCluster primary, Context<MetadataCluster> context) {
    return ServiceAccountModel.desired(primary);
  }
}

package dev.metacluster.operator.model;

import dev.metacluster.operator.crd.MetadataCluster;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;

/** The masters' own identity: no API access, no token mounted. */
public final class ServiceAccountModel {
  private ServiceAccountModel() {}

  public static ServiceAccount desired(MetadataCluster mdc) {
    return new ServiceAccountBuilder()
        .withNewMetadata()
        .withName(Names.serviceAccount(mdc))
        .withNamespace(mdc.getMetadata().getNamespace())
        .withLabels(Names.labels(mdc))
        .endMetadata()
        .withAutomountServiceAccountToken(false)
        .build();
  }
}

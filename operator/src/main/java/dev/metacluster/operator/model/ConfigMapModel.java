package dev.metacluster.operator.model;

import dev.metacluster.operator.crd.MetadataCluster;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;

/** The master configuration: {@code master.properties}, shared by every member. */
public final class ConfigMapModel {
  private ConfigMapModel() {}

  public static ConfigMap desired(MetadataCluster mdc) {
    return new ConfigMapBuilder()
        .withNewMetadata()
        .withName(Names.configMap(mdc))
        .withNamespace(mdc.getMetadata().getNamespace())
        .withLabels(Names.labels(mdc))
        .endMetadata()
        .addToData(MasterConfig.FILE_NAME, renderedConfig(mdc))
        .build();
  }

  public static String renderedConfig(MetadataCluster mdc) {
    return MasterConfig.render(MasterConfig.properties(mdc));
  }
}

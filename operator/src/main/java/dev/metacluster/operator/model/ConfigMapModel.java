package dev.metacluster.operator.model;

import dev.metacluster.operator.crd.MetadataCluster;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;

/** The master configuration: {@code master.properties}, shared by every member. */
public final class ConfigMapModel {
  private ConfigMapModel() {}

  public static ConfigMap desired(MetadataCluster mdc) {
    return desired(mdc, mdc.getSpec().replicasOrDefault(), false);
  }

  /**
   * @param members ordinals the StatefulSet runs or is about to run (every one must find itself in
   *     peers)
   * @param join the group has formed: members with an empty journal join instead of bootstrapping
   */
  public static ConfigMap desired(MetadataCluster mdc, int members, boolean join) {
    return new ConfigMapBuilder()
        .withNewMetadata()
        .withName(Names.configMap(mdc))
        .withNamespace(mdc.getMetadata().getNamespace())
        .withLabels(Names.labels(mdc))
        .endMetadata()
        .addToData(
            MasterConfig.FILE_NAME,
            MasterConfig.render(MasterConfig.properties(mdc, members, join)))
        .build();
  }

  public static String renderedConfig(MetadataCluster mdc) {
    return MasterConfig.render(MasterConfig.properties(mdc));
  }

  /** The hash on the pod template: of the keys that need a restart to take effect. */
  public static String templateHash(MetadataCluster mdc) {
    return MasterConfig.hash(MasterConfig.render(MasterConfig.podTemplateProperties(mdc)));
  }
}

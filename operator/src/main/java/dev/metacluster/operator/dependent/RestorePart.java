package dev.metacluster.operator.dependent;

import dev.metacluster.operator.crd.MetadataCluster;
import dev.metacluster.operator.model.RestoreModel;
import io.javaoperatorsdk.operator.api.reconciler.Context;

/**
 * The restore init container the reconciler decided on (bootstrap from a backup), handed to the
 * StatefulSet dependent through the workflow context like {@link Topology}.
 */
public final class RestorePart {
  static final String KEY = "metacluster.restore";

  private RestorePart() {}

  public static void put(Context<MetadataCluster> context, RestoreModel.PodPart part) {
    if (part != null) {
      context.managedWorkflowAndDependentResourceContext().put(KEY, part);
    }
  }

  static RestoreModel.PodPart of(Context<MetadataCluster> context) {
    return context
        .managedWorkflowAndDependentResourceContext()
        .get(KEY, RestoreModel.PodPart.class)
        .orElse(null);
  }
}

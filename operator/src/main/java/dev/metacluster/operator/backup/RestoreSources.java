package dev.metacluster.operator.backup;

import dev.metacluster.operator.crd.BackupTarget;
import dev.metacluster.operator.crd.FromBackupSpec;
import dev.metacluster.operator.crd.MetadataBackup;
import dev.metacluster.operator.crd.MetadataBackupStatus;
import dev.metacluster.operator.crd.MetadataCluster;
import dev.metacluster.operator.model.RestoreModel;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * Where {@code spec.bootstrap.fromBackup} points, as the restore init container needs it. Decided
 * once, when the StatefulSet is created; from then on the init container stays as it was (a
 * bootstrap happens once), whatever becomes of the MetadataBackup.
 */
public final class RestoreSources {
  /**
   * @param part the init container and volumes, null for a cluster that does not restore
   * @param waiting why the cluster cannot be created yet (the MetadataBackup is missing or has not
   *     succeeded), null when it can
   */
  public record Resolution(RestoreModel.PodPart part, String waiting) {}

  private RestoreSources() {}

  public static Resolution resolve(KubernetesClient client, MetadataCluster mdc, StatefulSet sts) {
    if (sts != null) {
      return new Resolution(
          RestoreModel.existing(
              mdc, sts.getSpec() == null ? null : sts.getSpec().getTemplate().getSpec()),
          null);
    }
    FromBackupSpec from =
        mdc.getSpec().bootstrap == null ? null : mdc.getSpec().bootstrap.fromBackup;
    if (from == null) {
      return new Resolution(null, null);
    }
    if (from.uri != null) {
      return source(mdc, from.uri, from.target);
    }
    String field = "spec.bootstrap.fromBackup.backup";
    MetadataBackup backup =
        client
            .resources(MetadataBackup.class)
            .inNamespace(mdc.getMetadata().getNamespace())
            .withName(from.backup)
            .get();
    if (backup == null) {
      return waiting(
          field
              + ": MetadataBackup "
              + from.backup
              + " does not exist in this namespace; the masters are created once it has"
              + " succeeded");
    }
    MetadataBackupStatus status = backup.getStatus();
    if (!MetadataBackupStatus.SUCCEEDED.equals(backup.phase()) || status.uri == null) {
      return waiting(
          field
              + ": MetadataBackup "
              + from.backup
              + " is "
              + backup.phase()
              + (status != null && status.message != null ? " (" + status.message + ")" : "")
              + "; the masters are created once it has succeeded");
    }
    BackupTarget target = from.target != null ? from.target : status.target;
    if (target == null) {
      return waiting(
          field
              + ": MetadataBackup "
              + from.backup
              + " records no target; set spec.bootstrap.fromBackup.target");
    }
    return source(mdc, status.uri, target);
  }

  private static Resolution source(MetadataCluster mdc, String uri, BackupTarget target) {
    return new Resolution(RestoreModel.podPart(mdc, new RestoreModel.Source(uri, target)), null);
  }

  private static Resolution waiting(String why) {
    return new Resolution(null, why);
  }
}

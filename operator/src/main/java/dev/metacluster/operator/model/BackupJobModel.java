package dev.metacluster.operator.model;

import dev.metacluster.operator.crd.BackupTarget;
import dev.metacluster.operator.crd.MetadataBackup;
import dev.metacluster.operator.crd.MetadataCluster;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Job of one MetadataBackup: a pod from the cluster's master image runs {@code metactl admin
 * backup} against the client Service (a follower points it at the leader), writes the archive to
 * the target and its one-line result JSON to the termination log, where the operator reads it.
 * Kubernetes retries a failed pod with exponential backoff up to {@value #BACKOFF_LIMIT} times,
 * within {@value #ACTIVE_DEADLINE_SECONDS} s in all.
 */
public final class BackupJobModel {
  public static final String CONTAINER = "backup";
  public static final String METACTL = "/opt/metacluster/bin/metactl";
  public static final String RESULT_FILE = "/dev/termination-log";
  public static final int BACKOFF_LIMIT = 3;
  public static final long ACTIVE_DEADLINE_SECONDS = 3600;

  /** On every MetadataBackup and its Job: the cluster it belongs to. */
  public static final String LABEL_CLUSTER = "metacluster.dev/cluster";

  /** On MetadataBackups the operator creates: {@value #ORIGIN_SCHEDULED} or pre-upgrade. */
  public static final String LABEL_ORIGIN = "metacluster.dev/backup-origin";

  public static final String ORIGIN_SCHEDULED = "scheduled";
  public static final String ORIGIN_PRE_UPGRADE = "pre-upgrade";

  /** On the Job and its pod: the MetadataBackup. */
  public static final String LABEL_BACKUP = "metacluster.dev/backup";

  private BackupJobModel() {}

  /** The Job with the image of the cluster's spec. */
  public static Job desired(
      MetadataBackup backup, MetadataCluster mdc, BackupTarget target, String uri, Integer keep) {
    return desired(backup, mdc, mdc.getSpec().image, target, uri, keep);
  }

  /**
   * @param image the master image to run metactl from: the one the masters run, so that an
   *     upgrade's backup does not depend on the image being rolled out
   * @param target the resolved target (the backup's own, else the cluster's)
   * @param keep prune the folder to this many newest archives, null for no pruning
   */
  public static Job desired(
      MetadataBackup backup,
      MetadataCluster mdc,
      String image,
      BackupTarget target,
      String uri,
      Integer keep) {
    Map<String, String> labels = labels(backup, mdc);
    return new JobBuilder()
        .withNewMetadata()
        .withName(backup.getMetadata().getName())
        .withNamespace(backup.getMetadata().getNamespace())
        .withLabels(labels)
        .endMetadata()
        .withNewSpec()
        .withBackoffLimit(BACKOFF_LIMIT)
        .withActiveDeadlineSeconds(ACTIVE_DEADLINE_SECONDS)
        .withNewTemplate()
        .withNewMetadata()
        .withLabels(labels)
        .endMetadata()
        .withNewSpec()
        .withRestartPolicy("Never")
        .withAutomountServiceAccountToken(false)
        .withImagePullSecrets(mdc.getSpec().imagePullSecrets)
        .withSecurityContext(StatefulSetModel.podSecurity())
        .withContainers(container(mdc, image, target, uri, keep))
        .addAllToVolumes(BackupLocation.volumes(target, false))
        .addToVolumes(
            new VolumeBuilder().withName(Names.VOLUME_TMP).withNewEmptyDir().endEmptyDir().build())
        .endSpec()
        .endTemplate()
        .endSpec()
        .build();
  }

  /** The command: {@code metactl admin backup --target SERVICE:PORT --to URI ...}. */
  public static List<String> command(
      MetadataCluster mdc, BackupTarget target, String uri, Integer keep) {
    List<String> cmd = new ArrayList<>();
    cmd.addAll(List.of(METACTL, "admin", "backup", "--target", clientAddress(mdc), "--to", uri));
    if (keep != null) {
      cmd.add("--keep");
      cmd.add(Integer.toString(keep));
    }
    cmd.add("--result-file");
    cmd.add(RESULT_FILE);
    cmd.addAll(BackupLocation.s3Args(target));
    return cmd;
  }

  /** The client Service's address inside the cluster. */
  public static String clientAddress(MetadataCluster mdc) {
    return Names.clientService(mdc)
        + "."
        + mdc.getMetadata().getNamespace()
        + ".svc:"
        + MasterConfig.CLIENT_PORT;
  }

  private static Container container(
      MetadataCluster mdc, String image, BackupTarget target, String uri, Integer keep) {
    return new ContainerBuilder()
        .withName(CONTAINER)
        .withImage(image)
        .withImagePullPolicy(
            mdc.getSpec().imagePullPolicy == null ? null : mdc.getSpec().imagePullPolicy.name())
        .withCommand(command(mdc, target, uri, keep))
        .withEnv(BackupLocation.env(target))
        // the result JSON on success; the log's tail on failure, so the error reaches status
        .withTerminationMessagePath(RESULT_FILE)
        .withTerminationMessagePolicy("FallbackToLogsOnError")
        .addAllToVolumeMounts(BackupLocation.mounts(target, false))
        .addToVolumeMounts(
            new VolumeMountBuilder().withName(Names.VOLUME_TMP).withMountPath("/tmp").build())
        .withSecurityContext(StatefulSetModel.containerSecurity())
        .build();
  }

  static Map<String, String> labels(MetadataBackup backup, MetadataCluster mdc) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(Names.LABEL_NAME, Names.APP);
    labels.put(Names.LABEL_INSTANCE, mdc.getMetadata().getName());
    labels.put(Names.LABEL_COMPONENT, CONTAINER);
    labels.put(Names.LABEL_MANAGED_BY, Names.MANAGER);
    labels.put(LABEL_CLUSTER, mdc.getMetadata().getName());
    labels.put(LABEL_BACKUP, backup.getMetadata().getName());
    return labels;
  }
}

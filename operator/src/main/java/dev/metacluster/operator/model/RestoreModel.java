package dev.metacluster.operator.model;

import dev.metacluster.operator.crd.BackupTarget;
import dev.metacluster.operator.crd.MetadataCluster;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import java.util.ArrayList;
import java.util.List;

/**
 * The init container {@value #CONTAINER} of a cluster bootstrapped from a backup: {@code master
 * restore} fills the member's empty metastore from the archive before the master starts. It runs on
 * every pod start and does nothing when the metastore already holds data or the member joins a
 * formed group ({@code --skip-if-initialized} with the member's config, where {@code join=true}):
 * such a member gets its state from the leader through Raft, never from the backup.
 */
public final class RestoreModel {
  public static final String CONTAINER = "restore";

  /**
   * An emptyDir over the data directory for the init container: an S3 archive is downloaded next to
   * the metastore directory, and the root file system is read-only.
   */
  public static final String VOLUME_SCRATCH = "restore-scratch";

  /**
   * The archive to restore and where it is.
   *
   * @param uri s3://... or file:///backups/...
   * @param target the claim to mount, or the S3 endpoint, region and credentials
   */
  public record Source(String uri, BackupTarget target) {}

  private RestoreModel() {}

  public static List<String> args(MetadataCluster mdc, Source source) {
    List<String> args = new ArrayList<>(List.of("restore", "--from", source.uri()));
    args.addAll(BackupLocation.s3Args(source.target()));
    args.addAll(
        List.of(
            "--metastore-dir",
            MasterConfig.METASTORE_DIR,
            "--cluster",
            mdc.getMetadata().getName(),
            "--skip-if-initialized",
            "--config",
            MasterConfig.CONFIG_DIR + "/" + MasterConfig.FILE_NAME));
    return args;
  }

  /** Same image and entrypoint ({@code master}) as the master container. */
  static Container initContainer(MetadataCluster mdc, Source source) {
    return new ContainerBuilder()
        .withName(CONTAINER)
        .withImage(mdc.getSpec().image)
        .withImagePullPolicy(
            mdc.getSpec().imagePullPolicy == null ? null : mdc.getSpec().imagePullPolicy.name())
        .withArgs(args(mdc, source))
        .withEnv(BackupLocation.env(source.target()))
        .withTerminationMessagePolicy("FallbackToLogsOnError")
        .addToVolumeMounts(
            StatefulSetModel.configMount(),
            new VolumeMountBuilder()
                .withName(VOLUME_SCRATCH)
                .withMountPath(MasterConfig.DATA_DIR)
                .build(),
            StatefulSetModel.metastoreMount(),
            new VolumeMountBuilder().withName(Names.VOLUME_TMP).withMountPath("/tmp").build())
        .addAllToVolumeMounts(BackupLocation.mounts(source.target(), true))
        .withSecurityContext(StatefulSetModel.containerSecurity())
        .build();
  }

  /** The pod volumes the init container needs beyond the master's own. */
  static List<Volume> volumes(Source source) {
    List<Volume> volumes = new ArrayList<>();
    volumes.add(
        new VolumeBuilder().withName(VOLUME_SCRATCH).withNewEmptyDir().endEmptyDir().build());
    volumes.addAll(BackupLocation.volumes(source.target(), true));
    return volumes;
  }

  /**
   * What a bootstrap from a backup adds to the master pod: the init container and its volumes.
   *
   * @param initContainer the {@value #CONTAINER} init container
   * @param volumes the pod volumes it needs beyond the master's own
   */
  public record PodPart(Container initContainer, List<Volume> volumes) {}

  /** The pod part restoring {@code source}. */
  public static PodPart podPart(MetadataCluster mdc, Source source) {
    return new PodPart(initContainer(mdc, source), volumes(source));
  }

  /**
   * The pod part of an existing StatefulSet, null if it has none. A bootstrap happens once: the
   * part stays as it was created (only the image follows the spec), whatever becomes of the
   * MetadataBackup it came from.
   */
  public static PodPart existing(MetadataCluster mdc, io.fabric8.kubernetes.api.model.PodSpec pod) {
    if (pod == null || pod.getInitContainers() == null) {
      return null;
    }
    for (Container c : pod.getInitContainers()) {
      if (CONTAINER.equals(c.getName())) {
        Container kept =
            new ContainerBuilder(c)
                .withImage(mdc.getSpec().image)
                .withImagePullPolicy(
                    mdc.getSpec().imagePullPolicy == null
                        ? null
                        : mdc.getSpec().imagePullPolicy.name())
                .build();
        List<Volume> volumes =
            pod.getVolumes() == null
                ? List.of()
                : pod.getVolumes().stream()
                    .filter(
                        v ->
                            VOLUME_SCRATCH.equals(v.getName())
                                || BackupLocation.VOLUME.equals(v.getName()))
                    .toList();
        return new PodPart(kept, volumes);
      }
    }
    return null;
  }
}

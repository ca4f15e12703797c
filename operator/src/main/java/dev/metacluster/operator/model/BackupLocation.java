package dev.metacluster.operator.model;

import dev.metacluster.operator.crd.BackupTarget;
import dev.metacluster.operator.crd.S3Target;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import java.util.ArrayList;
import java.util.List;

/**
 * A backup target as the backup Job and the restore init container see it: archive URIs, the volume
 * claim mounted at {@value #MOUNT_PATH}, the S3 options of {@code metactl admin backup} and {@code
 * master restore}, and the credentials as the standard AWS environment variables.
 */
public final class BackupLocation {
  public static final String MOUNT_PATH = "/backups";
  public static final String VOLUME = "backups";
  public static final String EXTENSION = ".mcbak";

  /** Scheduled backups live in their own folder: the Job's pruning (--keep) sees only them. */
  public static final String SCHEDULED_FOLDER = "scheduled";

  private BackupLocation() {}

  /**
   * The archive of backup {@code name}: {@code file:///backups/<prefix>/<name>.mcbak} or {@code
   * s3://<bucket>/<prefix>/<name>.mcbak}, the prefix being the cluster's name unless set, plus
   * {@code /scheduled} for scheduled backups.
   */
  public static String uri(BackupTarget target, String cluster, String name, boolean scheduled) {
    String prefix = target.s3 != null ? target.s3.prefix : target.volume.prefix;
    String folder = (prefix == null || prefix.isBlank() ? cluster : prefix);
    if (scheduled) {
      folder += "/" + SCHEDULED_FOLDER;
    }
    String key = folder + "/" + name + EXTENSION;
    return target.s3 != null
        ? "s3://" + target.s3.bucket + "/" + key
        : "file://" + MOUNT_PATH + "/" + key;
  }

  /** {@code --s3-endpoint} and {@code --s3-region} for an S3 target, nothing for a volume. */
  public static List<String> s3Args(BackupTarget target) {
    List<String> args = new ArrayList<>();
    if (target.s3 != null) {
      if (target.s3.endpoint != null && !target.s3.endpoint.isBlank()) {
        args.add("--s3-endpoint");
        args.add(target.s3.endpoint);
      }
      args.add("--s3-region");
      args.add(target.s3.regionOrDefault());
    }
    return args;
  }

  /** The credentials of an S3 target from its Secret. */
  public static List<EnvVar> env(BackupTarget target) {
    if (target.s3 == null || target.s3.credentialsSecret == null) {
      return List.of();
    }
    return List.of(
        secretEnv(S3Target.KEY_ACCESS_KEY_ID, target.s3.credentialsSecret),
        secretEnv(S3Target.KEY_SECRET_ACCESS_KEY, target.s3.credentialsSecret));
  }

  /** The claim of a volume target, nothing for S3. */
  public static List<Volume> volumes(BackupTarget target, boolean readOnly) {
    if (target.volume == null) {
      return List.of();
    }
    return List.of(
        new VolumeBuilder()
            .withName(VOLUME)
            .withNewPersistentVolumeClaim(target.volume.claimName, readOnly)
            .build());
  }

  /** Where the claim of a volume target is mounted, nothing for S3. */
  public static List<VolumeMount> mounts(BackupTarget target, boolean readOnly) {
    if (target.volume == null) {
      return List.of();
    }
    return List.of(
        new VolumeMountBuilder()
            .withName(VOLUME)
            .withMountPath(MOUNT_PATH)
            .withReadOnly(readOnly)
            .build());
  }

  private static EnvVar secretEnv(String key, String secret) {
    return new EnvVarBuilder()
        .withName(key)
        .withNewValueFrom()
        .withNewSecretKeyRef(key, secret, false)
        .endValueFrom()
        .build();
  }
}

package dev.metacluster.operator.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.metacluster.operator.crd.BackupTarget;
import dev.metacluster.operator.crd.MetadataBackup;
import dev.metacluster.operator.crd.MetadataBackupSpec;
import dev.metacluster.operator.crd.MetadataCluster;
import dev.metacluster.operator.testing.Examples;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import org.junit.jupiter.api.Test;

/** The backup Job: the contract's command line, credentials, volumes, retries. */
class BackupJobModelTest {
  final MetadataCluster mdc = Examples.example("minimal", "prod");
  final MetadataBackup backup =
      new MetadataBackup("prod", "meta-nightly", new MetadataBackupSpec("meta"));

  @Test
  void urisFollowThePrefixOrTheClusterNameAndScheduledOnesHaveTheirOwnFolder() {
    BackupTarget volume = BackupTarget.volume("backups");
    assertThat(BackupLocation.uri(volume, "meta", "b1", false))
        .isEqualTo("file:///backups/meta/b1.mcbak");
    volume.volume.prefix = "team/a";
    assertThat(BackupLocation.uri(volume, "meta", "b1", true))
        .isEqualTo("file:///backups/team/a/scheduled/b1.mcbak");
    BackupTarget s3 = BackupTarget.s3("http://minio:9000", "bkt", "creds");
    assertThat(BackupLocation.uri(s3, "meta", "b1", false)).isEqualTo("s3://bkt/meta/b1.mcbak");
  }

  @Test
  void anS3JobRunsMetactlAgainstTheClientServiceWithCredentialsFromTheSecret() {
    BackupTarget s3 = BackupTarget.s3("http://minio.storage.svc:9000", "bkt", "s3-creds");
    Job job = BackupJobModel.desired(backup, mdc, s3, "s3://bkt/meta/meta-nightly.mcbak", null);

    assertThat(job.getMetadata().getName()).isEqualTo("meta-nightly");
    assertThat(job.getSpec().getBackoffLimit()).isEqualTo(BackupJobModel.BACKOFF_LIMIT);
    assertThat(job.getSpec().getActiveDeadlineSeconds()).isPositive();
    PodSpec pod = job.getSpec().getTemplate().getSpec();
    assertThat(pod.getRestartPolicy()).isEqualTo("Never");
    assertThat(job.getSpec().getTemplate().getMetadata().getLabels())
        .containsEntry(BackupJobModel.LABEL_BACKUP, "meta-nightly")
        .containsEntry(BackupJobModel.LABEL_CLUSTER, "meta");
    Container c = pod.getContainers().get(0);
    assertThat(c.getImage()).isEqualTo(mdc.getSpec().image);
    assertThat(c.getCommand())
        .containsExactly(
            "/opt/metacluster/bin/metactl",
            "admin",
            "backup",
            "--target",
            "meta.prod.svc:9870",
            "--to",
            "s3://bkt/meta/meta-nightly.mcbak",
            "--result-file",
            "/dev/termination-log",
            "--s3-endpoint",
            "http://minio.storage.svc:9000",
            "--s3-region",
            "us-east-1");
    assertThat(c.getTerminationMessagePath()).isEqualTo("/dev/termination-log");
    assertThat(c.getTerminationMessagePolicy()).isEqualTo("FallbackToLogsOnError");
    assertThat(c.getEnv())
        .extracting(
            e ->
                e.getName()
                    + "="
                    + e.getValueFrom().getSecretKeyRef().getName()
                    + "/"
                    + e.getValueFrom().getSecretKeyRef().getKey())
        .containsExactly(
            "AWS_ACCESS_KEY_ID=s3-creds/AWS_ACCESS_KEY_ID",
            "AWS_SECRET_ACCESS_KEY=s3-creds/AWS_SECRET_ACCESS_KEY");
    assertThat(pod.getVolumes()).extracting(v -> v.getName()).containsExactly("tmp");
    assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
  }

  @Test
  void aVolumeJobMountsTheClaimAtBackupsAndPrunesWhenScheduled() {
    BackupTarget volume = BackupTarget.volume("backup-claim");
    Job job =
        BackupJobModel.desired(backup, mdc, volume, "file:///backups/meta/scheduled/x.mcbak", 7);
    PodSpec pod = job.getSpec().getTemplate().getSpec();
    Container c = pod.getContainers().get(0);
    assertThat(c.getCommand()).containsSequence("--keep", "7").doesNotContain("--s3-region");
    assertThat(c.getEnv()).isEmpty();
    assertThat(pod.getVolumes())
        .filteredOn(v -> v.getName().equals("backups"))
        .singleElement()
        .satisfies(
            v -> {
              assertThat(v.getPersistentVolumeClaim().getClaimName()).isEqualTo("backup-claim");
              assertThat(v.getPersistentVolumeClaim().getReadOnly()).isFalse();
            });
    assertThat(c.getVolumeMounts())
        .filteredOn(m -> m.getName().equals("backups"))
        .singleElement()
        .satisfies(m -> assertThat(m.getMountPath()).isEqualTo("/backups"));
  }

  @Test
  void restoreInitContainerRunsMasterRestoreWithTheSkipAndTheMastersConfig() {
    BackupTarget s3 = BackupTarget.s3(null, "bkt", "s3-creds");
    s3.s3.region = "eu-west-1";
    RestoreModel.PodPart part =
        RestoreModel.podPart(mdc, new RestoreModel.Source("s3://bkt/old/b1.mcbak", s3));
    var sts = StatefulSetModel.desired(mdc, 3, part);
    PodSpec pod = sts.getSpec().getTemplate().getSpec();
    Container init = pod.getInitContainers().get(0);
    assertThat(init.getName()).isEqualTo("restore");
    assertThat(init.getImage()).isEqualTo(pod.getContainers().get(0).getImage());
    assertThat(init.getArgs())
        .containsExactly(
            "restore",
            "--from",
            "s3://bkt/old/b1.mcbak",
            "--s3-region",
            "eu-west-1",
            "--metastore-dir",
            "/var/lib/metacluster/metastore",
            "--cluster",
            "meta",
            "--skip-if-initialized",
            "--config",
            "/etc/metacluster/master.properties");
    assertThat(init.getVolumeMounts())
        .extracting(m -> m.getName() + ":" + m.getMountPath())
        .contains(
            "metastore:/var/lib/metacluster/metastore",
            "config:/etc/metacluster",
            "restore-scratch:/var/lib/metacluster");
    assertThat(init.getEnv()).extracting(e -> e.getName()).contains("AWS_ACCESS_KEY_ID");
    assertThat(pod.getVolumes()).extracting(v -> v.getName()).contains("restore-scratch");

    // kept as created once the StatefulSet exists; only the image follows the spec
    mdc.getSpec().image = "registry.example.com/metacluster/master:9.9.9";
    RestoreModel.PodPart kept = RestoreModel.existing(mdc, pod);
    assertThat(kept.initContainer().getArgs()).isEqualTo(init.getArgs());
    assertThat(kept.initContainer().getImage()).endsWith(":9.9.9");
    assertThat(kept.volumes()).extracting(v -> v.getName()).containsExactly("restore-scratch");
  }

  @Test
  void aVolumeRestoreMountsTheClaimReadOnlyAndWithoutRestoreThereIsNoInitContainer() {
    RestoreModel.PodPart part =
        RestoreModel.podPart(
            mdc,
            new RestoreModel.Source(
                "file:///backups/meta/b1.mcbak", BackupTarget.volume("backup-claim")));
    PodSpec pod = StatefulSetModel.desired(mdc, 3, part).getSpec().getTemplate().getSpec();
    assertThat(pod.getVolumes())
        .filteredOn(v -> v.getName().equals("backups"))
        .singleElement()
        .satisfies(v -> assertThat(v.getPersistentVolumeClaim().getReadOnly()).isTrue());
    assertThat(pod.getInitContainers().get(0).getArgs()).doesNotContain("--s3-region");
    assertThat(
            StatefulSetModel.desired(mdc, 3).getSpec().getTemplate().getSpec().getInitContainers())
        .isNullOrEmpty();
    assertThat(
            RestoreModel.existing(
                mdc, StatefulSetModel.desired(mdc, 3).getSpec().getTemplate().getSpec()))
        .isNull();
    assertThat(part.volumes()).hasSize(2);
  }
}

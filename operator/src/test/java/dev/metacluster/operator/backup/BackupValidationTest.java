package dev.metacluster.operator.backup;

import static org.assertj.core.api.Assertions.assertThat;

import dev.metacluster.operator.crd.BackupSpec;
import dev.metacluster.operator.crd.BackupTarget;
import dev.metacluster.operator.crd.BootstrapSpec;
import dev.metacluster.operator.crd.FromBackupSpec;
import dev.metacluster.operator.crd.MetadataCluster;
import dev.metacluster.operator.status.SpecValidator;
import dev.metacluster.operator.testing.Examples;
import org.junit.jupiter.api.Test;

/** spec.backup and spec.bootstrap problems, reported through the SpecValidator like the rest. */
class BackupValidationTest {
  final MetadataCluster mdc = Examples.example("minimal", "ns");

  @Test
  void aGoodBackupSectionPasses() {
    mdc.getSpec().backup = new BackupSpec();
    mdc.getSpec().backup.schedule = "30 2 * * 1-5";
    mdc.getSpec().backup.target = BackupTarget.s3("http://minio:9000", "bkt", "creds");
    assertThat(SpecValidator.validate(mdc, null)).isEmpty();
  }

  @Test
  void aBadScheduleATargetWithBothKindsAndBadRetentionAreEachSaid() {
    mdc.getSpec().backup = new BackupSpec();
    mdc.getSpec().backup.schedule = "0 25 * * *";
    mdc.getSpec().backup.retention = 0;
    BackupTarget both = BackupTarget.volume("claim");
    both.s3 = BackupTarget.s3(null, "bkt", null).s3;
    mdc.getSpec().backup.target = both;
    assertThat(SpecValidator.validate(mdc, null))
        .anySatisfy(p -> assertThat(p).startsWith("spec.backup.schedule '0 25 * * *' is not a"))
        .anySatisfy(p -> assertThat(p).contains("spec.backup.retention is 0"))
        .anySatisfy(
            p -> assertThat(p).isEqualTo("spec.backup.target must be exactly one of volume or s3"));
  }

  @Test
  void aScheduleWithoutTargetAndABootstrapNamingBothOrAUriWithoutTargetAreRefused() {
    mdc.getSpec().backup = new BackupSpec();
    mdc.getSpec().backup.schedule = "0 3 * * *";
    mdc.getSpec().bootstrap = new BootstrapSpec();
    mdc.getSpec().bootstrap.fromBackup = new FromBackupSpec();
    mdc.getSpec().bootstrap.fromBackup.uri = "http://elsewhere/x.mcbak";
    assertThat(BackupValidation.problems(mdc.getSpec()))
        .contains(
            "spec.backup.schedule needs spec.backup.target: where to write backups",
            "spec.bootstrap.fromBackup.uri 'http://elsewhere/x.mcbak' is not"
                + " s3://BUCKET/KEY.mcbak or file:///backups/PATH.mcbak",
            "spec.bootstrap.fromBackup.uri needs spec.bootstrap.fromBackup.target (the claim or"
                + " the S3 server)");
    mdc.getSpec().bootstrap.fromBackup.backup = "b1";
    assertThat(BackupValidation.problems(mdc.getSpec()))
        .contains(
            "spec.bootstrap.fromBackup must name exactly one of backup (a MetadataBackup) or uri");
  }
}

package dev.metacluster.master.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class BackupUriTest {
  private static final Path CWD = Path.of("/work/dir");

  @Test
  void s3UrisNameBucketKeyFolderAndSidecar() {
    BackupUri uri = BackupUri.parse("s3://bkt/prod/nightly/b-1.mcbak", CWD);
    assertThat(uri.isS3()).isTrue();
    assertThat(uri.bucket()).isEqualTo("bkt");
    assertThat(uri.key()).isEqualTo("prod/nightly/b-1.mcbak");
    assertThat(uri.folder()).isEqualTo("prod/nightly/");
    assertThat(uri.sidecarKey()).isEqualTo("prod/nightly/b-1.mcbak.json");
    assertThat(uri).hasToString("s3://bkt/prod/nightly/b-1.mcbak");
    assertThat(BackupUri.parse("s3://bkt/top.mcbak", CWD).folder()).isEmpty();
  }

  @Test
  void fileUrisAndPlainPathsAreAbsoluteFiles() {
    BackupUri uri = BackupUri.parse("file:///backups/p/b.mcbak", CWD);
    assertThat(uri.isS3()).isFalse();
    assertThat(uri.key()).isEqualTo("/backups/p/b.mcbak");
    assertThat(uri.folder()).isEqualTo("/backups/p");
    assertThat(uri).hasToString("file:///backups/p/b.mcbak");
    assertThat(BackupUri.parse("out/../b.mcbak", CWD).key()).isEqualTo("/work/dir/b.mcbak");
    assertThat(BackupUri.parse("/abs/b.mcbak", CWD)).isEqualTo(uri.withKey("/abs/b.mcbak"));
  }

  @Test
  void badLocationsAreRefusedWithTheReason() {
    assertThatThrownBy(() -> BackupUri.parse("s3://bkt/b.zip", CWD))
        .hasMessageContaining("must end in .mcbak");
    assertThatThrownBy(() -> BackupUri.parse("s3://bkt/dir/.mcbak", CWD))
        .hasMessageContaining("must end in .mcbak");
    assertThatThrownBy(() -> BackupUri.parse("s3://bkt", CWD))
        .hasMessageContaining("s3://BUCKET/KEY");
    assertThatThrownBy(() -> BackupUri.parse("s3:///b.mcbak", CWD))
        .hasMessageContaining("s3://BUCKET/KEY");
    assertThatThrownBy(() -> BackupUri.parse("s3:/bkt/b.mcbak", CWD))
        .hasMessageContaining("s3://BUCKET/KEY");
    assertThatThrownBy(() -> BackupUri.parse("file:rel/b.mcbak", CWD))
        .hasMessageContaining("absolute path");
    assertThatThrownBy(() -> BackupUri.parse("gs://bkt/b.mcbak", CWD))
        .hasMessageContaining("unsupported scheme");
    assertThatThrownBy(() -> BackupUri.parse(" ", CWD)).hasMessageContaining("empty");
  }

  @Test
  void s3SettingsCheckEndpointAndRegion() {
    assertThat(S3Settings.of(null, null).region()).isEqualTo("us-east-1");
    assertThat(S3Settings.of("http://127.0.0.1:9000", "eu-west-1").endpoint().getPort())
        .isEqualTo(9000);
    assertThatThrownBy(() -> S3Settings.of("127.0.0.1:9000", null))
        .hasMessageContaining("http:// or https://");
    assertThatThrownBy(() -> S3Settings.of("ftp://host", null))
        .hasMessageContaining("http:// or https://");
    assertThatThrownBy(() -> S3Settings.of(null, "Not A Region"))
        .hasMessageContaining("not a region");
  }
}

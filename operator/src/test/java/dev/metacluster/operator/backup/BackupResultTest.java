package dev.metacluster.operator.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class BackupResultTest {
  @Test
  void readsTheContractsOneLineJson() {
    BackupResult r =
        BackupResult.parse(
            "{\"uri\":\"s3://b/meta/x.mcbak\",\"clusterId\":\"meta\",\"term\":3,\"index\":1234,"
                + "\"inodes\":99,\"sizeBytes\":4096,\"sha256\":\"ab12\","
                + "\"completedAt\":\"2026-03-02T03:00:09Z\",\"later\":true}\n");
    assertThat(r)
        .isEqualTo(
            new BackupResult(
                "s3://b/meta/x.mcbak",
                "meta",
                3L,
                1234L,
                99L,
                4096L,
                "ab12",
                "2026-03-02T03:00:09Z"));
  }

  @Test
  void refusesAMissingOrForeignResult() {
    assertThatThrownBy(() -> BackupResult.parse("")).hasMessageContaining("left no result");
    assertThatThrownBy(() -> BackupResult.parse("Exception in thread main"))
        .hasMessageContaining("not the expected JSON");
    assertThatThrownBy(() -> BackupResult.parse("{\"uri\":\"s3://b/k.mcbak\"}"))
        .hasMessageContaining("lacks uri or sha256");
  }

  @Test
  void aFailedPodsLogTailIsCutToItsLastLines() {
    assertThat(MetadataBackupReconciler.lastLines("a\nb\nc\nerror: no leader (UNAVAILABLE)\n"))
        .isEqualTo("b | c | error: no leader (UNAVAILABLE)");
  }
}

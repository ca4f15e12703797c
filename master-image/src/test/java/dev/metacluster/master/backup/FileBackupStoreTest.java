package dev.metacluster.master.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Uploads, retention and checked fetches on the file store (the S3 store: cli's S3 ITs). */
class FileBackupStoreTest {
  @TempDir Path dir;
  private final BackupStore store = new FileBackupStore();

  private BackupUri uri(String name) {
    return BackupUri.parse(dir.resolve(name).toString(), dir);
  }

  /** A "backup": an archive of {@code content}, then its sidecar, as metactl writes them. */
  private BackupRecord put(String name, String content, Instant completedAt) throws IOException {
    BackupUri uri = uri(name);
    byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
    write(uri.key(), bytes);
    BackupRecord record =
        new BackupRecord(
            uri.toString(),
            "c",
            1,
            2,
            3,
            bytes.length,
            java.util.HexFormat.of().formatHex(ArchiveFetch.sha256().digest(bytes)),
            completedAt);
    write(uri.sidecarKey(), record.toJson().getBytes(StandardCharsets.UTF_8));
    return record;
  }

  private void write(String key, byte[] bytes) throws IOException {
    try (BackupStore.Upload up = store.create(key)) {
      up.write(bytes);
      up.commit();
    }
  }

  @Test
  void anUploadIsVisibleOnlyOnceCommitted() throws IOException {
    Path target = dir.resolve("sub/a.mcbak");
    try (BackupStore.Upload up = store.create(target.toString())) {
      up.write("half".getBytes(StandardCharsets.UTF_8));
      assertThat(target).doesNotExist();
      assertThat(dir.resolve("sub/a.mcbak.partial")).exists();
    } // closed without commit: dropped
    assertThat(dir.resolve("sub")).isEmptyDirectory();
    try (BackupStore.Upload up = store.create(target.toString())) {
      up.write("whole".getBytes(StandardCharsets.UTF_8));
      up.commit();
      assertThat(up.bytes()).isEqualTo(5);
    }
    assertThat(target).hasContent("whole");
    assertThat(dir.resolve("sub/a.mcbak.partial")).doesNotExist();
  }

  @Test
  void recordsRoundTripAsOneLine() throws IOException {
    BackupRecord r = put("r.mcbak", "x", Instant.parse("2026-01-02T03:04:05.678Z"));
    String json = r.toJson();
    assertThat(json)
        .doesNotContain("\n")
        .startsWith("{\"uri\":\"file://")
        .contains("\"completedAt\":\"2026-01-02T03:04:05.678Z\"");
    assertThat(BackupRecord.parse(json.getBytes(StandardCharsets.UTF_8))).isEqualTo(r);
    assertThatThrownBy(() -> BackupRecord.parse("{\"uri\":1}".getBytes(StandardCharsets.UTF_8)))
        .hasMessageContaining("not a backup record");
  }

  @Test
  void retentionKeepsTheNewestBackupsWithASidecarOnly() throws IOException {
    Instant t = Instant.parse("2026-01-01T00:00:00Z");
    put("b1.mcbak", "1", t.plusSeconds(1));
    put("b3.mcbak", "3", t.plusSeconds(3));
    put("b2.mcbak", "2", t.plusSeconds(2));
    write(uri("no-sidecar.mcbak").key(), new byte[] {1}); // half-written: not a backup
    write(dir.resolve("notes.txt").toString(), new byte[] {1});
    Files.createDirectories(dir.resolve("older/deeper"));
    put("older/b0.mcbak", "0", t); // another folder: not touched

    assertThat(Retention.prune(store, uri("b3.mcbak"), 2)).containsExactly(uri("b1.mcbak"));
    try (var files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder(
              "b2.mcbak",
              "b2.mcbak.json",
              "b3.mcbak",
              "b3.mcbak.json",
              "no-sidecar.mcbak",
              "notes.txt",
              "older");
    }
    assertThat(dir.resolve("older/b0.mcbak.json")).exists();
    assertThat(Retention.prune(store, uri("b3.mcbak"), 1)).containsExactly(uri("b2.mcbak"));
    assertThat(Retention.prune(store, uri("b3.mcbak"), 1)).isEmpty();
    assertThat(dir.resolve("b3.mcbak")).exists();
  }

  @Test
  void aFetchChecksTheArchiveAgainstItsSidecar() throws IOException {
    put("ok.mcbak", "archive bytes", Instant.now());
    ArchiveFetch.Fetched ok = ArchiveFetch.fetch(store, uri("ok.mcbak"), dir.resolve("unused"));
    assertThat(ok.file()).isEqualTo(dir.resolve("ok.mcbak"));
    assertThat(ok.record()).isPresent();

    put("bad.mcbak", "archive bytes", Instant.now());
    Files.writeString(dir.resolve("bad.mcbak"), "archive byteZ"); // same size, other content
    assertThatThrownBy(() -> ArchiveFetch.fetch(store, uri("bad.mcbak"), dir.resolve("unused")))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("does not match its sidecar");

    write(uri("bare.mcbak").key(), new byte[] {1, 2});
    assertThat(ArchiveFetch.fetch(store, uri("bare.mcbak"), dir.resolve("u")).record()).isEmpty();

    assertThatThrownBy(() -> ArchiveFetch.fetch(store, uri("none.mcbak"), dir.resolve("unused")))
        .isInstanceOf(NoSuchFileException.class);
  }

  @Test
  void s3NeedsCredentials() {
    assertThatThrownBy(
            () ->
                BackupStore.open(
                    BackupUri.parse("s3://b/k.mcbak", dir),
                    S3Settings.of(null, null),
                    Map.of("AWS_ACCESS_KEY_ID", "id")))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("AWS_SECRET_ACCESS_KEY");
  }
}

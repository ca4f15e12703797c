package dev.metacluster.cli.fs;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.metacluster.api.fs.v1.FileStatus;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class StatusFormatTest {
  @Test
  void modeStrings() {
    assertThat(StatusFormat.modeString(true, 0755)).isEqualTo("drwxr-xr-x");
    assertThat(StatusFormat.modeString(false, 0644)).isEqualTo("-rw-r--r--");
    assertThat(StatusFormat.modeString(false, 0)).isEqualTo("----------");
    assertThat(StatusFormat.modeString(true, 01777)).isEqualTo("drwxrwxrwt");
    assertThat(StatusFormat.modeString(false, 04644)).isEqualTo("-rwSr--r--");
    assertThat(StatusFormat.modeString(false, 02755)).isEqualTo("-rwxr-sr-x");
    assertThat(StatusFormat.octal(0755)).isEqualTo("0755");
  }

  private static final FileStatus FILE =
      FileStatus.newBuilder()
          .setId(42)
          .setPath("/a/f")
          .setName("f")
          .setMode(0640)
          .setOwner("alice")
          .setGroup("staff")
          .setLength(1234)
          .setBlockSize(64 << 20)
          .setCompleted(true)
          .setCreationTimeMs(0)
          .setModificationTimeMs(86_400_000L + 3_600_000L + 60_000L)
          .putXattrs("user.a", ByteString.copyFromUtf8("text"))
          .putXattrs("user.b", ByteString.copyFrom(new byte[] {0, (byte) 0xff}))
          .build();

  @Test
  void lsRow() {
    assertThat(StatusFormat.lsRow(FILE, "f", ZoneOffset.UTC))
        .isEqualTo("-rw-r----- alice    staff            1234 1970-01-02 01:01 f");
    assertThat(
            StatusFormat.lsRow(
                FileStatus.newBuilder().setDirectory(true).setMode(0755).build(),
                "d",
                ZoneOffset.UTC))
        .startsWith("drwxr-xr-x -        -        ");
  }

  @Test
  void statShowsEveryField() {
    String stat = String.join("\n", StatusFormat.statLines(FILE, ZoneOffset.UTC));
    assertThat(stat)
        .contains("path:       /a/f")
        .contains("id:         42")
        .contains("type:       file")
        .contains("mode:       0640 (-rw-r-----)")
        .contains("length:     1234")
        .contains("blockSize:  67108864")
        .contains("completed:  true")
        .contains("childCount: 0")
        .contains("created:    1970-01-01T00:00Z (0)")
        .contains("modified:   1970-01-02T01:01Z (90060000)")
        .contains("ttlMs:      0 (none)")
        .contains("  user.a=text")
        .contains("  user.b=0x00ff");
  }

  @Test
  void jsonHasEveryField() {
    var o = StatusFormat.json(FILE);
    assertThat(o.get("type").asText()).isEqualTo("file");
    assertThat(o.get("mode").asText()).isEqualTo("0640");
    assertThat(o.get("permission").asText()).isEqualTo("-rw-r-----");
    assertThat(o.get("length").asLong()).isEqualTo(1234);
    assertThat(o.get("modificationTimeMs").asLong()).isEqualTo(90_060_000L);
    assertThat(o.get("xattrs").get("user.b").asText()).isEqualTo("0x00ff");
    assertThat(o.size()).isEqualTo(16);
  }

  @Test
  void xattrValuesRoundTrip() {
    assertThat(StatusFormat.xattrValue("blue")).isEqualTo(ByteString.copyFromUtf8("blue"));
    assertThat(StatusFormat.xattrValue("0x00ff").toByteArray()).containsExactly(0, 0xff);
    assertThat(StatusFormat.xattrValue("0sAP8=").toByteArray()).containsExactly(0, 0xff);
    // text that would read back as hex is shown as hex, so it round-trips
    assertThat(StatusFormat.xattrText(ByteString.copyFromUtf8("0x12"))).isEqualTo("0x30783132");
    assertThat(StatusFormat.xattrText(ByteString.copyFromUtf8("line\n"))).startsWith("0x");
  }
}

package dev.metacluster.cli.fs;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import dev.metacluster.api.fs.v1.FileStatus;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** How a {@link FileStatus} is shown: an ls -l row, stat lines, or a JSON object. */
public final class StatusFormat {
  public static final ObjectMapper JSON = new ObjectMapper();

  private static final DateTimeFormatter LS_TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm", Locale.ROOT);

  private StatusFormat() {}

  /**
   * The mode as {@code ls -l} shows it: type, then rwx for user, group, other, with setuid/setgid
   * and sticky bits as s/S and t/T.
   */
  public static String modeString(boolean directory, int mode) {
    char[] c = new char[10];
    c[0] = directory ? 'd' : '-';
    String rwx = "rwx";
    for (int i = 0; i < 9; i++) {
      c[i + 1] = (mode & (1 << (8 - i))) != 0 ? rwx.charAt(i % 3) : '-';
    }
    special(c, 3, (mode & 04000) != 0, 's');
    special(c, 6, (mode & 02000) != 0, 's');
    special(c, 9, (mode & 01000) != 0, 't');
    return new String(c);
  }

  private static void special(char[] c, int at, boolean set, char lower) {
    if (set) {
      c[at] = c[at] == '-' ? Character.toUpperCase(lower) : lower;
    }
  }

  /** The permission bits in octal with a leading 0, e.g. 0755. */
  public static String octal(int mode) {
    return String.format("%04o", mode & 07777);
  }

  /** One {@code ls -l} style row: mode owner group length mtime name. */
  public static String lsRow(FileStatus s, String name, ZoneId zone) {
    return String.format(
        "%s %-8s %-8s %12d %s %s",
        modeString(s.getDirectory(), s.getMode()),
        s.getOwner().isEmpty() ? "-" : s.getOwner(),
        s.getGroup().isEmpty() ? "-" : s.getGroup(),
        s.getLength(),
        LS_TIME.format(Instant.ofEpochMilli(s.getModificationTimeMs()).atZone(zone)),
        name);
  }

  /** Every field as "key: value" lines (what {@code fs stat} prints). */
  public static List<String> statLines(FileStatus s, ZoneId zone) {
    List<String> lines = new ArrayList<>();
    Map<String, String> f = new LinkedHashMap<>();
    f.put("path", s.getPath());
    f.put("name", s.getName());
    f.put("id", Long.toString(s.getId()));
    f.put("type", s.getDirectory() ? "directory" : "file");
    f.put("mode", octal(s.getMode()) + " (" + modeString(s.getDirectory(), s.getMode()) + ")");
    f.put("owner", s.getOwner());
    f.put("group", s.getGroup());
    f.put("length", Long.toString(s.getLength()));
    f.put("blockSize", Long.toString(s.getBlockSize()));
    f.put("completed", Boolean.toString(s.getCompleted()));
    f.put("childCount", Long.toString(s.getChildCount()));
    f.put("created", time(s.getCreationTimeMs(), zone));
    f.put("modified", time(s.getModificationTimeMs(), zone));
    f.put("ttlMs", s.getTtlMs() == 0 ? "0 (none)" : Long.toString(s.getTtlMs()));
    f.put("xattrs", Integer.toString(s.getXattrsCount()));
    f.forEach((k, v) -> lines.add(String.format("%-11s %s", k + ":", v)));
    new TreeMap<>(s.getXattrsMap())
        .forEach((k, v) -> lines.add(String.format("  %s=%s", k, xattrText(v))));
    return lines;
  }

  private static String time(long ms, ZoneId zone) {
    return Instant.ofEpochMilli(ms).atZone(zone).toOffsetDateTime() + " (" + ms + ")";
  }

  /** A status as a JSON object, every field, times in epoch milliseconds. */
  public static ObjectNode json(FileStatus s) {
    ObjectNode o = JSON.createObjectNode();
    o.put("path", s.getPath());
    o.put("name", s.getName());
    o.put("id", s.getId());
    o.put("type", s.getDirectory() ? "directory" : "file");
    o.put("mode", octal(s.getMode()));
    o.put("permission", modeString(s.getDirectory(), s.getMode()));
    o.put("owner", s.getOwner());
    o.put("group", s.getGroup());
    o.put("length", s.getLength());
    o.put("blockSize", s.getBlockSize());
    o.put("completed", s.getCompleted());
    o.put("childCount", s.getChildCount());
    o.put("creationTimeMs", s.getCreationTimeMs());
    o.put("modificationTimeMs", s.getModificationTimeMs());
    o.put("ttlMs", s.getTtlMs());
    ObjectNode x = o.putObject("xattrs");
    new TreeMap<>(s.getXattrsMap()).forEach((k, v) -> x.put(k, xattrText(v)));
    return o;
  }

  /**
   * An xattr value as text: the UTF-8 string when it is valid UTF-8 without control characters,
   * else {@code 0x} and hex (the convention of HDFS {@code getfattr}, which {@code setxattr}
   * accepts back).
   */
  public static String xattrText(ByteString value) {
    try {
      String text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(value.toByteArray()))
              .toString();
      if (text.chars().noneMatch(Character::isISOControl) && !text.startsWith("0x")) {
        return text;
      }
    } catch (CharacterCodingException e) {
      // binary: hex below
    }
    return "0x" + HexFormat.of().formatHex(value.toByteArray());
  }

  /**
   * An xattr value from the command line: {@code 0x...} is hex, {@code 0s...} base64, anything else
   * the UTF-8 bytes of the text (HDFS {@code setfattr}'s convention).
   */
  public static ByteString xattrValue(String text) {
    if (text.startsWith("0x") || text.startsWith("0X")) {
      return ByteString.copyFrom(HexFormat.of().parseHex(text.substring(2)));
    }
    if (text.startsWith("0s") || text.startsWith("0S")) {
      return ByteString.copyFrom(java.util.Base64.getDecoder().decode(text.substring(2)));
    }
    return ByteString.copyFromUtf8(text);
  }
}

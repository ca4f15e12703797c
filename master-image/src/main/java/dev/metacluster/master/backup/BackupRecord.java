package dev.metacluster.master.backup;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * What one backup is: the sidecar next to each archive and the result {@code metactl admin backup}
 * prints, as one line of JSON: {@code
 * {"uri":...,"clusterId":...,"term":N,"index":N,"inodes":N,"sizeBytes":N,"sha256":"hex","completedAt":"ISO-8601"}}.
 */
public record BackupRecord(
    String uri,
    String clusterId,
    long term,
    long index,
    long inodes,
    long sizeBytes,
    String sha256,
    Instant completedAt) {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One line, fields in the documented order. */
  public String toJson() {
    try {
      return JSON.writeValueAsString(
          JSON.createObjectNode()
              .put("uri", uri)
              .put("clusterId", clusterId)
              .put("term", term)
              .put("index", index)
              .put("inodes", inodes)
              .put("sizeBytes", sizeBytes)
              .put("sha256", sha256)
              .put("completedAt", completedAt.toString()));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e); // a tree of strings and numbers always serializes
    }
  }

  /**
   * Reads a record written by {@link #toJson()}.
   *
   * @throws IOException when it is not one (a field missing or of the wrong type)
   */
  public static BackupRecord parse(byte[] json) throws IOException {
    JsonNode n = JSON.readTree(json);
    if (n == null || !n.isObject()) {
      throw new IOException("not a backup record: not a JSON object");
    }
    try {
      return new BackupRecord(
          text(n, "uri"),
          text(n, "clusterId"),
          number(n, "term"),
          number(n, "index"),
          number(n, "inodes"),
          number(n, "sizeBytes"),
          text(n, "sha256"),
          Instant.parse(text(n, "completedAt")));
    } catch (DateTimeParseException e) {
      throw new IOException("not a backup record: completedAt is not an ISO-8601 instant");
    }
  }

  private static String text(JsonNode n, String field) throws IOException {
    JsonNode v = n.get(field);
    if (v == null || !v.isTextual()) {
      throw new IOException("not a backup record: no text field " + field);
    }
    return v.asText();
  }

  private static long number(JsonNode n, String field) throws IOException {
    JsonNode v = n.get(field);
    if (v == null || !v.canConvertToLong()) {
      throw new IOException("not a backup record: no number field " + field);
    }
    return v.asLong();
  }
}

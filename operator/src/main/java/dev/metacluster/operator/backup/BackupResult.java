package dev.metacluster.operator.backup;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.core.JsonProcessingException;
import io.fabric8.kubernetes.client.utils.Serialization;

/**
 * The one-line JSON {@code metactl admin backup} writes to its result file (the Job pod's
 * termination log) on success; the same object is in the archive's sidecar {@code KEY.json}.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record BackupResult(
    String uri,
    String clusterId,
    Long term,
    Long index,
    Long inodes,
    Long sizeBytes,
    String sha256,
    String completedAt) {

  /**
   * @throws IllegalArgumentException when {@code json} is not such an object or lacks the URI or
   *     the checksum
   */
  public static BackupResult parse(String json) {
    if (json == null || json.isBlank()) {
      throw new IllegalArgumentException("the backup pod left no result");
    }
    BackupResult result;
    try {
      result = Serialization.jsonMapper().readValue(json.trim(), BackupResult.class);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          "the backup pod's result is not the expected JSON: " + abbreviate(json), e);
    }
    if (result.uri() == null || result.sha256() == null) {
      throw new IllegalArgumentException(
          "the backup pod's result lacks uri or sha256: " + abbreviate(json));
    }
    return result;
  }

  static String abbreviate(String s) {
    String t = s.strip();
    return t.length() <= 300 ? t : t.substring(0, 300) + "...";
  }
}

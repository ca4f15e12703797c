package dev.metacluster.master.backup;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Where one backup archive lives: {@code s3://BUCKET/KEY} or {@code file:///ABS/PATH} (a plain path
 * on the command line means a file). The name ends in {@value #SUFFIX}; the sidecar with the
 * backup's record is the same key plus {@value #SIDECAR_SUFFIX}.
 *
 * @param bucket the S3 bucket, or null for a file
 * @param key the object key in the bucket, or the file's absolute path
 */
public record BackupUri(String bucket, String key) {
  public static final String SUFFIX = ".mcbak";
  public static final String SIDECAR_SUFFIX = ".json";

  /**
   * Parses a location given by a person; relative paths resolve against {@code cwd}.
   *
   * @throws IllegalArgumentException saying what is wrong with it
   */
  public static BackupUri parse(String text, Path cwd) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("backup location is empty");
    }
    String lower = text.toLowerCase(Locale.ROOT);
    BackupUri uri;
    if (lower.startsWith("s3:")) {
      String rest = lower.startsWith("s3://") ? text.substring("s3://".length()) : "";
      int slash = rest.indexOf('/');
      if (slash <= 0 || slash == rest.length() - 1) {
        throw new IllegalArgumentException(
            "'" + text + "' is not of the form s3://BUCKET/KEY" + SUFFIX);
      }
      uri = new BackupUri(rest.substring(0, slash), rest.substring(slash + 1));
    } else if (lower.startsWith("file:")) {
      Path path;
      try {
        path = Path.of(new URI(text));
      } catch (URISyntaxException | IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "'"
                + text
                + "' is not a file URI with an absolute path (file:///DIR/NAME"
                + SUFFIX
                + ")");
      }
      uri = new BackupUri(null, path.normalize().toString());
    } else if (lower.matches("^[a-z][a-z0-9+.-]*://.*")) {
      throw new IllegalArgumentException(
          "'" + text + "': unsupported scheme; use s3://BUCKET/KEY or file:///PATH");
    } else {
      try {
        uri = new BackupUri(null, cwd.resolve(text).toAbsolutePath().normalize().toString());
      } catch (InvalidPathException e) {
        throw new IllegalArgumentException("'" + text + "' is not a valid path");
      }
    }
    if (!uri.key.endsWith(SUFFIX) || uri.key.endsWith("/" + SUFFIX)) {
      throw new IllegalArgumentException(
          "'"
              + text
              + "': a backup's name must end in "
              + SUFFIX
              + " (e.g. nightly-1"
              + SUFFIX
              + ")");
    }
    return uri;
  }

  public boolean isS3() {
    return bucket != null;
  }

  /** The key of the sidecar that holds this backup's record. */
  public String sidecarKey() {
    return key + SIDECAR_SUFFIX;
  }

  /** The folder the archive is in: a key prefix ending in '/' ("" at the top), or a directory. */
  public String folder() {
    if (isS3()) {
      return key.substring(0, key.lastIndexOf('/') + 1);
    }
    Path parent = Path.of(key).getParent();
    return parent == null ? "/" : parent.toString();
  }

  /** The same backup location with another key (in the same bucket, for S3). */
  public BackupUri withKey(String otherKey) {
    return new BackupUri(bucket, otherKey);
  }

  /** The canonical form: {@code s3://bucket/key} or {@code file:///path}. */
  @Override
  public String toString() {
    return isS3() ? "s3://" + bucket + "/" + key : Path.of(key).toUri().toString();
  }
}

package dev.metacluster.master.backup;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Gets a backup archive as a local file for a restore, checked against its sidecar (size and
 * SHA-256) when it has one; the archive's own manifest is checked by the restore itself.
 */
public final class ArchiveFetch {
  private ArchiveFetch() {}

  /** The archive as a local file, and its record when it has a sidecar. */
  public record Fetched(Path file, Optional<BackupRecord> record) {}

  /**
   * A file archive is checked where it is; an S3 one is downloaded into {@code download} (replaced
   * if it exists) and checked. On a mismatch the download is deleted.
   *
   * @throws NoSuchFileException when there is no archive at {@code uri}
   * @throws IOException when it cannot be read, or does not match its sidecar
   */
  public static Fetched fetch(BackupStore store, BackupUri uri, Path download) throws IOException {
    Optional<BackupRecord> record = sidecar(store, uri);
    Path file = uri.isS3() ? download : Path.of(uri.key());
    MessageDigest sha = sha256();
    long size;
    try (InputStream in = new DigestInputStream(store.open(uri.key()), sha)) {
      if (uri.isS3()) {
        Files.deleteIfExists(download);
        size = Files.copy(in, download);
      } else {
        size = in.transferTo(OutputStream.nullOutputStream());
      }
      String digest = HexFormat.of().formatHex(sha.digest());
      if (record.isPresent()
          && (record.get().sizeBytes() != size || !record.get().sha256().equals(digest))) {
        throw new IOException(
            uri
                + " does not match its sidecar (damaged or replaced): "
                + size
                + " bytes with SHA-256 "
                + digest
                + ", the sidecar says "
                + record.get().sizeBytes()
                + " bytes with SHA-256 "
                + record.get().sha256());
      }
    } catch (IOException | RuntimeException e) {
      if (uri.isS3()) {
        Files.deleteIfExists(download);
      }
      throw e;
    }
    return new Fetched(file, record);
  }

  private static Optional<BackupRecord> sidecar(BackupStore store, BackupUri uri)
      throws IOException {
    byte[] json;
    try (InputStream in = store.open(uri.sidecarKey())) {
      json = in.readAllBytes();
    } catch (NoSuchFileException none) {
      return Optional.empty();
    }
    try {
      return Optional.of(BackupRecord.parse(json));
    } catch (IOException e) {
      throw new IOException("sidecar of " + uri + " is unreadable: " + e.getMessage(), e);
    }
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}

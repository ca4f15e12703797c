package dev.metacluster.master.backup;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A place backups are kept: a file system or an S3 bucket. Keys are what {@link BackupUri#key()}
 * holds; a folder is what {@link BackupUri#folder()} gives. An object written through {@link
 * #create} becomes visible only on {@link Upload#commit()}, so a failed write leaves nothing.
 */
public interface BackupStore extends Closeable {

  /** Opens the store that holds {@code uri}: its file system or its bucket. */
  static BackupStore open(BackupUri uri, S3Settings s3, Map<String, String> env)
      throws IOException {
    return uri.isS3()
        ? new S3BackupStore(s3.client(env), uri.bucket(), s3.partSize())
        : new FileBackupStore();
  }

  /** Starts writing {@code key}; nothing is visible under it until {@link Upload#commit()}. */
  Upload create(String key) throws IOException;

  /** Whether {@code key} exists. */
  boolean exists(String key) throws IOException;

  /**
   * Reads {@code key}.
   *
   * @throws java.nio.file.NoSuchFileException when there is no such object
   */
  InputStream open(String key) throws IOException;

  /** The objects directly in {@code folder} (not in folders below it). */
  List<Entry> list(String folder) throws IOException;

  /** Deletes {@code key}; a missing one is fine. */
  void delete(String key) throws IOException;

  /** One object of a folder listing. */
  record Entry(String key, long size, Instant lastModified) {}

  /** An object being written: {@link #commit()} makes it visible, {@link #abort()} drops it. */
  abstract class Upload extends OutputStream {
    private long bytes;

    /** Bytes written so far. */
    public final long bytes() {
      return bytes;
    }

    @Override
    public final void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public final void write(byte[] b, int off, int len) throws IOException {
      append(b, off, len);
      bytes += len;
    }

    protected abstract void append(byte[] b, int off, int len) throws IOException;

    /** Makes the object visible under its key, replacing what was there. */
    public abstract void commit() throws IOException;

    /** Drops what was written; best effort, never throws. */
    public abstract void abort();

    /** Closing without a commit aborts. */
    @Override
    public void close() {
      abort();
    }
  }
}

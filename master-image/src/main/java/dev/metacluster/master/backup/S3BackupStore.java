package dev.metacluster.master.backup;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Backups as objects of one S3 bucket. An upload holds one part in memory: a small object is put
 * whole on commit, a larger one goes up as a multipart upload, part by part as it is written, and
 * is completed on commit (aborted otherwise), so it never exists half-written.
 */
final class S3BackupStore implements BackupStore {
  private final S3Client s3;
  private final String bucket;
  private final int partSize;

  /** {@code partSize}: at least 5 MiB, S3's smallest part but the last. */
  S3BackupStore(S3Client s3, String bucket, int partSize) {
    this.s3 = s3;
    this.bucket = bucket;
    this.partSize = partSize;
  }

  @Override
  public Upload create(String key) {
    return new MultipartUpload(key);
  }

  @Override
  public boolean exists(String key) throws IOException {
    try {
      s3.headObject(b -> b.bucket(bucket).key(key));
      return true;
    } catch (NoSuchKeyException e) {
      return false;
    } catch (S3Exception e) {
      if (e.statusCode() == 404 && !"NoSuchBucket".equals(errorCode(e))) {
        return false;
      }
      throw failure("cannot look up", key, e);
    } catch (SdkException e) {
      throw failure("cannot look up", key, e);
    }
  }

  @Override
  public InputStream open(String key) throws IOException {
    try {
      return s3.getObject(b -> b.bucket(bucket).key(key));
    } catch (NoSuchKeyException e) {
      throw new NoSuchFileException(uri(key), null, "no such object");
    } catch (SdkException e) {
      throw failure("cannot read", key, e);
    }
  }

  @Override
  public List<Entry> list(String folder) throws IOException {
    List<Entry> entries = new ArrayList<>();
    try {
      for (S3Object o :
          s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(folder).delimiter("/"))
              .contents()) {
        entries.add(new Entry(o.key(), o.size(), o.lastModified()));
      }
    } catch (SdkException e) {
      throw failure("cannot list", folder, e);
    }
    return entries;
  }

  @Override
  public void delete(String key) throws IOException {
    try {
      s3.deleteObject(b -> b.bucket(bucket).key(key));
    } catch (SdkException e) {
      throw failure("cannot delete", key, e);
    }
  }

  @Override
  public void close() {
    s3.close();
  }

  private String uri(String key) {
    return "s3://" + bucket + "/" + key;
  }

  private static String errorCode(S3Exception e) {
    return e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
  }

  /** One line: what failed, on which object, and what S3 (or the connection) said. */
  private IOException failure(String what, String key, SdkException e) {
    String why = e.getMessage();
    if (e instanceof S3Exception s && s.awsErrorDetails() != null) {
      why =
          s.awsErrorDetails().errorCode()
              + " (HTTP "
              + s.statusCode()
              + "): "
              + s.awsErrorDetails().errorMessage();
    }
    return new IOException(what + " " + uri(key) + ": " + why, e);
  }

  /** One object being written, one part in memory at a time. */
  private final class MultipartUpload extends Upload {
    private final String key;
    private byte[] part = new byte[Math.min(partSize, 64 << 10)]; // grows up to partSize
    private final List<CompletedPart> parts = new ArrayList<>();
    private int filled;
    private String uploadId;
    private boolean done;

    MultipartUpload(String key) {
      this.key = key;
    }

    @Override
    protected void append(byte[] b, int off, int len) throws IOException {
      while (len > 0) {
        if (filled == part.length) {
          part = Arrays.copyOf(part, (int) Math.min(partSize, 2L * part.length));
        }
        int n = Math.min(len, part.length - filled);
        System.arraycopy(b, off, part, filled, n);
        filled += n;
        off += n;
        len -= n;
        if (filled == partSize) {
          sendPart();
        }
      }
    }

    private void sendPart() throws IOException {
      try {
        if (uploadId == null) {
          uploadId = s3.createMultipartUpload(b -> b.bucket(bucket).key(key)).uploadId();
        }
        int number = parts.size() + 1;
        String etag =
            s3.uploadPart(
                    b ->
                        b.bucket(bucket)
                            .key(key)
                            .uploadId(uploadId)
                            .partNumber(number)
                            .contentLength((long) filled),
                    body())
                .eTag();
        parts.add(CompletedPart.builder().partNumber(number).eTag(etag).build());
        filled = 0;
      } catch (SdkException e) {
        throw failure("cannot upload", key, e);
      }
    }

    private RequestBody body() {
      return RequestBody.fromInputStream(new ByteArrayInputStream(part, 0, filled), filled);
    }

    @Override
    public void commit() throws IOException {
      if (done) {
        throw new IllegalStateException("upload of " + uri(key) + " already ended");
      }
      try {
        if (uploadId == null) {
          s3.putObject(b -> b.bucket(bucket).key(key).contentLength((long) filled), body());
        } else {
          if (filled > 0) {
            sendPart();
          }
          s3.completeMultipartUpload(
              b ->
                  b.bucket(bucket)
                      .key(key)
                      .uploadId(uploadId)
                      .multipartUpload(m -> m.parts(parts)));
        }
        done = true;
      } catch (SdkException e) {
        throw failure("cannot upload", key, e);
      }
    }

    @Override
    public void abort() {
      if (done) {
        return;
      }
      done = true;
      if (uploadId != null) {
        try {
          s3.abortMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId));
        } catch (SdkException e) {
          // best effort: the error that got us here is the one to report; the bucket's
          // lifecycle rule for incomplete uploads cleans up what is left
        }
      }
    }
  }
}

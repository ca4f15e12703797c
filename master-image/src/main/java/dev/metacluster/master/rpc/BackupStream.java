package dev.metacluster.master.rpc;

import com.google.protobuf.ByteString;
import dev.metacluster.api.admin.v1.BackupChunk;
import dev.metacluster.api.admin.v1.BackupManifest;
import io.grpc.Context;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The Backup call's output: the archive as it is written, cut into chunks, each sent when the
 * client can take it (flow control), so a large backup never sits in memory. The writer blocks
 * while the client is slow; the call's deadline or a cancel ends it.
 */
final class BackupStream extends OutputStream {
  static final int CHUNK_BYTES = 1 << 20;

  private final ServerCallStreamObserver<BackupChunk> out;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition ready = lock.newCondition();
  private final MessageDigest sha256;
  private final Context context = Context.current();
  private final byte[] buffer = new byte[CHUNK_BYTES];
  private int used;
  private long total;
  private volatile boolean cancelled;

  BackupStream(StreamObserver<BackupChunk> out) {
    this.out = (ServerCallStreamObserver<BackupChunk>) out;
    this.out.setOnReadyHandler(this::signal);
    this.out.setOnCancelHandler(
        () -> {
          cancelled = true;
          signal();
        });
    try {
      this.sha256 = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  boolean cancelled() {
    return cancelled;
  }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    while (len > 0) {
      int n = Math.min(len, buffer.length - used);
      System.arraycopy(b, off, buffer, used, n);
      used += n;
      off += n;
      len -= n;
      if (used == buffer.length) {
        send();
      }
    }
  }

  /** Sends what is buffered and, last, the manifest with the archive's digest and size. */
  void finish(BackupManifest.Builder manifest) throws IOException {
    // The digest covers every byte, including those of this last message.
    sha256.update(buffer, 0, used);
    total += used;
    manifest.setArchiveSha256(HexFormat.of().formatHex(sha256.digest())).setArchiveBytes(total);
    awaitReady();
    out.onNext(
        BackupChunk.newBuilder()
            .setData(ByteString.copyFrom(buffer, 0, used))
            .setManifest(manifest)
            .build());
    used = 0;
    out.onCompleted();
  }

  private void send() throws IOException {
    sha256.update(buffer, 0, used);
    total += used;
    awaitReady();
    out.onNext(BackupChunk.newBuilder().setData(ByteString.copyFrom(buffer, 0, used)).build());
    used = 0;
  }

  private void awaitReady() throws IOException {
    lock.lock();
    try {
      while (!out.isReady()) {
        if (cancelled || context.isCancelled()) {
          throw new IOException(
              "backup stream ended by the client or its deadline",
              Status.CANCELLED.asRuntimeException());
        }
        // Woken by the ready or cancel handler; the bound re-checks the deadline.
        ready.await(100, TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while sending a backup");
    } finally {
      lock.unlock();
    }
  }

  private void signal() {
    lock.lock();
    try {
      ready.signalAll();
    } finally {
      lock.unlock();
    }
  }
}

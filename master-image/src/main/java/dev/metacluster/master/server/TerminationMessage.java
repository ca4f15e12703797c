package dev.metacluster.master.server;

import dev.metacluster.master.store.UnusableStoreException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.ratis.io.CorruptedFileException;
import org.apache.ratis.protocol.exceptions.ChecksumException;
import org.rocksdb.RocksDBException;
import org.rocksdb.Status;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Why a master could not start, in one line where Kubernetes looks for it: the container's
 * termination message file ({@code /dev/termination-log}), which the kubelet copies into the pod's
 * status ({@code containerStatuses[].lastState.terminated.message}). The operator reads it there: a
 * message starting with {@link #STORE_REFUSED} says the member's own volumes cannot be used
 * (corrupt or another cluster's store, RocksDB or the Raft log reporting corruption), and the
 * operator replaces such a member while a quorum holds (docs/OPERATIONS.md, "Member replacement").
 * Anything else (configuration, ports, a full disk, a store layout this image cannot read) is
 * {@link #STARTUP_FAILED}: new volumes would not help, so nothing is deleted for it.
 */
public final class TerminationMessage {
  private static final Logger LOG = LoggerFactory.getLogger(TerminationMessage.class);

  /** Overrides the file's path (the pod's {@code terminationMessagePath}). */
  public static final String ENV_PATH = "METACLUSTER_TERMINATION_MESSAGE_PATH";

  public static final String DEFAULT_PATH = "/dev/termination-log";

  /** The member's data on its volumes cannot be used; only a replacement brings it back. */
  public static final String STORE_REFUSED = "store refused: ";

  /** Any other failure to start (configuration, ports, ...); nothing to replace. */
  public static final String STARTUP_FAILED = "startup failed: ";

  /** Kubernetes keeps at most 4096 bytes of a termination message. */
  static final int MAX_BYTES = 4096;

  private TerminationMessage() {}

  /** The line for {@code failure}: its kind, then the most specific message in its causes. */
  static String describe(Throwable failure) {
    Throwable storeCause = null;
    for (Throwable t = failure; t != null && t != t.getCause(); t = t.getCause()) {
      if (t instanceof UnusableStoreException
          || (t instanceof RocksDBException r
              && r.getStatus() != null
              && r.getStatus().getCode() == Status.Code.Corruption)
          || t instanceof CorruptedFileException
          || t instanceof ChecksumException) {
        storeCause = t;
        break;
      }
    }
    String line =
        storeCause != null
            ? STORE_REFUSED + storeCause.getMessage()
            : STARTUP_FAILED + failure.getMessage();
    byte[] bytes = line.replace('\n', ' ').getBytes(StandardCharsets.UTF_8);
    return bytes.length <= MAX_BYTES
        ? new String(bytes, StandardCharsets.UTF_8)
        : new String(bytes, 0, MAX_BYTES, StandardCharsets.UTF_8);
  }

  /**
   * Writes {@code failure}'s line to the file named by {@link #ENV_PATH}, or to {@link
   * #DEFAULT_PATH} when that file exists (Kubernetes creates it in the container; a master run
   * outside a pod writes nothing). Best effort: a failure to write is logged, never thrown.
   */
  static void write(Map<String, String> env, Throwable failure) {
    String configured = env.get(ENV_PATH);
    Path path = Path.of(configured == null || configured.isBlank() ? DEFAULT_PATH : configured);
    if (configured == null && !Files.exists(path)) {
      return;
    }
    try {
      Files.writeString(path, describe(failure), StandardCharsets.UTF_8);
    } catch (IOException | RuntimeException e) {
      LOG.warn("cannot write the termination message to {}: {}", path, e.toString());
    }
  }
}

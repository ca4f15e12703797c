package dev.metacluster.master.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.UUID;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The metastore volume: the live RocksDB and the checkpoints taken from it, and the one safe way to
 * replace the live data with a checkpoint (snapshot installation, restore).
 *
 * <pre>
 * root/db/             the live RocksDB
 * root/store-id        this store's identity (a UUID), made when root/db is created empty
 * root/db.incoming/    a replacement being assembled; only complete once it holds INSTALL_COMPLETE
 * root/snapshots/      Raft snapshots: snapshot.TERM_INDEX/ (RocksDB checkpoints)
 * root/snapshots.tmp/  snapshots being received from the leader
 * </pre>
 *
 * Checkpoints live on this volume so that their SST files are hard links, not copies.
 *
 * <p>The store id lives outside root/db so that installing the leader's snapshot (which replaces
 * root/db) keeps this member's own id: it changes only when the data is created anew (first start,
 * a lost or wiped volume, a restore) or the Raft log is new ({@link #forgetStoreId}), which is how
 * the operator tells a voter that lost what it had acknowledged.
 */
public final class Metastore implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Metastore.class);
  private static final String COMPLETE_MARKER = "INSTALL_COMPLETE";
  private static final String STORE_ID = "store-id";

  private final Path root;
  private final StoreConfig config;
  private final String clusterId;
  private RocksInodeStore rocks;
  private CachingInodeStore store;
  private String storeId;

  /**
   * @param root the metastore volume
   * @param config cache and RocksDB settings; its directory is ignored (the live db is root/db)
   * @param clusterId the cluster this member serves; a metastore of another cluster is refused
   */
  public Metastore(Path root, StoreConfig config, String clusterId) {
    this.root = root;
    this.config =
        new StoreConfig(
            root.resolve("db"),
            config.inodeCacheEntries(),
            config.edgeCacheEntries(),
            config.blockCacheBytes(),
            config.writeAheadLog());
    this.clusterId = clusterId;
  }

  /** Opens the live store, finishing or discarding a replacement a crash interrupted. */
  public synchronized void open() {
    if (rocks != null) {
      return;
    }
    try {
      Files.createDirectories(root);
      Path incoming = root.resolve("db.incoming");
      if (Files.exists(incoming)) {
        if (Files.exists(incoming.resolve(COMPLETE_MARKER))) {
          LOG.info("metastore {}: finishing an interrupted install from {}", root, incoming);
          swapIn(incoming);
        } else {
          LOG.warn("metastore {}: discarding an incomplete install at {}", root, incoming);
          deleteRecursively(incoming);
        }
      }
    } catch (IOException e) {
      throw new StoreException("cannot prepare metastore at " + root + ": " + e, e);
    }
    // RocksDB writes CURRENT into every database it creates: without it the data starts empty.
    boolean createdEmpty = !Files.exists(config.directory().resolve("CURRENT"));
    if (createdEmpty) {
      // an id left beside lost data is not this store's: a crash before the new one is written
      // must not bring it back
      forgetStoreId();
    }
    RocksInodeStore opened = new RocksInodeStore(config);
    try {
      opened.claimClusterId(clusterId);
      storeId = loadOrCreateStoreId();
    } catch (RuntimeException e) {
      opened.close();
      throw e;
    }
    rocks = opened;
    store = new CachingInodeStore(rocks, config.inodeCacheEntries(), config.edgeCacheEntries());
  }

  /**
   * This store's identity: a UUID made when the data was created empty, kept across restarts and
   * snapshot installations.
   */
  public synchronized String storeId() {
    requireOpen();
    return storeId;
  }

  /**
   * The persisted store id, or a new one (persisted) when none is recorded: the data was just
   * created empty (its old id was removed above), restored from a backup, or made before store ids.
   */
  private String loadOrCreateStoreId() {
    Path file = root.resolve(STORE_ID);
    try {
      if (Files.exists(file)) {
        String id = Files.readString(file, StandardCharsets.UTF_8).trim();
        if (!id.isEmpty()) {
          return id;
        }
      }
      String id = UUID.randomUUID().toString();
      Path tmp = root.resolve(STORE_ID + ".tmp");
      try (FileChannel ch =
          FileChannel.open(
              tmp,
              StandardOpenOption.CREATE,
              StandardOpenOption.TRUNCATE_EXISTING,
              StandardOpenOption.WRITE)) {
        ch.write(ByteBuffer.wrap(id.getBytes(StandardCharsets.UTF_8)));
        ch.force(true);
      }
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      LOG.info("metastore {}: new store id {}", root, id);
      return id;
    } catch (IOException e) {
      throw new StoreException("cannot read or write the store id in " + root + ": " + e, e);
    }
  }

  /**
   * Drops the recorded store id so that the next {@link #open} makes a new one: the member's Raft
   * log is new (its journal volume was lost), so it no longer holds the entries it acknowledged,
   * even though this store kept its data.
   */
  public synchronized void forgetStoreId() {
    if (rocks != null) {
      throw new StoreException(
          "metastore " + root + " is open; forget its store id before opening");
    }
    try {
      Files.deleteIfExists(root.resolve(STORE_ID));
    } catch (IOException e) {
      throw new StoreException("cannot remove the store id in " + root + ": " + e, e);
    }
  }

  public synchronized InodeStore store() {
    requireOpen();
    return store;
  }

  public synchronized RocksInodeStore rocks() {
    requireOpen();
    return rocks;
  }

  public synchronized boolean isOpen() {
    return rocks != null;
  }

  public Path root() {
    return root;
  }

  public Path snapshotDir() {
    return root.resolve("snapshots");
  }

  public Path snapshotTmpDir() {
    return root.resolve("snapshots.tmp");
  }

  /**
   * Replaces the live data with the checkpoint at {@code checkpoint} and reopens. SST files are
   * hard-linked (they are immutable), everything else is copied, so the checkpoint stays intact. A
   * crash at any point leaves either the old or the new data, never a mix.
   */
  public synchronized void installFrom(Path checkpoint) {
    close();
    Path incoming = root.resolve("db.incoming");
    try {
      deleteRecursively(incoming);
      Files.createDirectories(incoming);
      try (Stream<Path> files = Files.list(checkpoint)) {
        for (Path file : (Iterable<Path>) files::iterator) {
          if (!Files.isRegularFile(file)) {
            continue;
          }
          Path target = incoming.resolve(file.getFileName());
          if (file.getFileName().toString().endsWith(".sst")) {
            linkOrCopy(file, target);
          } else {
            Files.copy(file, target, StandardCopyOption.COPY_ATTRIBUTES);
          }
        }
      }
      Files.createFile(incoming.resolve(COMPLETE_MARKER));
      swapIn(incoming);
    } catch (IOException e) {
      throw new StoreException("cannot install checkpoint " + checkpoint + " into " + root, e);
    }
    open();
  }

  private void swapIn(Path incoming) throws IOException {
    Path live = root.resolve("db");
    Path old = root.resolve("db.old");
    deleteRecursively(old);
    if (Files.exists(live)) {
      Files.move(live, old, StandardCopyOption.ATOMIC_MOVE);
    }
    Files.delete(incoming.resolve(COMPLETE_MARKER));
    Files.move(incoming, live, StandardCopyOption.ATOMIC_MOVE);
    deleteRecursively(old);
  }

  private static void linkOrCopy(Path source, Path target) throws IOException {
    try {
      Files.createLink(target, source);
    } catch (UnsupportedOperationException | FileAlreadyExistsException e) {
      throw e;
    } catch (IOException e) {
      // Another file system (or no hard links): a copy is slower but just as correct.
      Files.copy(source, target, StandardCopyOption.COPY_ATTRIBUTES);
    }
  }

  /** Deletes a directory tree if it exists. */
  public static void deleteRecursively(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
        Files.delete(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + dir, e);
    }
  }

  private void requireOpen() {
    if (rocks == null) {
      throw new StoreException("metastore " + root + " is closed");
    }
  }

  @Override
  public synchronized void close() {
    if (store != null) {
      store.close(); // closes rocks too
    }
    store = null;
    rocks = null;
  }
}

package dev.metacluster.master.store;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.metacluster.master.proto.Inode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.Cache;
import org.rocksdb.Checkpoint;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.CompressionType;
import org.rocksdb.DBOptions;
import org.rocksdb.FlushOptions;
import org.rocksdb.LRUCache;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Slice;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * The RocksDB layer of the store: column families {@code inodes} (id -> Inode), {@code edges}
 * (parent id + name -> child id) and {@code meta} (applied index, next inode id, layout version).
 */
public final class RocksInodeStore implements InodeStore {
  /** Bumped when the on-disk layout changes incompatibly; a mismatch refuses to open. */
  public static final long LAYOUT_VERSION = 1;

  private static final byte[] CF_INODES = "inodes".getBytes(StandardCharsets.UTF_8);
  private static final byte[] CF_EDGES = "edges".getBytes(StandardCharsets.UTF_8);
  private static final byte[] CF_META = "meta".getBytes(StandardCharsets.UTF_8);
  private static final byte[] META_APPLIED_INDEX = "applied-index".getBytes(StandardCharsets.UTF_8);
  private static final byte[] META_APPLIED_TERM = "applied-term".getBytes(StandardCharsets.UTF_8);
  private static final byte[] META_CLUSTER_ID = "cluster-id".getBytes(StandardCharsets.UTF_8);
  private static final byte[] META_NEXT_INODE_ID = "next-inode-id".getBytes(StandardCharsets.UTF_8);
  private static final byte[] META_LAYOUT_VERSION =
      "layout-version".getBytes(StandardCharsets.UTF_8);

  static {
    RocksDB.loadLibrary();
  }

  private final StoreConfig config;
  private final List<AutoCloseable> resources = new ArrayList<>();
  private final RocksDB db;
  private final ColumnFamilyHandle inodes;
  private final ColumnFamilyHandle edges;
  private final ColumnFamilyHandle meta;
  private final WriteOptions writeOptions;
  private volatile long appliedTerm;
  private volatile long appliedIndex;
  private final long nextInodeIdAtOpen;

  public RocksInodeStore(StoreConfig config) {
    this(config, false);
  }

  /**
   * Opens (creating if missing, unless {@code readOnly}) the metastore at {@code
   * config.directory()}. Read-only opens are for inspecting checkpoints (backups) in place.
   */
  public RocksInodeStore(StoreConfig config, boolean readOnly) {
    this.config = config;
    try {
      Files.createDirectories(config.directory());
      Cache blockCache = track(new LRUCache(config.blockCacheBytes()));
      BloomFilter bloom = track(new BloomFilter(10));
      DBOptions dbOptions =
          track(
              new DBOptions()
                  .setCreateIfMissing(true)
                  .setCreateMissingColumnFamilies(true)
                  // One flush covers every column family, so a crash never leaves data without
                  // the applied index written in the same batch (needed once the WAL is off).
                  .setAtomicFlush(true)
                  .setMaxBackgroundJobs(2)
                  .setBytesPerSync(1 << 20));
      ColumnFamilyOptions inodeOptions = track(columnFamilyOptions(blockCache, bloom));
      ColumnFamilyOptions edgeOptions =
          track(columnFamilyOptions(blockCache, bloom).useFixedLengthPrefixExtractor(8));
      ColumnFamilyOptions metaOptions = track(new ColumnFamilyOptions());
      List<ColumnFamilyDescriptor> descriptors =
          List.of(
              new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, metaOptions),
              new ColumnFamilyDescriptor(CF_INODES, inodeOptions),
              new ColumnFamilyDescriptor(CF_EDGES, edgeOptions),
              new ColumnFamilyDescriptor(CF_META, metaOptions));
      List<ColumnFamilyHandle> handles = new ArrayList<>();
      db =
          readOnly
              ? RocksDB.openReadOnly(dbOptions, config.directory().toString(), descriptors, handles)
              : RocksDB.open(dbOptions, config.directory().toString(), descriptors, handles);
      // Handles close before the DB, the DB before its options (close runs in reverse order).
      resources.add(db);
      handles.forEach(resources::add);
      inodes = handles.get(1);
      edges = handles.get(2);
      meta = handles.get(3);
      writeOptions = track(new WriteOptions().setDisableWAL(!config.writeAheadLog()));
      checkLayout(readOnly);
      appliedTerm = readMetaLong(META_APPLIED_TERM, 0);
      appliedIndex = readMetaLong(META_APPLIED_INDEX, 0);
      nextInodeIdAtOpen = Math.max(readMetaLong(META_NEXT_INODE_ID, 1), highestInodeId() + 1);
    } catch (RocksDBException | IOException e) {
      close();
      throw new StoreException("cannot open metastore at " + config.directory() + ": " + e, e);
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  private static ColumnFamilyOptions columnFamilyOptions(Cache blockCache, BloomFilter bloom) {
    BlockBasedTableConfig table =
        new BlockBasedTableConfig()
            .setBlockCache(blockCache)
            .setFilterPolicy(bloom)
            .setWholeKeyFiltering(true)
            // Index and filter blocks live in the bounded block cache, so memory does not grow
            // with the number of SST files (i.e. with the number of inodes).
            .setCacheIndexAndFilterBlocks(true)
            .setPinL0FilterAndIndexBlocksInCache(true)
            .setFormatVersion(5);
    return new ColumnFamilyOptions()
        .setTableFormatConfig(table)
        .setCompressionType(CompressionType.LZ4_COMPRESSION)
        .setBottommostCompressionType(CompressionType.ZSTD_COMPRESSION)
        .setMemtablePrefixBloomSizeRatio(0.05)
        .setMemtableWholeKeyFiltering(true)
        .setLevelCompactionDynamicLevelBytes(true);
  }

  private <T extends AutoCloseable> T track(T resource) {
    resources.add(resource);
    return resource;
  }

  private void checkLayout(boolean readOnly) throws RocksDBException {
    byte[] stored = db.get(meta, META_LAYOUT_VERSION);
    if (stored == null && readOnly) {
      throw new StoreException("no metastore at " + config.directory() + " (no layout version)");
    }
    if (stored == null) {
      db.put(meta, writeOptions, META_LAYOUT_VERSION, StoreKeys.longBytes(LAYOUT_VERSION));
      return;
    }
    long version = StoreKeys.getLong(stored, 0);
    if (version != LAYOUT_VERSION) {
      throw new StoreException(
          "metastore at "
              + config.directory()
              + " has layout version "
              + version
              + ", this master reads version "
              + LAYOUT_VERSION
              + "; refusing to open it");
    }
  }

  private long readMetaLong(byte[] key, long absent) throws RocksDBException {
    byte[] value = db.get(meta, key);
    return value == null ? absent : StoreKeys.getLong(value, 0);
  }

  private long highestInodeId() {
    try (RocksIterator it = db.newIterator(inodes)) {
      it.seekToLast();
      return it.isValid() ? StoreKeys.getLong(it.key(), 0) : 0;
    }
  }

  @Override
  public Inode getInode(long id) {
    try {
      byte[] value = db.get(inodes, StoreKeys.inodeKey(id));
      return value == null ? null : parseInode(id, value);
    } catch (RocksDBException e) {
      throw new StoreException("cannot read inode " + id, e);
    }
  }

  @Override
  public Inode peekInode(long id) {
    return getInode(id); // nothing is cached at this layer
  }

  @Override
  public long getChildId(long parentId, String name) {
    try {
      byte[] value = db.get(edges, StoreKeys.edgeKey(parentId, name));
      return value == null ? NO_INODE : StoreKeys.getLong(value, 0);
    } catch (RocksDBException e) {
      throw new StoreException("cannot read edge " + parentId + "/" + name, e);
    }
  }

  @Override
  public List<Edge> listChildren(long parentId, String startAfter, int limit) {
    List<Edge> children = new ArrayList<>(Math.min(limit, 1024));
    byte[] start = StoreKeys.edgeKey(parentId, startAfter);
    try (Slice upperBound = new Slice(StoreKeys.longBytes(parentId + 1));
        ReadOptions options = new ReadOptions().setIterateUpperBound(upperBound);
        RocksIterator it = db.newIterator(edges, options)) {
      it.seek(start);
      if (!startAfter.isEmpty() && it.isValid() && Arrays.equals(it.key(), start)) {
        it.next();
      }
      for (; it.isValid() && children.size() < limit; it.next()) {
        byte[] key = it.key();
        children.add(new Edge(parentId, StoreKeys.edgeName(key), StoreKeys.getLong(it.value(), 0)));
      }
      it.status();
    } catch (RocksDBException e) {
      throw new StoreException("cannot list children of " + parentId, e);
    }
    return children;
  }

  @Override
  public void commit(StoreBatch batch) {
    try (WriteBatch writeBatch = new WriteBatch()) {
      for (StoreBatch.Change change : batch.changes()) {
        if (change instanceof StoreBatch.PutInode put) {
          writeBatch.put(
              inodes, StoreKeys.inodeKey(put.inode().getId()), put.inode().toByteArray());
        } else if (change instanceof StoreBatch.RemoveInode remove) {
          writeBatch.delete(inodes, StoreKeys.inodeKey(remove.id()));
        } else if (change instanceof StoreBatch.PutEdge put) {
          writeBatch.put(
              edges,
              StoreKeys.edgeKey(put.parentId(), put.name()),
              StoreKeys.longBytes(put.childId()));
        } else if (change instanceof StoreBatch.RemoveEdge remove) {
          writeBatch.delete(edges, StoreKeys.edgeKey(remove.parentId(), remove.name()));
        }
      }
      writeBatch.put(meta, META_APPLIED_TERM, StoreKeys.longBytes(batch.appliedTerm()));
      writeBatch.put(meta, META_APPLIED_INDEX, StoreKeys.longBytes(batch.appliedIndex()));
      writeBatch.put(meta, META_NEXT_INODE_ID, StoreKeys.longBytes(batch.nextInodeId()));
      db.write(writeOptions, writeBatch);
      appliedTerm = batch.appliedTerm();
      appliedIndex = batch.appliedIndex();
    } catch (RocksDBException e) {
      throw new StoreException("cannot commit batch at index " + batch.appliedIndex(), e);
    }
  }

  @Override
  public long appliedIndex() {
    return appliedIndex;
  }

  @Override
  public long appliedTerm() {
    return appliedTerm;
  }

  @Override
  public long nextInodeId() {
    return nextInodeIdAtOpen;
  }

  @Override
  public void scanInodes(Consumer<Inode> visitor) {
    try (RocksIterator it = db.newIterator(inodes)) {
      for (it.seekToFirst(); it.isValid(); it.next()) {
        visitor.accept(parseInode(StoreKeys.getLong(it.key(), 0), it.value()));
      }
      it.status();
    } catch (RocksDBException e) {
      throw new StoreException("cannot scan inodes", e);
    }
  }

  @Override
  public void scanEdges(Consumer<Edge> visitor) {
    try (ReadOptions options = new ReadOptions().setTotalOrderSeek(true);
        RocksIterator it = db.newIterator(edges, options)) {
      for (it.seekToFirst(); it.isValid(); it.next()) {
        byte[] key = it.key();
        visitor.accept(
            new Edge(
                StoreKeys.edgeParent(key),
                StoreKeys.edgeName(key),
                StoreKeys.getLong(it.value(), 0)));
      }
      it.status();
    } catch (RocksDBException e) {
      throw new StoreException("cannot scan edges", e);
    }
  }

  /** The id of the cluster this metastore belongs to, or "" if it was never claimed. */
  public String clusterId() {
    try {
      byte[] value = db.get(meta, META_CLUSTER_ID);
      return value == null ? "" : new String(value, StandardCharsets.UTF_8);
    } catch (RocksDBException e) {
      throw new StoreException("cannot read cluster id", e);
    }
  }

  /**
   * Binds a new metastore to {@code clusterId}, or checks that an existing one belongs to it: a
   * member must never serve another cluster's data.
   */
  public void claimClusterId(String clusterId) {
    String stored = clusterId();
    if (stored.isEmpty()) {
      try {
        db.put(meta, writeOptions, META_CLUSTER_ID, clusterId.getBytes(StandardCharsets.UTF_8));
        flush();
      } catch (RocksDBException e) {
        throw new StoreException("cannot write cluster id", e);
      }
    } else if (!stored.equals(clusterId)) {
      throw new UnusableStoreException(
          "metastore at "
              + config.directory()
              + " belongs to cluster "
              + stored
              + ", not to "
              + clusterId
              + "; refusing to serve another cluster's data");
    }
  }

  /**
   * Forgets the applied journal position (keeping the data): a store restored from a backup starts
   * a new journal at index 0.
   */
  public void resetAppliedPosition(String newClusterId) {
    try (WriteBatch batch = new WriteBatch()) {
      batch.put(meta, META_APPLIED_TERM, StoreKeys.longBytes(0));
      batch.put(meta, META_APPLIED_INDEX, StoreKeys.longBytes(0));
      batch.put(meta, META_CLUSTER_ID, newClusterId.getBytes(StandardCharsets.UTF_8));
      db.write(writeOptions, batch);
      flush();
      appliedTerm = 0;
      appliedIndex = 0;
    } catch (RocksDBException e) {
      throw new StoreException("cannot reset applied position", e);
    }
  }

  /**
   * Writes a consistent copy of the store to {@code target} (which must not exist): memtables are
   * flushed first, then SST files are hard-linked, so this is cheap and does not block writers for
   * longer than the flush.
   */
  public void checkpoint(Path target) {
    flush();
    try (Checkpoint checkpoint = Checkpoint.create(db)) {
      checkpoint.createCheckpoint(target.toString());
    } catch (RocksDBException e) {
      throw new StoreException("cannot create checkpoint at " + target, e);
    }
  }

  /**
   * Starts flushing the memtables of all column families (atomically) and returns at once: writes
   * go on into fresh memtables, and a {@link #flush()} soon after has little left to write.
   */
  public void flushInBackground() {
    try (FlushOptions options = new FlushOptions().setWaitForFlush(false)) {
      db.flush(options, List.of(inodes, edges, meta));
    } catch (RocksDBException e) {
      throw new StoreException("cannot flush metastore", e);
    }
  }

  /** Flushes memtables of all column families to SST files (atomically). */
  public void flush() {
    try (FlushOptions options = new FlushOptions().setWaitForFlush(true)) {
      db.flush(options, List.of(inodes, edges, meta));
    } catch (RocksDBException e) {
      throw new StoreException("cannot flush metastore", e);
    }
  }

  /** Compacts everything to the bottom level: for measuring steady-state size on disk. */
  public void compact() {
    try {
      db.compactRange(inodes);
      db.compactRange(edges);
    } catch (RocksDBException e) {
      throw new StoreException("cannot compact metastore", e);
    }
  }

  /** A RocksDB property summed over the data column families, e.g. "rocksdb.estimate-num-keys". */
  /** RocksDB's estimate of the number of inodes (cheap; exact after a compaction). */
  public long estimatedInodeCount() {
    try {
      return db.getLongProperty(inodes, "rocksdb.estimate-num-keys");
    } catch (RocksDBException e) {
      throw new StoreException("cannot estimate the inode count", e);
    }
  }

  public long longProperty(String property) {
    try {
      return db.getLongProperty(inodes, property) + db.getLongProperty(edges, property);
    } catch (RocksDBException e) {
      throw new StoreException("cannot read property " + property, e);
    }
  }

  private Inode parseInode(long id, byte[] value) {
    try {
      return Inode.parseFrom(value);
    } catch (InvalidProtocolBufferException e) {
      throw new UnusableStoreException("inode " + id + " is corrupt in " + config.directory(), e);
    }
  }

  @Override
  public void close() {
    for (int i = resources.size() - 1; i >= 0; i--) {
      try {
        resources.get(i).close();
      } catch (Exception e) {
        // Closing native handles does not fail in practice; keep closing the rest.
      }
    }
    resources.clear();
  }
}

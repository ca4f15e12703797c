package dev.metacluster.master.journal;

import com.google.protobuf.TextFormat;
import dev.metacluster.master.proto.ManifestFile;
import dev.metacluster.master.proto.SnapshotManifest;
import dev.metacluster.master.store.Metastore;
import dev.metacluster.master.store.RocksInodeStore;
import dev.metacluster.master.store.StoreException;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.ratis.io.MD5Hash;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.SnapshotRetentionPolicy;
import org.apache.ratis.statemachine.StateMachineStorage;
import org.apache.ratis.statemachine.impl.FileListSnapshotInfo;
import org.apache.ratis.util.MD5FileUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Raft snapshots as RocksDB checkpoints: {@code snapshots/snapshot.TERM_INDEX/} on the metastore
 * volume, each with a {@value #MANIFEST} naming its term, index and files. Ratis sends every file
 * of the latest snapshot to a follower that needs it, with an MD5 per file that the follower checks
 * on arrival; on reload this class checks the manifest against the files it got.
 */
final class SnapshotStore implements StateMachineStorage {
  static final String MANIFEST = "snapshot.manifest";
  private static final Logger LOG = LoggerFactory.getLogger(SnapshotStore.class);
  private static final Pattern NAME = Pattern.compile("snapshot\\.(\\d+)_(\\d+)");
  private static final int KEEP = 2;

  private final Metastore metastore;
  // SST files never change, so their digests are computed once: key is path, size and mtime.
  private final Map<String, MD5Hash> digests = new ConcurrentHashMap<>();
  private volatile FileListSnapshotInfo latest;
  // Name of the newest snapshot directory when this store last looked (reload) or wrote (take).
  private String newestSeen;
  // Snapshot directory name -> how many followers it is being sent to right now.
  private final Map<String, Integer> sending = new ConcurrentHashMap<>();

  SnapshotStore(Metastore metastore) {
    this.metastore = metastore;
  }

  @Override
  public void init(RaftStorage raftStorage) throws IOException {
    reload();
  }

  /** Re-reads the snapshot directory (after start or after a snapshot was installed). */
  synchronized void reload() throws IOException {
    Files.createDirectories(metastore.snapshotDir());
    // Left by downloads that never finished (Ratis only deletes them when the JVM exits). None is
    // under way now: at start, and after a download completed, the next one waits for this load.
    try {
      Metastore.deleteRecursively(metastore.snapshotTmpDir());
    } catch (UncheckedIOException e) {
      LOG.warn("cannot remove unfinished snapshot downloads: {}", e.getMessage());
    }
    latest = null;
    List<Path> dirs = snapshotDirsNewestFirst();
    newestSeen = newestName(dirs);
    for (Path dir : dirs) {
      try {
        latest = load(dir);
        return;
      } catch (IOException | StoreException e) {
        LOG.warn("ignoring unusable snapshot {}: {}", dir, e.getMessage());
      }
    }
  }

  /**
   * Whether the newest snapshot directory is one this store has not read yet: Ratis swapped in a
   * snapshot from the leader and {@link #reload} has not run since.
   */
  synchronized boolean hasUnloadedSnapshot() throws IOException {
    return !Objects.equals(newestName(snapshotDirsNewestFirst()), newestSeen);
  }

  private static String newestName(List<Path> dirsNewestFirst) {
    return dirsNewestFirst.isEmpty() ? null : dirsNewestFirst.get(0).getFileName().toString();
  }

  @Override
  public FileListSnapshotInfo getLatestSnapshot() {
    return latest;
  }

  /** The directory of the latest snapshot, or null. */
  Path latestDir() {
    FileListSnapshotInfo info = latest;
    return info == null ? null : dirOf(info.getTermIndex());
  }

  @Override
  public void format() {}

  /**
   * Keeps the {@value #KEEP} newest snapshots and any snapshot being sent to a follower: Ratis
   * reads the files of a snapshot while it sends them, and a leader under load can take two newer
   * snapshots before a large one has reached the follower (which then had to start over, with the
   * same outcome next time).
   */
  @Override
  public void cleanupOldSnapshots(SnapshotRetentionPolicy policy) throws IOException {
    List<Path> dirs = snapshotDirsNewestFirst();
    for (int i = KEEP; i < dirs.size(); i++) {
      if (!sending.containsKey(dirs.get(i).getFileName().toString())) {
        Metastore.deleteRecursively(dirs.get(i));
      }
    }
  }

  /** A log appender starts sending the snapshot at {@code at} to a follower. */
  void sendingStarted(TermIndex at) {
    sending.merge(dirOf(at).getFileName().toString(), 1, Integer::sum);
  }

  /** A log appender is done sending the snapshot at {@code at}, whatever the outcome. */
  void sendingEnded(TermIndex at) {
    sending.computeIfPresent(dirOf(at).getFileName().toString(), (k, n) -> n > 1 ? n - 1 : null);
  }

  @Override
  public File getSnapshotDir() {
    return metastore.snapshotDir().toFile();
  }

  @Override
  public File getTmpDir() {
    return metastore.snapshotTmpDir().toFile();
  }

  /**
   * Checkpoints the metastore as the snapshot at {@code at}. The caller guarantees the store is at
   * exactly that position (the state machine's apply thread, with the position recorded).
   */
  FileListSnapshotInfo take(TermIndex at, RocksInodeStore rocks) throws IOException {
    Path dir = dirOf(at);
    if (Files.exists(dir.resolve(MANIFEST))) {
      return latest;
    }
    Path creating =
        metastore.snapshotDir().resolve(".creating." + at.getTerm() + "_" + at.getIndex());
    Metastore.deleteRecursively(creating);
    Files.createDirectories(creating.getParent());
    rocks.checkpoint(creating);
    SnapshotManifest.Builder manifest =
        SnapshotManifest.newBuilder()
            .setTerm(at.getTerm())
            .setIndex(at.getIndex())
            .setLayoutVersion(RocksInodeStore.LAYOUT_VERSION)
            .setCreatedTimeMs(System.currentTimeMillis());
    for (Path file : regularFiles(creating)) {
      manifest.addFiles(
          ManifestFile.newBuilder()
              .setName(file.getFileName().toString())
              .setSize(Files.size(file)));
    }
    Files.writeString(
        creating.resolve(MANIFEST), TextFormat.printer().printToString(manifest.build()));
    synchronized (this) {
      Files.move(creating, dir, StandardCopyOption.ATOMIC_MOVE);
      newestSeen = dir.getFileName().toString();
      latest = load(dir);
      cleanupOldSnapshots(null);
      return latest;
    }
  }

  private FileListSnapshotInfo load(Path dir) throws IOException {
    Matcher m = NAME.matcher(dir.getFileName().toString());
    if (!m.matches()) {
      throw new IOException("not a snapshot directory: " + dir);
    }
    SnapshotManifest manifest = readManifest(dir);
    TermIndex at = TermIndex.valueOf(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)));
    if (manifest.getTerm() != at.getTerm() || manifest.getIndex() != at.getIndex()) {
      throw new IOException(
          "manifest of " + dir + " says " + manifest.getTerm() + "_" + manifest.getIndex());
    }
    for (ManifestFile f : manifest.getFilesList()) {
      Path file = dir.resolve(f.getName());
      if (!Files.isRegularFile(file) || Files.size(file) != f.getSize()) {
        throw new IOException(
            "snapshot " + dir + " file " + f.getName() + " is missing or has the wrong size");
      }
    }
    List<FileInfo> files = new ArrayList<>();
    for (Path file : regularFiles(dir)) {
      files.add(new FileInfo(file, digest(file)));
    }
    return new FileListSnapshotInfo(files, at);
  }

  static SnapshotManifest readManifest(Path dir) throws IOException {
    Path file = dir.resolve(MANIFEST);
    if (!Files.isRegularFile(file)) {
      throw new IOException("no " + MANIFEST + " in " + dir);
    }
    SnapshotManifest.Builder manifest = SnapshotManifest.newBuilder();
    TextFormat.getParser().merge(Files.readString(file, StandardCharsets.UTF_8), manifest);
    return manifest.build();
  }

  private MD5Hash digest(Path file) throws IOException {
    String key = file + ":" + Files.size(file) + ":" + Files.getLastModifiedTime(file).toMillis();
    MD5Hash cached = digests.get(key);
    if (cached == null) {
      cached = MD5FileUtil.computeMd5ForFile(file.toFile());
      digests.put(key, cached);
    }
    return cached;
  }

  private Path dirOf(TermIndex at) {
    return metastore.snapshotDir().resolve("snapshot." + at.getTerm() + "_" + at.getIndex());
  }

  private List<Path> snapshotDirsNewestFirst() throws IOException {
    Path root = metastore.snapshotDir();
    if (!Files.isDirectory(root)) {
      return List.of();
    }
    try (Stream<Path> dirs = Files.list(root)) {
      return dirs.filter(d -> NAME.matcher(d.getFileName().toString()).matches())
          .sorted(Comparator.comparingLong(SnapshotStore::indexOf).reversed())
          .toList();
    }
  }

  private static long indexOf(Path dir) {
    Matcher m = NAME.matcher(dir.getFileName().toString());
    return m.matches() ? Long.parseLong(m.group(2)) : -1;
  }

  private static List<Path> regularFiles(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(Files::isRegularFile).sorted().toList();
    }
  }
}

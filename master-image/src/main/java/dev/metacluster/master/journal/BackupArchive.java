package dev.metacluster.master.journal;

import com.google.protobuf.TextFormat;
import dev.metacluster.master.namespace.NamespaceTree;
import dev.metacluster.master.proto.ManifestFile;
import dev.metacluster.master.proto.SnapshotManifest;
import dev.metacluster.master.store.Metastore;
import dev.metacluster.master.store.RocksInodeStore;
import dev.metacluster.master.store.StoreConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * A backup: one zip archive holding {@value #MANIFEST} (cluster id, term, index, inode count,
 * namespace checksum, and a SHA-256 per file) followed by the files of a RocksDB checkpoint under
 * {@code db/}. Files are stored, not deflated (SST blocks are already compressed).
 */
public final class BackupArchive {
  static final String MANIFEST = "MANIFEST.metacluster";
  private static final String DB_PREFIX = "db/";
  private static final int BUFFER = 1 << 16;

  /** What a metastore directory may hold and still count as empty for a restore. */
  private static final Set<String> NOT_DATA = Set.of("lost+found", "db.restoring");

  private BackupArchive() {}

  /** Checkpoints the state machine's store and writes the archive to {@code out}. */
  public static SnapshotManifest write(
      JournalStateMachine stateMachine, String clusterId, OutputStream out) throws IOException {
    Path work = stateMachine.metastore().root().resolve("backups.tmp");
    Path checkpoint = work.resolve("backup-" + System.nanoTime());
    Files.createDirectories(work);
    try {
      stateMachine.checkpointTo(checkpoint);
      SnapshotManifest.Builder manifest = describe(checkpoint).setClusterId(clusterId);
      Map<String, Long> crcs = new HashMap<>();
      for (Path file : files(checkpoint)) {
        String[] digests = digest(file);
        manifest.addFiles(
            ManifestFile.newBuilder()
                .setName(file.getFileName().toString())
                .setSize(Files.size(file))
                .setSha256(digests[0]));
        crcs.put(file.getFileName().toString(), Long.parseLong(digests[1]));
      }
      SnapshotManifest result = manifest.setCreatedTimeMs(System.currentTimeMillis()).build();
      ZipOutputStream zip = new ZipOutputStream(out);
      byte[] manifestBytes =
          TextFormat.printer().printToString(result).getBytes(StandardCharsets.UTF_8);
      zip.putNextEntry(stored(MANIFEST, manifestBytes.length, crc(manifestBytes)));
      zip.write(manifestBytes);
      zip.closeEntry();
      for (ManifestFile f : result.getFilesList()) {
        zip.putNextEntry(stored(DB_PREFIX + f.getName(), f.getSize(), crcs.get(f.getName())));
        Files.copy(checkpoint.resolve(f.getName()), zip);
        zip.closeEntry();
      }
      zip.finish();
      zip.flush();
      return result;
    } finally {
      Metastore.deleteRecursively(checkpoint);
    }
  }

  /** Reads term, index, inode count and checksum out of a checkpoint, opening it read-only. */
  private static SnapshotManifest.Builder describe(Path checkpoint) {
    try (RocksInodeStore store = new RocksInodeStore(StoreConfig.defaults(checkpoint), true)) {
      long[] inodes = {0};
      store.scanInodes(i -> inodes[0]++);
      return SnapshotManifest.newBuilder()
          .setTerm(store.appliedTerm())
          .setIndex(store.appliedIndex())
          .setInodeCount(inodes[0])
          .setNamespaceChecksum(NamespaceTree.checksum(store))
          .setLayoutVersion(RocksInodeStore.LAYOUT_VERSION);
    }
  }

  /**
   * Restores the archive file {@code archive} into the empty (or missing) metastore directory of a
   * member of the new cluster named {@code clusterName}, after checking the arguments.
   *
   * @throws IllegalArgumentException for a bad name, a missing archive or a directory that holds
   *     anything but {@code lost+found}, a crashed restore's leftovers and the archive itself
   *     (nothing is written then)
   */
  public static SnapshotManifest restoreForCluster(
      Path archive, Path metastoreDir, String clusterName) throws IOException {
    Addresses.checkId("cluster name", clusterName);
    if (!Files.isRegularFile(archive)) {
      throw new IllegalArgumentException("archive " + archive + ": no such file");
    }
    if (Files.exists(metastoreDir)) {
      // A fresh volume may hold lost+found, a crashed restore its db.restoring (cleared below),
      // and the archive may have been downloaded into the volume itself.
      Path archiveFile = archive.toAbsolutePath().normalize();
      try (Stream<Path> entries = Files.list(metastoreDir)) {
        if (entries.anyMatch(
            e ->
                !NOT_DATA.contains(e.getFileName().toString())
                    && !e.toAbsolutePath().normalize().equals(archiveFile))) {
          throw new IllegalArgumentException(
              "metastore directory "
                  + metastoreDir
                  + " is not empty; restore needs a fresh volume");
        }
      }
    }
    // The cluster id a member checks at start: the Raft group id derived from the cluster name.
    String clusterId = JournalConfig.groupUuid(clusterName).toString();
    try (InputStream in = Files.newInputStream(archive)) {
      return restore(in, metastoreDir, clusterId);
    }
  }

  /** One line for a person: what {@link #restoreForCluster} restored, from what, for whom. */
  public static String restoreSummary(
      String archive, Path metastoreDir, String clusterName, SnapshotManifest manifest) {
    return String.format(
        "restored %s into %s for cluster %s: %d inodes, checksum %s (backup of cluster %s at"
            + " index %d)",
        archive,
        metastoreDir,
        clusterName,
        manifest.getInodeCount(),
        manifest.getNamespaceChecksum(),
        manifest.getClusterId(),
        manifest.getIndex());
  }

  /**
   * Restores an archive into the empty metastore volume {@code metastoreRoot} of a member of the
   * new cluster {@code clusterId}: every file is checked against its SHA-256, the namespace against
   * the manifest's checksum, and the journal position is reset so the new cluster's log starts at
   * 1. Restore every member of the new cluster from the same archive before starting them.
   */
  public static SnapshotManifest restore(InputStream in, Path metastoreRoot, String clusterId)
      throws IOException {
    Path live = metastoreRoot.resolve("db");
    if (Files.exists(live)) {
      throw new IOException("refusing to restore over existing data in " + live);
    }
    Path incoming = metastoreRoot.resolve("db.restoring");
    Metastore.deleteRecursively(incoming);
    Files.createDirectories(incoming);
    try {
      ZipInputStream zip = new ZipInputStream(in);
      ZipEntry first = zip.getNextEntry();
      if (first == null || !first.getName().equals(MANIFEST)) {
        throw new IOException("not a metacluster backup: the archive must start with " + MANIFEST);
      }
      SnapshotManifest.Builder parsed = SnapshotManifest.newBuilder();
      TextFormat.getParser().merge(new String(zip.readAllBytes(), StandardCharsets.UTF_8), parsed);
      SnapshotManifest manifest = parsed.build();
      if (manifest.getLayoutVersion() != RocksInodeStore.LAYOUT_VERSION) {
        throw new IOException(
            "backup has layout version "
                + manifest.getLayoutVersion()
                + ", this master reads "
                + RocksInodeStore.LAYOUT_VERSION);
      }
      Map<String, ManifestFile> expected = new HashMap<>();
      manifest.getFilesList().forEach(f -> expected.put(f.getName(), f));
      for (ZipEntry entry = zip.getNextEntry(); entry != null; entry = zip.getNextEntry()) {
        String name = entry.getName();
        if (!name.startsWith(DB_PREFIX) || name.indexOf('/', DB_PREFIX.length()) >= 0) {
          throw new IOException("unexpected archive entry " + name);
        }
        ManifestFile file = expected.remove(name.substring(DB_PREFIX.length()));
        if (file == null) {
          throw new IOException("archive entry " + name + " is not in the manifest");
        }
        Path target = incoming.resolve(file.getName());
        Files.copy(zip, target);
        String[] digests = digest(target);
        if (Files.size(target) != file.getSize() || !digests[0].equals(file.getSha256())) {
          throw new IOException(
              "backup file " + file.getName() + " is corrupt (checksum mismatch)");
        }
      }
      if (!expected.isEmpty()) {
        throw new IOException("backup is incomplete: missing " + expected.keySet());
      }
      try (RocksInodeStore store = new RocksInodeStore(StoreConfig.defaults(incoming))) {
        String checksum = NamespaceTree.checksum(store);
        if (!checksum.equals(manifest.getNamespaceChecksum())) {
          throw new IOException(
              "restored namespace checksum " + checksum + " differs from the manifest");
        }
        store.resetAppliedPosition(clusterId);
      }
      Files.move(incoming, live);
      return manifest;
    } finally {
      Metastore.deleteRecursively(incoming);
    }
  }

  private static ZipEntry stored(String name, long size, long crc) {
    ZipEntry entry = new ZipEntry(name);
    entry.setMethod(ZipEntry.STORED);
    entry.setSize(size);
    entry.setCompressedSize(size);
    entry.setCrc(crc);
    return entry;
  }

  private static long crc(byte[] bytes) {
    CRC32 crc = new CRC32();
    crc.update(bytes);
    return crc.getValue();
  }

  /** SHA-256 hex and CRC-32 of a file, in one pass. */
  private static String[] digest(Path file) throws IOException {
    MessageDigest sha;
    try {
      sha = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    CRC32 crc = new CRC32();
    byte[] buffer = new byte[BUFFER];
    try (InputStream in = Files.newInputStream(file)) {
      for (int n = in.read(buffer); n > 0; n = in.read(buffer)) {
        sha.update(buffer, 0, n);
        crc.update(buffer, 0, n);
      }
    }
    return new String[] {HexFormat.of().formatHex(sha.digest()), Long.toString(crc.getValue())};
  }

  private static List<Path> files(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(Files::isRegularFile).sorted().toList();
    }
  }
}

package dev.metacluster.master.backup;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Backups as files (a local disk, a mounted volume). A file is written to {@code NAME.partial},
 * synced, and moved into place on commit.
 */
final class FileBackupStore implements BackupStore {
  static final String PARTIAL = ".partial";

  @Override
  public Upload create(String key) throws IOException {
    Path target = Path.of(key);
    Path parent = target.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    Path partial = target.resolveSibling(target.getFileName() + PARTIAL);
    OutputStream out = Files.newOutputStream(partial);
    return new Upload() {
      private boolean done;

      @Override
      protected void append(byte[] b, int off, int len) throws IOException {
        out.write(b, off, len);
      }

      @Override
      public void commit() throws IOException {
        out.close();
        try (FileChannel channel = FileChannel.open(partial, StandardOpenOption.WRITE)) {
          channel.force(true); // on disk before it has its final name
        }
        Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING);
        done = true;
      }

      @Override
      public void abort() {
        if (done) {
          return;
        }
        done = true;
        try {
          out.close();
          Files.deleteIfExists(partial);
        } catch (IOException e) {
          // best effort: the error that got us here is the one to report
        }
      }
    };
  }

  @Override
  public boolean exists(String key) {
    return Files.exists(Path.of(key));
  }

  @Override
  public InputStream open(String key) throws IOException {
    return Files.newInputStream(Path.of(key));
  }

  @Override
  public List<Entry> list(String folder) throws IOException {
    Path dir = Path.of(folder);
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    List<Entry> entries = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path file : (Iterable<Path>) files::iterator) {
        BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
        if (a.isRegularFile()) {
          entries.add(new Entry(file.toString(), a.size(), a.lastModifiedTime().toInstant()));
        }
      }
    }
    return entries;
  }

  @Override
  public void delete(String key) throws IOException {
    Files.deleteIfExists(Path.of(key));
  }

  @Override
  public void close() {}
}

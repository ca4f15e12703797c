package dev.metacluster.master.server;

import dev.metacluster.master.journal.JournalServer;
import dev.metacluster.master.store.CachingInodeStore;
import dev.metacluster.master.store.InodeStore;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.ToDoubleFunction;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.statemachine.impl.FileListSnapshotInfo;

/**
 * The master's gauges: Raft position and role, snapshot age and size, RocksDB, the on-heap caches,
 * the inode count, and the JVM. A gauge reads its value when scraped; while a snapshot is being
 * swapped in, store gauges report NaN rather than fail the scrape.
 */
final class MasterMetrics {
  private MasterMetrics() {}

  static void bind(MeterRegistry registry, JournalServer journal) {
    new JvmMemoryMetrics().bindTo(registry);
    new JvmGcMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);

    gauge(
        registry,
        "metacluster.raft.term",
        "current Raft term",
        journal,
        j -> info(j).getCurrentTerm());
    gauge(
        registry,
        "metacluster.raft.leader",
        "1 on the leader, 0 elsewhere",
        journal,
        j -> j.isLeader() ? 1 : 0);
    gauge(
        registry,
        "metacluster.raft.commit.index",
        "highest log index known committed",
        journal,
        j -> j.division().getRaftLog().getLastCommittedIndex());
    gauge(
        registry,
        "metacluster.raft.applied.index",
        "highest log index applied to the namespace",
        journal,
        j -> info(j).getLastAppliedIndex());
    gauge(
        registry,
        "metacluster.snapshot.index",
        "log index of the latest snapshot (-1: none)",
        journal,
        j -> snapshot(j) == null ? -1 : snapshot(j).getIndex());
    gauge(
        registry,
        "metacluster.snapshot.age.seconds",
        "seconds since the latest snapshot was taken",
        journal,
        j -> {
          FileListSnapshotInfo s = snapshot(j);
          if (s == null || s.getFiles().isEmpty()) {
            return Double.NaN;
          }
          Path first = s.getFiles().get(0).getPath();
          return (System.currentTimeMillis() - Files.getLastModifiedTime(first).toMillis())
              / 1000.0;
        });
    gauge(
        registry,
        "metacluster.snapshot.size.bytes",
        "bytes of the latest snapshot",
        journal,
        j -> {
          FileListSnapshotInfo s = snapshot(j);
          return s == null ? 0 : s.getFiles().stream().mapToLong(FileInfo::getFileSize).sum();
        });
    gauge(
        registry,
        "metacluster.inodes",
        "inodes in the namespace (RocksDB estimate)",
        journal,
        j -> j.stateMachine().metastore().rocks().estimatedInodeCount());
    for (String property :
        new String[] {
          "rocksdb.total-sst-files-size",
          "rocksdb.cur-size-all-mem-tables",
          "rocksdb.block-cache-usage",
          "rocksdb.num-running-compactions",
          "rocksdb.estimate-pending-compaction-bytes"
        }) {
      gauge(
          registry,
          "metacluster." + property.replace('-', '.'),
          "RocksDB property " + property + " (inodes + edges)",
          journal,
          j -> j.stateMachine().metastore().rocks().longProperty(property));
    }
    gauge(
        registry,
        "metacluster.cache.inodes.hit.ratio",
        "on-heap inode cache hit ratio since start",
        journal,
        j -> cache(j).inodeCacheStats().hitRate());
    gauge(
        registry,
        "metacluster.cache.edges.hit.ratio",
        "on-heap directory-entry cache hit ratio since start",
        journal,
        j -> cache(j).edgeCacheStats().hitRate());
    gauge(
        registry,
        "metacluster.cache.entries",
        "entries in the on-heap caches",
        journal,
        j -> cache(j).cachedEntries());
  }

  /** A gauge whose reading may fail (store being swapped, server closing): NaN then. */
  private interface Reading {
    double read(JournalServer journal) throws Exception;
  }

  private static void gauge(
      MeterRegistry registry, String name, String help, JournalServer journal, Reading reading) {
    ToDoubleFunction<JournalServer> safe =
        j -> {
          try {
            return reading.read(j);
          } catch (Exception e) {
            return Double.NaN;
          }
        };
    Gauge.builder(name, journal, safe).description(help).register(registry);
  }

  private static org.apache.ratis.server.DivisionInfo info(JournalServer j) throws Exception {
    return j.division().getInfo();
  }

  private static FileListSnapshotInfo snapshot(JournalServer j) {
    return (FileListSnapshotInfo) j.stateMachine().getLatestSnapshot();
  }

  private static CachingInodeStore cache(JournalServer j) {
    InodeStore store = j.stateMachine().metastore().store();
    if (store instanceof CachingInodeStore c) {
      return c;
    }
    throw new IllegalStateException("no cache");
  }
}

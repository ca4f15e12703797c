package dev.metacluster.master.namespace;

import dev.metacluster.master.store.CachingInodeStore;
import dev.metacluster.master.store.InodeStore;
import dev.metacluster.master.store.RocksInodeStore;
import dev.metacluster.master.store.StoreConfig;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

/** Opens a real namespace (RocksDB in a directory, small caches) for tests. */
final class NamespaceTestSupport {
  static final Clock FIXED_CLOCK =
      Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);

  private NamespaceTestSupport() {}

  static InodeStore openStore(Path dir, long cacheEntries) {
    StoreConfig config = StoreConfig.defaults(dir).withCacheEntries(cacheEntries);
    return new CachingInodeStore(new RocksInodeStore(config), cacheEntries, cacheEntries);
  }

  static LocalNamespace open(Path dir) {
    return new LocalNamespace(openStore(dir, 1_000), FIXED_CLOCK);
  }
}

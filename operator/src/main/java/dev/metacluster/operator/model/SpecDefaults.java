package dev.metacluster.operator.model;

import dev.metacluster.operator.crd.MetadataClusterSpec;
import dev.metacluster.operator.crd.VolumeSpec;

/**
 * The effective value of every optional spec field. A resource read from the API may lack any
 * section (the schema has few defaults), so the model reads the spec only through here.
 */
public final class SpecDefaults {
  public static final String HEAP = "1g";
  public static final String METASTORE_SIZE = "10Gi";
  public static final String JOURNAL_SIZE = "5Gi";
  public static final long CACHE_INODES = 1_000_000L;
  public static final int ELECTION_TIMEOUT_MIN_MILLIS = 300;
  public static final int ELECTION_TIMEOUT_MAX_MILLIS = 600;
  public static final long TERMINATION_GRACE_SECONDS = 60L;

  private SpecDefaults() {}

  public static String heap(MetadataClusterSpec spec) {
    return spec.jvm == null || spec.jvm.heap == null ? HEAP : spec.jvm.heap;
  }

  public static long cacheInodes(MetadataClusterSpec spec) {
    return spec.cache == null || spec.cache.inodes == null ? CACHE_INODES : spec.cache.inodes;
  }

  public static int electionTimeoutMinMillis(MetadataClusterSpec spec) {
    return spec.raft == null || spec.raft.electionTimeoutMinMillis == null
        ? ELECTION_TIMEOUT_MIN_MILLIS
        : spec.raft.electionTimeoutMinMillis;
  }

  public static int electionTimeoutMaxMillis(MetadataClusterSpec spec) {
    return spec.raft == null || spec.raft.electionTimeoutMaxMillis == null
        ? ELECTION_TIMEOUT_MAX_MILLIS
        : spec.raft.electionTimeoutMaxMillis;
  }

  public static long terminationGraceSeconds(MetadataClusterSpec spec) {
    return spec.terminationGracePeriodSeconds == null
        ? TERMINATION_GRACE_SECONDS
        : spec.terminationGracePeriodSeconds;
  }

  public static VolumeSpec metastore(MetadataClusterSpec spec) {
    VolumeSpec v = spec.storage == null ? null : spec.storage.metastore;
    return withSize(v, METASTORE_SIZE);
  }

  public static VolumeSpec journal(MetadataClusterSpec spec) {
    VolumeSpec v = spec.storage == null ? null : spec.storage.journal;
    return withSize(v, JOURNAL_SIZE);
  }

  private static VolumeSpec withSize(VolumeSpec v, String defaultSize) {
    VolumeSpec out = new VolumeSpec(v == null || v.size == null ? defaultSize : v.size);
    out.storageClassName = v == null ? null : v.storageClassName;
    return out;
  }
}

package dev.metacluster.operator.model;

import dev.metacluster.operator.crd.MetadataCluster;
import dev.metacluster.operator.crd.MetadataClusterSpec;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.StringJoiner;
import java.util.TreeMap;

/**
 * The master's configuration contract as the operator writes it: the keys of {@code
 * master.properties}, the environment the pod sets, ports and paths. Every name the master reads is
 * here and nowhere else, so a rename in the master is a change to this one class.
 *
 * <p>The master reads a java-properties file ({@code master server --config FILE}); an environment
 * variable {@code METACLUSTER_<KEY>} (key upper-cased, dots to underscores) overrides a key. The
 * member id is such an override, from the pod name through the downward API.
 */
public final class MasterConfig {
  public static final String FILE_NAME = "master.properties";
  public static final String CONFIG_DIR = "/etc/metacluster";
  public static final String DATA_DIR = "/var/lib/metacluster";
  public static final String JOURNAL_DIR = DATA_DIR + "/journal";
  public static final String METASTORE_DIR = DATA_DIR + "/metastore";

  public static final String KEY_CLUSTER_NAME = "cluster.name";
  public static final String KEY_MEMBER_ID = "member.id";
  public static final String KEY_PEERS = "peers";

  /**
   * {@code true}: a member that starts with an empty journal stays outside the group and waits to
   * be added (AddMembers); a member with a journal ignores it and recovers the configuration from
   * its own log. Written once the group has formed, so that a new member (scale-up) or one whose
   * volumes are gone never bootstraps a group of its own.
   */
  public static final String KEY_JOIN = "join";

  public static final String KEY_RAFT_PORT = "raft.port";
  public static final String KEY_CLIENT_PORT = "client.port";
  public static final String KEY_HTTP_PORT = "http.port";
  public static final String KEY_JOURNAL_DIR = "journal.dir";
  public static final String KEY_METASTORE_DIR = "metastore.dir";
  public static final String KEY_CACHE_INODES = "cache.inodes";

  /** Milliseconds. */
  public static final String KEY_ELECTION_TIMEOUT_MIN = "raft.election.timeout.min";

  /** Milliseconds. */
  public static final String KEY_ELECTION_TIMEOUT_MAX = "raft.election.timeout.max";

  public static final String KEY_SNAPSHOT_THRESHOLD = "snapshot.threshold";
  public static final String KEY_LOG_PURGE_GAP = "log.purge.gap";

  public static final int RAFT_PORT = 9860;
  public static final int CLIENT_PORT = 9870;
  public static final int HTTP_PORT = 9880;
  public static final String READY_PATH = "/readyz";
  public static final String HEALTH_PATH = "/healthz";
  public static final String METRICS_PATH = "/metrics";

  /** The pod's own name, set by the downward API. */
  public static final String ENV_POD_NAME = "POD_NAME";

  public static final String ENV_JAVA_OPTS = "JAVA_OPTS";

  private MasterConfig() {}

  /** The environment variable that overrides {@code key}. */
  public static String envOverride(String key) {
    return "METACLUSTER_" + key.toUpperCase(java.util.Locale.ROOT).replace('.', '_');
  }

  /** The command line after the image's entrypoint. */
  public static java.util.List<String> args() {
    return java.util.List.of("server", "--config", CONFIG_DIR + "/" + FILE_NAME);
  }

  /**
   * The keys of master.properties for this cluster, sorted. {@code member.id} is absent: each pod
   * sets it from its own name.
   */
  public static Map<String, String> properties(MetadataCluster mdc) {
    return properties(mdc, mdc.getSpec().replicasOrDefault(), false);
  }

  /**
   * The keys for a cluster whose StatefulSet runs (or is about to run) {@code members} ordinals;
   * {@code join} once the group has formed.
   */
  public static Map<String, String> properties(MetadataCluster mdc, int members, boolean join) {
    Map<String, String> p = new TreeMap<>(podTemplateProperties(mdc));
    p.put(KEY_PEERS, peers(mdc, members));
    if (join) {
      p.put(KEY_JOIN, "true");
    }
    return p;
  }

  /**
   * The keys whose change must restart the masters (their hash is on the pod template): all but
   * {@code peers} and {@code join}, which follow the membership and matter only to a member when it
   * starts (a running member keeps the group configuration from its log).
   */
  public static Map<String, String> podTemplateProperties(MetadataCluster mdc) {
    MetadataClusterSpec spec = mdc.getSpec();
    Map<String, String> p = new TreeMap<>();
    p.put(KEY_CLUSTER_NAME, mdc.getMetadata().getName());
    p.put(KEY_RAFT_PORT, Integer.toString(RAFT_PORT));
    p.put(KEY_CLIENT_PORT, Integer.toString(CLIENT_PORT));
    p.put(KEY_HTTP_PORT, Integer.toString(HTTP_PORT));
    p.put(KEY_JOURNAL_DIR, JOURNAL_DIR);
    p.put(KEY_METASTORE_DIR, METASTORE_DIR);
    p.put(KEY_CACHE_INODES, Long.toString(SpecDefaults.cacheInodes(spec)));
    p.put(KEY_ELECTION_TIMEOUT_MIN, Integer.toString(SpecDefaults.electionTimeoutMinMillis(spec)));
    p.put(KEY_ELECTION_TIMEOUT_MAX, Integer.toString(SpecDefaults.electionTimeoutMaxMillis(spec)));
    // unset: the masters' own defaults (docs/CONFIGURATION.md)
    if (spec.raft != null && spec.raft.snapshotThreshold != null) {
      p.put(KEY_SNAPSHOT_THRESHOLD, Long.toString(spec.raft.snapshotThreshold));
    }
    if (spec.raft != null && spec.raft.logPurgeGap != null) {
      p.put(KEY_LOG_PURGE_GAP, Integer.toString(spec.raft.logPurgeGap));
    }
    return p;
  }

  /** {@code id=host:raftPort:clientPort} for every member, comma-separated, by ordinal. */
  public static String peers(MetadataCluster mdc) {
    return peers(mdc, mdc.getSpec().replicasOrDefault());
  }

  /** The peers entry for ordinals {@code 0..members-1}. */
  public static String peers(MetadataCluster mdc, int members) {
    StringJoiner peers = new StringJoiner(",");
    for (int i = 0; i < members; i++) {
      peers.add(
          Names.podName(mdc, i)
              + "="
              + Names.memberHost(mdc, i)
              + ":"
              + RAFT_PORT
              + ":"
              + CLIENT_PORT);
    }
    return peers.toString();
  }

  /** The properties file text: a comment line, then {@code key=value} lines in key order. */
  public static String render(Map<String, String> properties) {
    StringBuilder text = new StringBuilder("# written by the metacluster operator; do not edit\n");
    properties.forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
    return text.toString();
  }

  /** JAVA_OPTS for the master JVM: fixed heap (-Xms = -Xmx), exit on OOM, the user's options. */
  public static String javaOpts(MetadataClusterSpec spec) {
    String heap = SpecDefaults.heap(spec);
    // replaces the image's JAVA_OPTS, so its exit-on-OOM stays: a half-dead member is worse
    String opts = "-Xms" + heap + " -Xmx" + heap + " -XX:+ExitOnOutOfMemoryError";
    if (spec.jvm != null && spec.jvm.extraOptions != null && !spec.jvm.extraOptions.isBlank()) {
      opts += " " + spec.jvm.extraOptions.trim();
    }
    return opts;
  }

  /** A short digest of the rendered config, put on the pod template so a change rolls the pods. */
  public static String hash(String rendered) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(rendered.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }
}

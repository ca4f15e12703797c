package dev.metacluster.master.server;

import static dev.metacluster.master.server.ConfigKeys.*;

import dev.metacluster.master.journal.Addresses;
import dev.metacluster.master.journal.JournalConfig;
import dev.metacluster.master.rpc.RpcLimits;
import dev.metacluster.master.store.StoreConfig;
import java.io.IOException;
import java.io.Reader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The whole configuration of one master process, typed and checked. Built from a properties file,
 * then environment variables ({@code METACLUSTER_...}), then explicit overrides, each later source
 * winning; every key and default is in {@link ConfigKeys}.
 */
public record MasterConfig(
    JournalConfig journal,
    StoreConfig store,
    RpcLimits rpc,
    String bindHost,
    int httpPort,
    long readyMaxLag) {

  /** The configuration is unusable; the message lists every problem found. */
  public static final class ConfigException extends IllegalArgumentException {
    ConfigException(String message) {
      super(message);
    }
  }

  /** This member's own Raft address. */
  public InetSocketAddress raftAddress() {
    return journal.peers().get(journal.memberId());
  }

  /** This member's own client API address. */
  public InetSocketAddress clientAddress() {
    return journal.clientAddresses().get(journal.memberId());
  }

  /** Reads {@code file} (may be null), then the environment, then {@code overrides}. */
  public static MasterConfig load(Path file, Map<String, String> env, Map<String, String> overrides)
      throws IOException {
    Map<String, String> values = new TreeMap<>();
    List<String> problems = new ArrayList<>();
    if (file != null) {
      Properties p = new Properties();
      try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
        p.load(r);
      }
      for (String name : p.stringPropertyNames()) {
        if (!BY_NAME.containsKey(name)) {
          problems.add(file + ": unknown key '" + name + "'" + suggestion(name));
        }
        values.put(name, p.getProperty(name).strip());
      }
    }
    for (Key key : ALL) {
      String fromEnv = env.get(key.envName());
      if (fromEnv != null) {
        values.put(key.name(), fromEnv.strip());
      }
    }
    for (Map.Entry<String, String> o : overrides.entrySet()) {
      if (!BY_NAME.containsKey(o.getKey())) {
        problems.add("unknown key '" + o.getKey() + "'" + suggestion(o.getKey()));
      }
      values.put(o.getKey(), o.getValue().strip());
    }
    return from(values, problems);
  }

  /** Builds the configuration from key/value pairs (defaults fill the rest). */
  static MasterConfig from(Map<String, String> given, List<String> problems) {
    Values v = new Values(given, problems);
    String cluster = v.id(CLUSTER_NAME);
    String member = v.id(MEMBER_ID);
    int raftPort = v.port(RAFT_PORT);
    int clientPort = v.port(CLIENT_PORT);
    Map<String, InetSocketAddress> raft = new LinkedHashMap<>();
    Map<String, InetSocketAddress> client = new LinkedHashMap<>();
    v.peers(raftPort, clientPort, raft, client);
    if (member != null && !raft.isEmpty() && !raft.containsKey(member)) {
      problems.add(MEMBER_ID + " '" + member + "' is not in " + PEERS + " " + raft.keySet());
    }
    Path journalDir = v.path(JOURNAL_DIR);
    Path metastoreDir = v.path(METASTORE_DIR);
    boolean join = v.bool(JOIN);
    String bindHost = v.get(BIND_HOST);
    int httpPort = v.intIn(HTTP_PORT, 0, 65_535);
    long inodes = v.longIn(CACHE_INODES, 0, Long.MAX_VALUE);
    long edges = v.longIn(CACHE_EDGES, 0, Long.MAX_VALUE);
    long blockCache = v.bytes(BLOCK_CACHE, 1L << 20);
    Duration electionMin = v.duration(ELECTION_MIN);
    Duration electionMax = v.duration(ELECTION_MAX);
    Duration requestTimeout = v.duration(REQUEST_TIMEOUT);
    long snapshotThreshold = v.longIn(SNAPSHOT_THRESHOLD, 1, Long.MAX_VALUE);
    long segment = v.bytes(LOG_SEGMENT, 64 << 10);
    int purgeGap = v.intIn(PURGE_GAP, 1, Integer.MAX_VALUE);
    int maxMessage = (int) Math.min(Integer.MAX_VALUE, v.bytes(RPC_MAX_MESSAGE, 1024));
    int inFlight = v.intIn(RPC_MAX_IN_FLIGHT, 1, 1_000_000);
    Duration deadline = v.duration(RPC_DEADLINE);
    int page = v.intIn(LIST_PAGE, 1, 10_000);
    int pageMax = v.intIn(LIST_PAGE_MAX, 1, 10_000);
    long deleteMax = v.longIn(DELETE_MAX_ENTRIES, 1, Long.MAX_VALUE);
    long readyLag = v.longIn(READY_MAX_LAG, 0, Long.MAX_VALUE);
    if (electionMin != null && electionMax != null && electionMin.compareTo(electionMax) >= 0) {
      problems.add(ELECTION_MIN + " must be below " + ELECTION_MAX);
    }
    if (page > pageMax) {
      problems.add(LIST_PAGE + " (" + page + ") must not exceed " + LIST_PAGE_MAX);
    }
    if (!problems.isEmpty()) {
      throw new ConfigException("invalid configuration:\n  - " + String.join("\n  - ", problems));
    }
    JournalConfig journal =
        new JournalConfig(
            cluster,
            member,
            raft,
            journalDir,
            metastoreDir,
            electionMin,
            electionMax,
            requestTimeout,
            snapshotThreshold,
            segment,
            purgeGap,
            join,
            client);
    StoreConfig store = new StoreConfig(metastoreDir, inodes, edges, blockCache, true);
    RpcLimits rpc = new RpcLimits(maxMessage, inFlight, deadline, page, pageMax, deleteMax);
    return new MasterConfig(journal, store, rpc, bindHost, httpPort, readyLag);
  }

  private static String suggestion(String name) {
    String normalized = name.toLowerCase(java.util.Locale.ROOT).replace('_', '.');
    return BY_NAME.containsKey(normalized) ? " (did you mean '" + normalized + "'?)" : "";
  }

  /** Typed access to the values, collecting every problem instead of stopping at the first. */
  private static final class Values {
    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})\\s*(ms|s|m)?");
    private static final Pattern BYTES = Pattern.compile("(\\d{1,15})\\s*(B|KiB|MiB|GiB)?");

    private final Map<String, String> given;
    private final List<String> problems;

    Values(Map<String, String> given, List<String> problems) {
      this.given = given;
      this.problems = problems;
    }

    String get(String key) {
      String value = given.get(key);
      if (value == null || value.isEmpty()) {
        value = BY_NAME.get(key).defaultValue();
      }
      if (value == null) {
        problems.add(
            key + " is required (set it in the file or " + BY_NAME.get(key).envName() + ")");
      }
      return value;
    }

    String id(String key) {
      String value = get(key);
      if (value == null) {
        return null;
      }
      try {
        Addresses.checkId(key, value);
        return value;
      } catch (IllegalArgumentException e) {
        problems.add(e.getMessage());
        return null;
      }
    }

    Path path(String key) {
      String value = get(key);
      return value == null ? null : Path.of(value);
    }

    boolean bool(String key) {
      String value = get(key);
      if ("true".equalsIgnoreCase(value) || "false".equalsIgnoreCase(value)) {
        return Boolean.parseBoolean(value);
      }
      problems.add(key + " must be true or false, was '" + value + "'");
      return false;
    }

    int port(String key) {
      return intIn(key, 1, 65_535);
    }

    int intIn(String key, int min, int max) {
      return (int) longIn(key, min, max);
    }

    long longIn(String key, long min, long max) {
      String value = get(key);
      if (value == null) {
        return min;
      }
      try {
        long n = Long.parseLong(value.replace("_", ""));
        if (n < min || n > max) {
          problems.add(key + " must be in " + min + ".." + max + ", was " + n);
        }
        return n;
      } catch (NumberFormatException e) {
        problems.add(key + " must be a whole number, was '" + value + "'");
        return min;
      }
    }

    Duration duration(String key) {
      String value = get(key);
      Matcher m = value == null ? null : DURATION.matcher(value);
      if (m == null || !m.matches()) {
        if (value != null) {
          problems.add(key + " must be a duration like 300ms, 10s or 2m, was '" + value + "'");
        }
        return Duration.ofSeconds(1);
      }
      long n = Long.parseLong(m.group(1));
      String unit = m.group(2) == null ? "ms" : m.group(2);
      Duration d =
          switch (unit) {
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofMillis(n);
          };
      if (d.isZero()) {
        problems.add(key + " must be positive");
        return Duration.ofSeconds(1);
      }
      return d;
    }

    long bytes(String key, long min) {
      String value = get(key);
      Matcher m = value == null ? null : BYTES.matcher(value);
      if (m == null || !m.matches()) {
        if (value != null) {
          problems.add(
              key + " must be a size like 65536, 64KiB, 32MiB or 1GiB, was '" + value + "'");
        }
        return min;
      }
      long n = Long.parseLong(m.group(1));
      String unit = m.group(2) == null ? "B" : m.group(2);
      int shift =
          switch (unit) {
            case "KiB" -> 10;
            case "MiB" -> 20;
            case "GiB" -> 30;
            default -> 0;
          };
      if (n > (Long.MAX_VALUE >> shift)) {
        problems.add(key + " is too large: '" + value + "'");
        return min;
      }
      long bytes = n << shift;
      if (bytes < min) {
        problems.add(key + " must be at least " + min + " bytes, was '" + value + "'");
        return min;
      }
      return bytes;
    }

    /** Parses ID=HOST[:RAFT[:CLIENT]],... into the two address maps. */
    void peers(
        int raftPort,
        int clientPort,
        Map<String, InetSocketAddress> raft,
        Map<String, InetSocketAddress> client) {
      String spec = get(PEERS);
      if (spec == null) {
        return;
      }
      for (String raw : spec.split(",", -1)) {
        String entry = raw.strip();
        try {
          int eq = entry.indexOf('=');
          if (eq < 0) {
            throw new IllegalArgumentException(
                "'" + entry + "' is not of the form ID=HOST[:RAFT_PORT[:CLIENT_PORT]]");
          }
          String id = entry.substring(0, eq).strip();
          Addresses.checkId("peer id", id);
          String[] parts = entry.substring(eq + 1).split(":", -1);
          if (parts.length > 3) {
            throw new IllegalArgumentException(
                "'" + entry + "' has too many ':' (IPv6 literals are not supported yet)");
          }
          String what = PEERS + " entry '" + entry + "'";
          String rp = parts.length > 1 ? parts[1] : Integer.toString(raftPort);
          String cp = parts.length > 2 ? parts[2] : Integer.toString(clientPort);
          InetSocketAddress r = Addresses.address(what, parts[0], rp);
          InetSocketAddress c = Addresses.address(what, parts[0], cp);
          if (raft.put(id, r) != null) {
            throw new IllegalArgumentException("peer id '" + id + "' appears more than once");
          }
          client.put(id, c);
        } catch (IllegalArgumentException e) {
          problems.add(PEERS + ": " + e.getMessage());
        }
      }
    }
  }
}

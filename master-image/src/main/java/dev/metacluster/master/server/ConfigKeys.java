package dev.metacluster.master.server;

import dev.metacluster.master.journal.JournalConfig;
import dev.metacluster.master.rpc.RpcLimits;
import dev.metacluster.master.store.StoreConfig;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Every key of the master's configuration file, with its default: the one list that the loader, the
 * documentation (docs/CONFIGURATION.md, checked by a test) and the operator's ConfigMap agree on. A
 * key {@code a.b.c} is overridden by the environment variable {@code METACLUSTER_A_B_C}.
 */
public final class ConfigKeys {
  /** One key; {@code defaultValue} null means required. */
  public record Key(String name, String defaultValue, String description) {
    public String envName() {
      return "METACLUSTER_" + name.toUpperCase(java.util.Locale.ROOT).replace('.', '_');
    }
  }

  public static final String CLUSTER_NAME = "cluster.name";
  public static final String MEMBER_ID = "member.id";
  public static final String PEERS = "peers";
  public static final String JOIN = "join";
  public static final String BIND_HOST = "bind.host";
  public static final String RAFT_PORT = "raft.port";
  public static final String CLIENT_PORT = "client.port";
  public static final String HTTP_PORT = "http.port";
  public static final String JOURNAL_DIR = "journal.dir";
  public static final String METASTORE_DIR = "metastore.dir";
  public static final String CACHE_INODES = "cache.inodes";
  public static final String CACHE_EDGES = "cache.edges";
  public static final String BLOCK_CACHE = "rocksdb.block.cache";
  public static final String ELECTION_MIN = "raft.election.timeout.min";
  public static final String ELECTION_MAX = "raft.election.timeout.max";
  public static final String REQUEST_TIMEOUT = "raft.request.timeout";
  public static final String SNAPSHOT_THRESHOLD = "snapshot.threshold";
  public static final String LOG_SEGMENT = "log.segment.size";
  public static final String PURGE_GAP = "log.purge.gap";
  public static final String RPC_MAX_MESSAGE = "rpc.max.message.size";
  public static final String RPC_MAX_IN_FLIGHT = "rpc.max.in.flight";
  public static final String RPC_DEADLINE = "rpc.default.deadline";
  public static final String LIST_PAGE = "rpc.list.page.size";
  public static final String LIST_PAGE_MAX = "rpc.list.page.size.max";
  public static final String DELETE_MAX_ENTRIES = "rpc.delete.max.entries";
  public static final String READY_MAX_LAG = "ready.max.lag";

  public static final List<Key> ALL =
      List.of(
          new Key(CLUSTER_NAME, null, "cluster name; the Raft group id is derived from it"),
          new Key(MEMBER_ID, null, "this member's id (on Kubernetes: the pod name)"),
          new Key(
              PEERS,
              null,
              "every member: ID=HOST[:RAFT_PORT[:CLIENT_PORT]],... (ports default to raft.port"
                  + " and client.port)"),
          new Key(JOIN, "false", "start outside the group and wait to be added (AddMembers)"),
          new Key(BIND_HOST, "0.0.0.0", "address the Raft, client and HTTP servers listen on"),
          new Key(RAFT_PORT, "9860", "Raft port of members whose peers entry names none"),
          new Key(CLIENT_PORT, "9870", "gRPC client API port of members whose entry names none"),
          new Key(HTTP_PORT, "9880", "HTTP port: /healthz, /readyz, /metrics (0: pick one)"),
          new Key(JOURNAL_DIR, null, "the Raft log directory (its own volume)"),
          new Key(METASTORE_DIR, null, "the RocksDB directory: live data and snapshots"),
          new Key(
              CACHE_INODES,
              "" + StoreConfig.DEFAULT_INODE_CACHE_ENTRIES,
              "on-heap inode cache bound, in entries"),
          new Key(
              CACHE_EDGES,
              "" + StoreConfig.DEFAULT_EDGE_CACHE_ENTRIES,
              "on-heap directory-entry cache bound, in entries"),
          new Key(BLOCK_CACHE, "64MiB", "RocksDB block cache (off-heap), shared by all data"),
          new Key(
              ELECTION_MIN,
              JournalConfig.DEFAULT_ELECTION_TIMEOUT_MIN.toMillis() + "ms",
              "lower bound of the randomized election timeout"),
          new Key(
              ELECTION_MAX,
              JournalConfig.DEFAULT_ELECTION_TIMEOUT_MAX.toMillis() + "ms",
              "upper bound of the randomized election timeout"),
          new Key(
              REQUEST_TIMEOUT,
              JournalConfig.DEFAULT_REQUEST_TIMEOUT.toSeconds() + "s",
              "how long a write may wait for commit"),
          new Key(
              SNAPSHOT_THRESHOLD,
              "" + JournalConfig.DEFAULT_SNAPSHOT_THRESHOLD,
              "take a snapshot after this many applied entries (bounds restart replay)"),
          new Key(LOG_SEGMENT, "32MiB", "size of one Raft log segment file (at least 64KiB)"),
          new Key(
              PURGE_GAP,
              "" + JournalConfig.DEFAULT_PURGE_GAP,
              "purge the log up to the latest snapshot once this many entries can go"),
          new Key(RPC_MAX_MESSAGE, "4MiB", "largest request message (RESOURCE_EXHAUSTED above)"),
          new Key(
              RPC_MAX_IN_FLIGHT,
              "" + RpcLimits.DEFAULT_MAX_IN_FLIGHT,
              "calls served at once; more get RESOURCE_EXHAUSTED"),
          new Key(
              RPC_DEADLINE,
              RpcLimits.DEFAULT_DEADLINE.toSeconds() + "s",
              "deadline of a call that brings none"),
          new Key(
              LIST_PAGE,
              "" + RpcLimits.DEFAULT_LIST_PAGE_SIZE,
              "ListStatus entries per page when the request names no size"),
          new Key(
              LIST_PAGE_MAX,
              "" + RpcLimits.DEFAULT_MAX_LIST_PAGE_SIZE,
              "largest ListStatus page a request may ask for"),
          new Key(
              DELETE_MAX_ENTRIES,
              "" + RpcLimits.DEFAULT_MAX_DELETE_ENTRIES,
              "most entries one recursive delete may remove"),
          new Key(
              READY_MAX_LAG,
              "1000",
              "/readyz: at most this many committed entries not yet applied"));

  public static final Map<String, Key> BY_NAME =
      ALL.stream().collect(Collectors.toUnmodifiableMap(Key::name, Function.identity()));

  private ConfigKeys() {}
}

package dev.metacluster.master.journal;

import dev.metacluster.master.proto.SnapshotManifest;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.proto.RaftProtos.CommitInfoProto;
import org.apache.ratis.proto.RaftProtos.RoleInfoProto;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.util.TimeDuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin surface of one member, as the operator uses it: cluster info, membership changes,
 * leadership transfer, snapshots and backups. Membership changes go through Ratis setConfiguration:
 * new members are caught up before they count as voters.
 */
public final class ClusterAdmin {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterAdmin.class);
  private static final long ADMIN_TIMEOUT_MS = 30_000;

  private final JournalServer server;

  public ClusterAdmin(JournalServer server) {
    this.server = server;
  }

  public ClusterInfo info() throws IOException {
    RaftServer.Division division = server.division();
    var info = division.getInfo();
    Map<String, Long> commits = new HashMap<>();
    for (CommitInfoProto c : division.getCommitInfos()) {
      commits.put(c.getServer().getId().toStringUtf8(), c.getCommitIndex());
    }
    RaftPeerId leaderId = info.getLeaderId();
    String leader = leaderId == null ? "" : leaderId.toString();
    List<ClusterInfo.Member> members = new ArrayList<>();
    for (RaftPeer peer : division.getGroup().getPeers()) {
      String id = peer.getId().toString();
      members.add(
          new ClusterInfo.Member(
              id,
              peer.getAddress(),
              peer.getClientAddress() == null ? "" : peer.getClientAddress(),
              id.equals(leader),
              commits.getOrDefault(id, -1L)));
    }
    members.sort(Comparator.comparing(ClusterInfo.Member::id));
    String self = division.getId().toString();
    // A joiner outside the configuration is a Ratis FOLLOWER "not in conf": it votes in nothing.
    // The admin API calls that LISTENER (the operator adds it once it runs like that, and tells a
    // voter that came back on an empty volume by it).
    String role =
        members.stream().anyMatch(m -> m.id().equals(self))
            ? info.getCurrentRole().name()
            : "LISTENER";
    return new ClusterInfo(
        self,
        role,
        leader,
        info.getCurrentTerm(),
        division.getRaftLog().getLastCommittedIndex(),
        info.getLastAppliedIndex(),
        members,
        server.stateMachine().metastore().storeId());
  }

  /**
   * The follower this member, as leader, should hand over to: among the followers that answered it
   * within {@code responsive}, the one with the highest commit index. Empty if this member does not
   * lead or no follower is responsive (the commit index of a follower that went away stays at its
   * last report, so it alone would not tell a dead follower from a live one).
   */
  public Optional<String> successor(Duration responsive) throws IOException {
    return successor(responsive, Set.of());
  }

  /** Like {@link #successor(Duration)}, never one of {@code excluded}. */
  public Optional<String> successor(Duration responsive, Set<String> excluded) throws IOException {
    RaftServer.Division division = server.division();
    RoleInfoProto role = division.getInfo().getRoleInfoProto();
    if (!role.hasLeaderInfo()) {
      return Optional.empty();
    }
    Map<String, Long> commits = new HashMap<>();
    for (CommitInfoProto c : division.getCommitInfos()) {
      commits.put(c.getServer().getId().toStringUtf8(), c.getCommitIndex());
    }
    return role.getLeaderInfo().getFollowerInfoList().stream()
        .filter(f -> f.getLastRpcElapsedTimeMs() <= responsive.toMillis())
        .map(f -> f.getId().getId().toStringUtf8())
        .filter(id -> !excluded.contains(id))
        .max(Comparator.comparingLong((String id) -> commits.getOrDefault(id, -1L)));
  }

  /**
   * Adds members (started with {@code join}) to the group; Ratis catches each up before it votes.
   * Ratis refuses a step whose newcomers are not outnumbered by existing members (they could elect
   * among themselves), so a large addition runs as several configuration changes: 1 -> 2 -> 3 -> 5
   * -> 7.
   */
  public void addMembers(Map<String, InetSocketAddress> added) throws IOException {
    addMembers(added, Map.of());
  }

  /** Like {@link #addMembers(Map)}, recording the new members' client API addresses too. */
  public void addMembers(
      Map<String, InetSocketAddress> added, Map<String, InetSocketAddress> clientAddresses)
      throws IOException {
    List<Map.Entry<String, InetSocketAddress>> pending = new ArrayList<>(added.entrySet());
    RaftGroup group = server.division().getGroup();
    for (Map.Entry<String, InetSocketAddress> e : pending) {
      if (group.getPeer(RaftPeerId.valueOf(e.getKey())) != null) {
        throw new IllegalArgumentException(e.getKey() + " is already a member");
      }
    }
    while (!pending.isEmpty()) {
      group = server.division().getGroup();
      int current = group.getPeers().size();
      int step = Math.min(pending.size(), Math.max(1, current - 1));
      List<RaftPeer> peers = new ArrayList<>(group.getPeers());
      for (int i = 0; i < step; i++) {
        Map.Entry<String, InetSocketAddress> e = pending.remove(0);
        peers.add(JournalServer.peer(e.getKey(), e.getValue(), clientAddresses.get(e.getKey())));
      }
      setConfiguration(group, peers);
    }
  }

  /**
   * Removes members. If the leader is among them, leadership moves first to the remaining member
   * that is furthest ahead, so the group is never left waiting for an election it could avoid.
   */
  public void removeMembers(Set<String> removed) throws IOException {
    RaftGroup group = server.division().getGroup();
    List<RaftPeer> remaining =
        group.getPeers().stream().filter(p -> !removed.contains(p.getId().toString())).toList();
    if (remaining.isEmpty()) {
      throw new IllegalArgumentException("cannot remove every member");
    }
    if (remaining.size() == group.getPeers().size()) {
      throw new IllegalArgumentException("none of " + removed + " is a member");
    }
    // Move leadership off the removed members first. Elections may intervene (another member
    // can win meanwhile), so look again after every attempt until the leader is one that stays.
    for (int attempt = 1; ; attempt++) {
      ClusterInfo info = info();
      if (!removed.contains(info.leader())) {
        break;
      }
      // On the leader: a live follower furthest ahead; elsewhere: the remaining member furthest
      // ahead as last reported.
      String target =
          successor(server.config().electionTimeoutMax(), removed)
              .orElseGet(
                  () ->
                      info.members().stream()
                          .filter(m -> !removed.contains(m.id()))
                          .max(Comparator.comparingLong(ClusterInfo.Member::commitIndex))
                          .orElseThrow()
                          .id());
      LOG.info("removing leader {}: transferring leadership to {} first", info.leader(), target);
      try {
        transferLeadership(target);
      } catch (IOException e) {
        if (attempt >= 5) {
          throw e;
        }
        LOG.info(
            "leadership transfer to {} did not complete ({}); looking again",
            target,
            e.getMessage());
      }
    }
    group = server.division().getGroup();
    setConfiguration(group, remaining);
  }

  public void transferLeadership(String target) throws IOException {
    try (RaftClient client = client(server.division().getGroup())) {
      check(
          client.admin().transferLeadership(RaftPeerId.valueOf(target), ADMIN_TIMEOUT_MS),
          "transfer leadership to " + target);
    }
  }

  /**
   * Hands leadership from this member (the leader) to {@code target}, giving up after about {@code
   * timeout}: the request goes straight to this member, once, so a shutdown never waits long on a
   * transfer that cannot succeed.
   */
  public void transferLeadership(String target, Duration timeout) throws IOException {
    long timeoutMs = Math.max(1, timeout.toMillis());
    try (RaftClient client =
        RaftClient.newBuilder()
            .setProperties(new RaftProperties())
            .setRaftGroup(server.division().getGroup())
            .setLeaderId(server.division().getId())
            .setRetryPolicy(RetryPolicies.noRetry())
            .build()) {
      check(
          client.admin().transferLeadership(RaftPeerId.valueOf(target), timeoutMs),
          "transfer leadership to " + target);
    }
  }

  /** Takes a snapshot on this member now; returns its index. */
  public long takeSnapshot() throws IOException {
    try (RaftClient client = client(server.division().getGroup())) {
      RaftClientReply reply =
          client.getSnapshotManagementApi(server.division().getId()).create(true, ADMIN_TIMEOUT_MS);
      check(reply, "take snapshot");
      return reply.getLogIndex();
    }
  }

  /**
   * Streams a backup of this member's namespace (call it on the leader for the newest data). Holds
   * writers up only for the RocksDB flush of the checkpoint.
   */
  public SnapshotManifest backup(OutputStream out) throws IOException {
    return BackupArchive.write(
        server.stateMachine(), server.group().getGroupId().getUuid().toString(), out);
  }

  private void setConfiguration(RaftGroup group, List<RaftPeer> peers) throws IOException {
    try (RaftClient client = client(group)) {
      check(client.admin().setConfiguration(peers), "set configuration to " + ids(peers));
    }
    LOG.info("group configuration is now {}", ids(peers));
  }

  private static List<String> ids(Collection<RaftPeer> peers) {
    return peers.stream().map(p -> p.getId().toString()).sorted().toList();
  }

  private static RaftClient client(RaftGroup group) {
    return RaftClient.newBuilder()
        .setProperties(new RaftProperties())
        .setRaftGroup(group)
        .setRetryPolicy(
            RetryPolicies.retryUpToMaximumCountWithFixedSleep(
                100, TimeDuration.valueOf(100, TimeUnit.MILLISECONDS)))
        .build();
  }

  private static void check(RaftClientReply reply, String what) throws IOException {
    if (!reply.isSuccess()) {
      throw new IOException("cannot " + what + ": " + reply.getException(), reply.getException());
    }
  }
}

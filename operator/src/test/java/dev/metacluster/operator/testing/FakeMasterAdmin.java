package dev.metacluster.operator.testing;

import dev.metacluster.api.admin.v1.ClusterInfoResponse;
import dev.metacluster.api.admin.v1.Member;
import dev.metacluster.api.admin.v1.MemberAddress;
import dev.metacluster.api.admin.v1.Role;
import dev.metacluster.operator.observe.MasterAdmin;
import dev.metacluster.operator.observe.MemberEndpoint;
import io.grpc.Status;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Masters as the tests want them: per namespace one Raft group (voters, a leader, a term, a commit
 * index), members that do not answer, joiners that run but are not in the group yet, members that
 * lag, voters that lost their volume (they answer as a Listener, with a new store id, or already
 * healed as a follower that only its new store id gives away), and a freeze after a given call
 * (nobody answers) so that a test can stop the operator between two steps. The membership calls
 * change the group as a master would (AddMembers only takes running joiners, a transfer needs a
 * live voter, RemoveMembers of the leader moves leadership first) and are recorded in order, per
 * namespace, for the tests to assert on. Keyed by namespace and member id (taken from the
 * cluster-DNS host name the operator dials).
 */
public final class FakeMasterAdmin implements MasterAdmin {
  private final Map<String, Group> groups = new ConcurrentHashMap<>();

  private static final class Group {
    final Set<String> voters = new LinkedHashSet<>();
    final Set<String> down = new LinkedHashSet<>();
    final Set<String> joiners = new LinkedHashSet<>();
    final Set<String> listeners = new LinkedHashSet<>();
    final Map<String, Long> lag = new ConcurrentHashMap<>();
    final Map<String, String> storeIds = new ConcurrentHashMap<>();
    final List<String> calls = new ArrayList<>();
    Consumer<String> timeline = s -> {};
    String freezeAfter;
    boolean frozen;
    String leader;
    long term;
    long commit;
  }

  /** Also report every membership call in {@code namespace} to {@code sink} (a timeline). */
  public FakeMasterAdmin timeline(String namespace, Consumer<String> sink) {
    group(namespace).timeline = sink;
    return this;
  }

  /** A healthy group of {@code members} led by {@code leader} at {@code term}. */
  public FakeMasterAdmin group(
      String namespace, List<String> members, String leader, long term, long commitIndex) {
    Group g = new Group();
    Group old = groups.get(namespace);
    if (old != null) {
      g.timeline = old.timeline;
      // describing the group anew does not give its members new stores
      g.storeIds.putAll(old.storeIds);
    }
    g.voters.addAll(members);
    g.leader = leader;
    g.term = term;
    g.commit = commitIndex;
    groups.put(namespace, g);
    return this;
  }

  /** These members stop answering (UNAVAILABLE), as a killed process would. */
  public FakeMasterAdmin down(String namespace, String... ids) {
    Group g = group(namespace);
    synchronized (g) {
      // the others keep naming the old leader until an election (see elect)
      g.down.addAll(List.of(ids));
    }
    return this;
  }

  /** These members answer again. */
  public FakeMasterAdmin up(String namespace, String... ids) {
    Group g = group(namespace);
    synchronized (g) {
      g.down.removeAll(List.of(ids));
    }
    return this;
  }

  /** A new election: {@code leader} leads at the next term. */
  public FakeMasterAdmin elect(String namespace, String leader) {
    Group g = group(namespace);
    synchronized (g) {
      g.leader = leader;
      g.term++;
    }
    return this;
  }

  /** These members run as joiners (started with join=true, not in the group yet). */
  public FakeMasterAdmin joiners(String namespace, String... ids) {
    Group g = group(namespace);
    synchronized (g) {
      g.joiners.addAll(List.of(ids));
    }
    return this;
  }

  /**
   * {@code id} lost its volume and came back on an empty one: it started as a joiner (join=true)
   * and answers as a Listener at applied index 0, though the group still lists it as a voter.
   */
  public FakeMasterAdmin lostVolume(String namespace, String id) {
    Group g = group(namespace);
    synchronized (g) {
      g.listeners.add(id);
      newStore(g, id);
    }
    return this;
  }

  /**
   * {@code id} lost its volume and already caught up from the leader before anyone looked: a
   * healthy follower, still a voter, that only its new store id gives away.
   */
  public FakeMasterAdmin lostVolumeAndHealed(String namespace, String id) {
    Group g = group(namespace);
    synchronized (g) {
      g.listeners.remove(id);
      g.lag.put(id, 0L);
      newStore(g, id);
    }
    return this;
  }

  /** The store id {@code id} reports now. */
  public String storeId(String namespace, String id) {
    Group g = group(namespace);
    synchronized (g) {
      return storeId(g, id);
    }
  }

  private static String storeId(Group g, String id) {
    return g.storeIds.computeIfAbsent(id, m -> UUID.randomUUID().toString());
  }

  private static void newStore(Group g, String id) {
    g.storeIds.put(id, UUID.randomUUID().toString());
  }

  /**
   * {@code id} runs again on new, empty volumes: a joiner, down or listening no more, a whole log
   * behind until it is added and has caught up (see {@link #lag}).
   */
  public FakeMasterAdmin freshVolume(String namespace, String id) {
    Group g = group(namespace);
    synchronized (g) {
      g.listeners.remove(id);
      g.down.remove(id);
      g.joiners.add(id);
      g.lag.put(id, g.commit);
      newStore(g, id);
    }
    return this;
  }

  /**
   * Once a membership call starting with {@code prefix} is made, every member stops answering until
   * {@link #thaw}: a test stops the operator there, between two steps.
   */
  public FakeMasterAdmin freezeAfter(String namespace, String prefix) {
    Group g = group(namespace);
    synchronized (g) {
      g.freezeAfter = prefix;
    }
    return this;
  }

  /** Every member stops answering now, until {@link #thaw}. */
  public FakeMasterAdmin freeze(String namespace) {
    Group g = group(namespace);
    synchronized (g) {
      g.frozen = true;
    }
    return this;
  }

  public boolean frozen(String namespace) {
    Group g = group(namespace);
    synchronized (g) {
      return g.frozen;
    }
  }

  public FakeMasterAdmin thaw(String namespace) {
    Group g = group(namespace);
    synchronized (g) {
      g.frozen = false;
      g.freezeAfter = null;
    }
    return this;
  }

  /** {@code id} is {@code entries} behind the leader's commit index. */
  public FakeMasterAdmin lag(String namespace, String id, long entries) {
    group(namespace).lag.put(id, entries);
    return this;
  }

  /** The membership calls made in {@code namespace}, in order, e.g. {@code remove meta-4}. */
  public List<String> calls(String namespace) {
    Group g = group(namespace);
    synchronized (g) {
      return List.copyOf(g.calls);
    }
  }

  public String leader(String namespace) {
    Group g = group(namespace);
    synchronized (g) {
      return g.leader;
    }
  }

  public Set<String> voters(String namespace) {
    Group g = group(namespace);
    synchronized (g) {
      return Set.copyOf(g.voters);
    }
  }

  private Group group(String namespace) {
    return groups.computeIfAbsent(namespace, ns -> new Group());
  }

  /** {@code <pod>.<headless service>.<namespace>.svc}: the namespace. */
  private static String namespace(MemberEndpoint member) {
    String[] host = member.host().split("\\.");
    return host.length > 2 ? host[2] : "";
  }

  @Override
  public CompletableFuture<ClusterInfoResponse> clusterInfo(MemberEndpoint member) {
    Group g = group(namespace(member));
    String id = member.id();
    synchronized (g) {
      boolean voter = g.voters.contains(id);
      if (g.frozen
          || g.down.contains(id)
          || (!voter && !g.joiners.contains(id) && !g.listeners.contains(id))) {
        return unavailable();
      }
      long applied = g.commit - g.lag.getOrDefault(id, 0L);
      ClusterInfoResponse.Builder answer =
          ClusterInfoResponse.newBuilder()
              .setClusterId("fake-group")
              .setMemberId(id)
              .setTerm(g.term)
              .setCommitIndex(g.commit)
              .setAppliedIndex(applied)
              .setSnapshotIndex(-1)
              .setStoreId(storeId(g, id));
      if (!voter || g.listeners.contains(id)) {
        return CompletableFuture.completedFuture(
            answer
                .setRole(Role.LISTENER)
                .setAppliedIndex(g.listeners.contains(id) ? 0 : applied)
                .build());
      }
      answer
          .setRole(
              id.equals(g.leader) ? Role.LEADER : g.leader == null ? Role.CANDIDATE : Role.FOLLOWER)
          .setLeaderId(g.leader == null ? "" : g.leader);
      for (String v : g.voters) {
        answer.addMembers(
            Member.newBuilder()
                .setId(v)
                .setRaftAddress(v + ":9860")
                .setClientAddress(v + ":9870")
                .setLeader(v.equals(g.leader))
                .setCommitIndex(g.commit - g.lag.getOrDefault(v, 0L))
                .build());
      }
      return CompletableFuture.completedFuture(answer.build());
    }
  }

  @Override
  public CompletableFuture<Void> addMembers(MemberEndpoint via, List<MemberAddress> members) {
    Group g = group(namespace(via));
    synchronized (g) {
      if (g.frozen || !via.id().equals(g.leader) || g.down.contains(via.id())) {
        return notLeader(via);
      }
      List<String> ids = members.stream().map(MemberAddress::getId).toList();
      for (String id : ids) {
        if (!g.voters.contains(id) && (!g.joiners.contains(id) || g.down.contains(id))) {
          return CompletableFuture.failedFuture(
              Status.FAILED_PRECONDITION
                  .withDescription(id + " is not running as a joiner")
                  .asRuntimeException());
        }
      }
      record(g, "add " + String.join(",", ids));
      for (String id : ids) {
        g.joiners.remove(id);
        g.voters.add(id);
      }
      return CompletableFuture.completedFuture(null);
    }
  }

  @Override
  public CompletableFuture<Void> removeMembers(MemberEndpoint via, List<String> memberIds) {
    Group g = group(namespace(via));
    synchronized (g) {
      if (g.frozen || !via.id().equals(g.leader) || g.down.contains(via.id())) {
        return notLeader(via);
      }
      record(g, "remove " + String.join(",", memberIds));
      if (memberIds.contains(g.leader)) {
        g.leader = g.voters.stream().filter(v -> !memberIds.contains(v)).findFirst().orElseThrow();
        g.term++;
      }
      g.voters.removeAll(memberIds);
      return CompletableFuture.completedFuture(null);
    }
  }

  @Override
  public CompletableFuture<Void> transferLeadership(MemberEndpoint via, String targetId) {
    Group g = group(namespace(via));
    synchronized (g) {
      if (g.frozen || !via.id().equals(g.leader) || g.down.contains(via.id())) {
        return notLeader(via);
      }
      if (!g.voters.contains(targetId) || g.down.contains(targetId)) {
        return CompletableFuture.failedFuture(
            Status.FAILED_PRECONDITION
                .withDescription(targetId + " cannot take over")
                .asRuntimeException());
      }
      record(g, "transfer " + g.leader + "->" + targetId);
      g.leader = targetId;
      g.term++;
      return CompletableFuture.completedFuture(null);
    }
  }

  private void record(Group g, String call) {
    g.calls.add(call);
    g.timeline.accept(call);
    if (g.freezeAfter != null && call.startsWith(g.freezeAfter)) {
      g.frozen = true;
    }
  }

  private static <T> CompletableFuture<T> notLeader(MemberEndpoint via) {
    return CompletableFuture.failedFuture(
        Status.UNAVAILABLE.withDescription(via.id() + " is not the leader").asRuntimeException());
  }

  private static <T> CompletableFuture<T> unavailable() {
    return CompletableFuture.failedFuture(
        Status.UNAVAILABLE.withDescription("connection refused").asRuntimeException());
  }
}

package dev.metacluster.operator.testing;

import dev.metacluster.api.admin.v1.ClusterInfoResponse;
import dev.metacluster.api.admin.v1.Member;
import dev.metacluster.api.admin.v1.Role;
import dev.metacluster.operator.observe.MasterAdmin;
import dev.metacluster.operator.observe.MemberEndpoint;
import io.grpc.Status;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Masters as the tests want them: a Raft group with a chosen leader, members that do not answer.
 * Keyed by namespace and member id (taken from the cluster-DNS host name the operator dials), so
 * one fake serves clusters of the same name in several namespaces.
 */
public final class FakeMasterAdmin implements MasterAdmin {
  private final Map<String, ClusterInfoResponse> answers = new ConcurrentHashMap<>();
  private final Set<String> down = ConcurrentHashMap.newKeySet();

  /** A healthy group of {@code members} led by {@code leader} at {@code term}. */
  public FakeMasterAdmin group(
      String namespace, List<String> members, String leader, long term, long commitIndex) {
    List<Member> voters =
        members.stream()
            .map(
                id ->
                    Member.newBuilder()
                        .setId(id)
                        .setRaftAddress(id + ":9860")
                        .setClientAddress(id + ":9870")
                        .setLeader(id.equals(leader))
                        .setCommitIndex(commitIndex)
                        .build())
            .toList();
    for (String id : members) {
      answers.put(
          namespace + "/" + id,
          ClusterInfoResponse.newBuilder()
              .setClusterId("fake-group")
              .setMemberId(id)
              .setRole(id.equals(leader) ? Role.LEADER : Role.FOLLOWER)
              .setLeaderId(leader)
              .setTerm(term)
              .setCommitIndex(commitIndex)
              .setAppliedIndex(commitIndex)
              .addAllMembers(voters)
              .setSnapshotIndex(-1)
              .build());
      down.remove(namespace + "/" + id);
    }
    return this;
  }

  /** These members stop answering (UNAVAILABLE), as a killed process would. */
  public FakeMasterAdmin down(String namespace, String... ids) {
    for (String id : ids) {
      down.add(namespace + "/" + id);
    }
    return this;
  }

  @Override
  public CompletableFuture<ClusterInfoResponse> clusterInfo(MemberEndpoint member) {
    // <pod>.<headless service>.<namespace>.svc
    String[] host = member.host().split("\\.");
    String key = (host.length > 2 ? host[2] : "") + "/" + member.id();
    ClusterInfoResponse answer = answers.get(key);
    if (answer == null || down.contains(key)) {
      return CompletableFuture.failedFuture(
          Status.UNAVAILABLE.withDescription("connection refused").asRuntimeException());
    }
    return CompletableFuture.completedFuture(answer);
  }
}

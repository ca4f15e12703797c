package dev.metacluster.master.rpc;

import dev.metacluster.api.admin.v1.AddMembersRequest;
import dev.metacluster.api.admin.v1.AddMembersResponse;
import dev.metacluster.api.admin.v1.BackupChunk;
import dev.metacluster.api.admin.v1.BackupRequest;
import dev.metacluster.api.admin.v1.ClusterAdminServiceGrpc;
import dev.metacluster.api.admin.v1.ClusterInfoRequest;
import dev.metacluster.api.admin.v1.ClusterInfoResponse;
import dev.metacluster.api.admin.v1.Member;
import dev.metacluster.api.admin.v1.MemberAddress;
import dev.metacluster.api.admin.v1.RemoveMembersRequest;
import dev.metacluster.api.admin.v1.RemoveMembersResponse;
import dev.metacluster.api.admin.v1.Role;
import dev.metacluster.api.admin.v1.TakeSnapshotRequest;
import dev.metacluster.api.admin.v1.TakeSnapshotResponse;
import dev.metacluster.api.admin.v1.TransferLeadershipRequest;
import dev.metacluster.api.admin.v1.TransferLeadershipResponse;
import dev.metacluster.master.journal.Addresses;
import dev.metacluster.master.journal.ClusterAdmin;
import dev.metacluster.master.journal.ClusterInfo;
import dev.metacluster.master.journal.JournalServer;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.ratis.statemachine.SnapshotInfo;

/**
 * {@code metacluster.admin.v1.ClusterAdminService}: the journal's {@link ClusterAdmin} on the wire.
 * Group changes and backups run on the leader only; a follower points the caller at it.
 */
final class ClusterAdminRpc extends ClusterAdminServiceGrpc.ClusterAdminServiceImplBase {
  private final JournalServer journal;
  private final ClusterAdmin admin;
  private final RpcErrors errors;

  ClusterAdminRpc(JournalServer journal, RpcErrors errors) {
    this.journal = journal;
    this.admin = new ClusterAdmin(journal);
    this.errors = errors;
  }

  @Override
  public void clusterInfo(ClusterInfoRequest r, StreamObserver<ClusterInfoResponse> out) {
    try {
      out.onNext(info());
      out.onCompleted();
    } catch (IOException | RuntimeException e) {
      out.onError(errors.of(e));
    }
  }

  ClusterInfoResponse info() throws IOException {
    ClusterInfo info = admin.info();
    SnapshotInfo snapshot = journal.stateMachine().getLatestSnapshot();
    ClusterInfoResponse.Builder b =
        ClusterInfoResponse.newBuilder()
            .setClusterId(journal.group().getGroupId().getUuid().toString())
            .setMemberId(info.self())
            .setRole(role(info.role()))
            .setLeaderId(info.leader())
            .setTerm(info.term())
            .setCommitIndex(info.commitIndex())
            .setAppliedIndex(info.appliedIndex())
            .setStoreId(info.storeId())
            .setSnapshotIndex(snapshot == null ? -1 : snapshot.getIndex())
            .setInodeCount(journal.stateMachine().metastore().rocks().estimatedInodeCount());
    info.members().forEach(m -> b.addMembers(member(m)));
    return b.build();
  }

  @Override
  public void addMembers(AddMembersRequest r, StreamObserver<AddMembersResponse> out) {
    if (!leading(out)) {
      return;
    }
    try {
      Map<String, InetSocketAddress> raft = new LinkedHashMap<>();
      Map<String, InetSocketAddress> client = new LinkedHashMap<>();
      Set<String> present = memberIds();
      for (MemberAddress m : r.getMembersList()) {
        Addresses.checkId("member id", m.getId());
        InetSocketAddress raftAddress =
            Addresses.parse("raft_address '" + m.getRaftAddress() + "'", m.getRaftAddress());
        InetSocketAddress clientAddress =
            Addresses.parse("client_address '" + m.getClientAddress() + "'", m.getClientAddress());
        if (present.contains(m.getId())) {
          continue;
        }
        if (raft.put(m.getId(), raftAddress) != null) {
          throw new IllegalArgumentException("member " + m.getId() + " is listed twice");
        }
        client.put(m.getId(), clientAddress);
      }
      if (!raft.isEmpty()) {
        admin.addMembers(raft, client);
      }
      out.onNext(AddMembersResponse.newBuilder().addAllMembers(members()).build());
      out.onCompleted();
    } catch (IOException | RuntimeException e) {
      out.onError(errors.of(e));
    }
  }

  @Override
  public void removeMembers(RemoveMembersRequest r, StreamObserver<RemoveMembersResponse> out) {
    if (!leading(out)) {
      return;
    }
    try {
      Set<String> removed = new TreeSet<>(r.getMemberIdsList());
      removed.retainAll(memberIds());
      if (!removed.isEmpty()) {
        if (removed.containsAll(memberIds())) {
          out.onError(
              io.grpc.Status.FAILED_PRECONDITION
                  .withDescription("cannot remove every member of the group")
                  .asRuntimeException());
          return;
        }
        admin.removeMembers(removed);
      }
      out.onNext(RemoveMembersResponse.newBuilder().addAllMembers(members()).build());
      out.onCompleted();
    } catch (IOException | RuntimeException e) {
      out.onError(errors.of(e));
    }
  }

  @Override
  public void transferLeadership(
      TransferLeadershipRequest r, StreamObserver<TransferLeadershipResponse> out) {
    if (!leading(out)) {
      return;
    }
    try {
      String target = r.getTargetId();
      if (target.isEmpty()) {
        target =
            admin
                .successor(journal.config().electionTimeoutMax().multipliedBy(2))
                .orElseThrow(
                    () ->
                        io.grpc.Status.FAILED_PRECONDITION
                            .withDescription("no responsive follower to transfer leadership to")
                            .asRuntimeException());
      } else if (!memberIds().contains(target)) {
        throw RpcErrors.invalid(target + " is not a member of the group " + memberIds());
      }
      if (!target.equals(journal.config().memberId())) {
        admin.transferLeadership(target, remaining(Duration.ofSeconds(30)));
      }
      out.onNext(TransferLeadershipResponse.newBuilder().setLeaderId(target).build());
      out.onCompleted();
    } catch (IOException | RuntimeException e) {
      out.onError(errors.of(e));
    }
  }

  @Override
  public void takeSnapshot(TakeSnapshotRequest r, StreamObserver<TakeSnapshotResponse> out) {
    try {
      long index = admin.takeSnapshot();
      out.onNext(TakeSnapshotResponse.newBuilder().setIndex(index).build());
      out.onCompleted();
    } catch (IOException | RuntimeException e) {
      out.onError(errors.of(e));
    }
  }

  @Override
  public void backup(BackupRequest r, StreamObserver<BackupChunk> out) {
    if (!leading(out)) {
      return;
    }
    BackupStream stream = new BackupStream(out);
    try {
      var manifest = admin.backup(stream);
      stream.finish(
          dev.metacluster.api.admin.v1.BackupManifest.newBuilder()
              .setClusterId(manifest.getClusterId())
              .setTerm(manifest.getTerm())
              .setIndex(manifest.getIndex())
              .setInodeCount(manifest.getInodeCount())
              .setNamespaceChecksum(manifest.getNamespaceChecksum()));
    } catch (IOException | RuntimeException e) {
      if (!stream.cancelled()) {
        out.onError(errors.of(e));
      }
    }
  }

  private boolean leading(StreamObserver<?> out) {
    if (journal.isLeader()) {
      return true;
    }
    out.onError(errors.notLeader());
    return false;
  }

  private Set<String> memberIds() throws IOException {
    Set<String> ids = new TreeSet<>();
    journal.division().getGroup().getPeers().forEach(p -> ids.add(p.getId().toString()));
    return ids;
  }

  private List<Member> members() throws IOException {
    return admin.info().members().stream().map(ClusterAdminRpc::member).toList();
  }

  private static Member member(ClusterInfo.Member m) {
    return Member.newBuilder()
        .setId(m.id())
        .setRaftAddress(m.address())
        .setClientAddress(m.clientAddress())
        .setLeader(m.leader())
        .setCommitIndex(m.commitIndex())
        .build();
  }

  private static Role role(String ratisRole) {
    return switch (ratisRole) {
      case "LEADER" -> Role.LEADER;
      case "FOLLOWER" -> Role.FOLLOWER;
      case "CANDIDATE" -> Role.CANDIDATE;
      case "LISTENER" -> Role.LISTENER;
      default -> Role.ROLE_UNSPECIFIED;
    };
  }

  /** What is left of the call's deadline, at most {@code cap}. */
  private static Duration remaining(Duration cap) {
    var deadline = io.grpc.Context.current().getDeadline();
    if (deadline == null) {
      return cap;
    }
    long ms = deadline.timeRemaining(java.util.concurrent.TimeUnit.MILLISECONDS);
    return Duration.ofMillis(Math.max(1, Math.min(ms, cap.toMillis())));
  }
}

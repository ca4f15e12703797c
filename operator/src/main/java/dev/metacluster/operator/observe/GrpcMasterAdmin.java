package dev.metacluster.operator.observe;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import dev.metacluster.api.admin.v1.AddMembersRequest;
import dev.metacluster.api.admin.v1.ClusterAdminServiceGrpc;
import dev.metacluster.api.admin.v1.ClusterInfoRequest;
import dev.metacluster.api.admin.v1.ClusterInfoResponse;
import dev.metacluster.api.admin.v1.MemberAddress;
import dev.metacluster.api.admin.v1.RemoveMembersRequest;
import dev.metacluster.api.admin.v1.TransferLeadershipRequest;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * {@link MasterAdmin} over gRPC: one plaintext channel per member address, reused across
 * reconciles, and a short deadline on every call so a dead member costs one deadline, not a hung
 * reconcile.
 */
public final class GrpcMasterAdmin implements MasterAdmin {
  /**
   * Membership changes wait for a configuration commit, leadership transfers for an election: they
   * get more time than an observation.
   */
  static final Duration MEMBERSHIP_DEADLINE = Duration.ofSeconds(30);

  private final Duration deadline;
  private final Duration membershipDeadline;
  private final Function<String, ManagedChannel> channelFactory;
  private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();

  public GrpcMasterAdmin(Duration deadline) {
    this(deadline, target -> ManagedChannelBuilder.forTarget(target).usePlaintext().build());
  }

  /** With a channel per target from {@code channelFactory} (tests: in-process channels). */
  public GrpcMasterAdmin(Duration deadline, Function<String, ManagedChannel> channelFactory) {
    this.deadline = deadline;
    this.membershipDeadline =
        deadline.compareTo(MEMBERSHIP_DEADLINE) > 0 ? deadline : MEMBERSHIP_DEADLINE;
    this.channelFactory = channelFactory;
  }

  @Override
  public CompletableFuture<ClusterInfoResponse> clusterInfo(MemberEndpoint member) {
    return call(stub(member, deadline).clusterInfo(ClusterInfoRequest.getDefaultInstance()));
  }

  @Override
  public CompletableFuture<Void> addMembers(MemberEndpoint via, List<MemberAddress> members) {
    return call(stub(via, membershipDeadline)
            .addMembers(AddMembersRequest.newBuilder().addAllMembers(members).build()))
        .thenApply(r -> null);
  }

  @Override
  public CompletableFuture<Void> removeMembers(MemberEndpoint via, List<String> memberIds) {
    return call(stub(via, membershipDeadline)
            .removeMembers(RemoveMembersRequest.newBuilder().addAllMemberIds(memberIds).build()))
        .thenApply(r -> null);
  }

  @Override
  public CompletableFuture<Void> transferLeadership(MemberEndpoint via, String targetId) {
    return call(stub(via, membershipDeadline)
            .transferLeadership(
                TransferLeadershipRequest.newBuilder().setTargetId(targetId).build()))
        .thenApply(r -> null);
  }

  private ClusterAdminServiceGrpc.ClusterAdminServiceFutureStub stub(
      MemberEndpoint member, Duration callDeadline) {
    ManagedChannel channel = channels.computeIfAbsent(member.target(), channelFactory);
    return ClusterAdminServiceGrpc.newFutureStub(channel)
        .withDeadlineAfter(callDeadline.toMillis(), TimeUnit.MILLISECONDS);
  }

  private static <T> CompletableFuture<T> call(ListenableFuture<T> future) {
    CompletableFuture<T> result = new CompletableFuture<>();
    Futures.addCallback(
        future,
        new FutureCallback<>() {
          @Override
          public void onSuccess(T response) {
            result.complete(response);
          }

          @Override
          public void onFailure(Throwable t) {
            result.completeExceptionally(t);
          }
        },
        MoreExecutors.directExecutor());
    return result;
  }

  @Override
  public void close() {
    channels.values().forEach(ManagedChannel::shutdownNow);
    channels.clear();
  }
}

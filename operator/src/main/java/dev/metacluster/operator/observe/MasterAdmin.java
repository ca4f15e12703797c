package dev.metacluster.operator.observe;

import dev.metacluster.api.admin.v1.ClusterInfoResponse;
import dev.metacluster.api.admin.v1.MemberAddress;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The operator's view of a master's admin API (ClusterAdminService). The gRPC implementation is
 * {@link GrpcMasterAdmin}; tests use a fake. Calls complete exceptionally when the member does not
 * answer within the implementation's deadline.
 *
 * <p>The membership calls go to the leader ({@code via}); each is idempotent on the master (adding
 * a member already present, removing one already gone are no-ops), so a step retried after an
 * operator restart does no harm.
 */
public interface MasterAdmin extends AutoCloseable {

  /** This member's view of the Raft group. */
  CompletableFuture<ClusterInfoResponse> clusterInfo(MemberEndpoint member);

  /** Adds running joiners to the group; they catch up before they vote. */
  CompletableFuture<Void> addMembers(MemberEndpoint via, List<MemberAddress> members);

  /** Removes members from the group. */
  CompletableFuture<Void> removeMembers(MemberEndpoint via, List<String> memberIds);

  /** Moves leadership to {@code targetId}; completes when it leads or the deadline passes. */
  CompletableFuture<Void> transferLeadership(MemberEndpoint via, String targetId);

  @Override
  default void close() {}
}

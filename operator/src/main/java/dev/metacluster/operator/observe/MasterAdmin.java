package dev.metacluster.operator.observe;

import dev.metacluster.api.admin.v1.ClusterInfoResponse;
import java.util.concurrent.CompletableFuture;

/**
 * The operator's view of a master's admin API (ClusterAdminService). The gRPC implementation is
 * {@link GrpcMasterAdmin}; tests use a fake. Calls complete exceptionally when the member does not
 * answer within the implementation's deadline.
 *
 * <p>The membership calls (AddMembers, RemoveMembers, TransferLeadership) join this interface when
 * the operator starts changing the group.
 */
public interface MasterAdmin extends AutoCloseable {

  /** This member's view of the Raft group. */
  CompletableFuture<ClusterInfoResponse> clusterInfo(MemberEndpoint member);

  @Override
  default void close() {}
}

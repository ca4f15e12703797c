package dev.metacluster.operator.observe;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.MoreExecutors;
import dev.metacluster.api.admin.v1.ClusterAdminServiceGrpc;
import dev.metacluster.api.admin.v1.ClusterInfoRequest;
import dev.metacluster.api.admin.v1.ClusterInfoResponse;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.time.Duration;
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
  private final Duration deadline;
  private final Function<String, ManagedChannel> channelFactory;
  private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();

  public GrpcMasterAdmin(Duration deadline) {
    this(deadline, target -> ManagedChannelBuilder.forTarget(target).usePlaintext().build());
  }

  /** With a channel per target from {@code channelFactory} (tests: in-process channels). */
  public GrpcMasterAdmin(Duration deadline, Function<String, ManagedChannel> channelFactory) {
    this.deadline = deadline;
    this.channelFactory = channelFactory;
  }

  @Override
  public CompletableFuture<ClusterInfoResponse> clusterInfo(MemberEndpoint member) {
    ManagedChannel channel = channels.computeIfAbsent(member.target(), channelFactory);
    CompletableFuture<ClusterInfoResponse> result = new CompletableFuture<>();
    Futures.addCallback(
        ClusterAdminServiceGrpc.newFutureStub(channel)
            .withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS)
            .clusterInfo(ClusterInfoRequest.getDefaultInstance()),
        new FutureCallback<>() {
          @Override
          public void onSuccess(ClusterInfoResponse response) {
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

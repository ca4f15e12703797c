package dev.metacluster.operator.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.metacluster.api.admin.v1.ClusterAdminServiceGrpc;
import dev.metacluster.api.admin.v1.ClusterInfoRequest;
import dev.metacluster.api.admin.v1.ClusterInfoResponse;
import dev.metacluster.api.admin.v1.Role;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

/** The gRPC implementation against an in-process ClusterAdminService. */
class GrpcMasterAdminTest {

  @Test
  void asksClusterInfoAndReportsAnAbsentMember() throws Exception {
    String name = InProcessServerBuilder.generateName();
    Server server =
        InProcessServerBuilder.forName(name)
            .directExecutor()
            .addService(
                new ClusterAdminServiceGrpc.ClusterAdminServiceImplBase() {
                  @Override
                  public void clusterInfo(
                      ClusterInfoRequest request, StreamObserver<ClusterInfoResponse> out) {
                    out.onNext(
                        ClusterInfoResponse.newBuilder()
                            .setMemberId("m-0")
                            .setRole(Role.LEADER)
                            .setTerm(7)
                            .build());
                    out.onCompleted();
                  }
                })
            .build()
            .start();
    try (GrpcMasterAdmin admin =
        new GrpcMasterAdmin(
            Duration.ofSeconds(10),
            target ->
                target.startsWith("up:")
                    ? InProcessChannelBuilder.forName(name).directExecutor().build()
                    : InProcessChannelBuilder.forName("nobody-" + name).build())) {
      ClusterInfoResponse info = admin.clusterInfo(new MemberEndpoint("m-0", "up", 1)).get();
      assertThat(info.getRole()).isEqualTo(Role.LEADER);
      assertThat(info.getTerm()).isEqualTo(7);
      assertThatThrownBy(() -> admin.clusterInfo(new MemberEndpoint("m-1", "down", 1)).get())
          .isInstanceOf(ExecutionException.class)
          .hasMessageContaining("UNAVAILABLE");
    } finally {
      server.shutdownNow();
    }
  }
}

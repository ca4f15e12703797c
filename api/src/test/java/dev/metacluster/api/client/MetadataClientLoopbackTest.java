package dev.metacluster.api.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.metacluster.api.fs.v1.FileStatus;
import io.grpc.Status;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The client with its own (Netty, plaintext) channels against members on 127.0.0.1. */
class MetadataClientLoopbackTest {
  private FakeCluster cluster;
  private String live;
  private String dead;

  @BeforeEach
  void start() throws Exception {
    cluster = new FakeCluster(0);
    live = cluster.startLoopback();
    cluster.leader = live;
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      dead = "127.0.0.1:" + probe.getLocalPort(); // nothing listens there once closed
    }
  }

  @AfterEach
  void stop() throws Exception {
    cluster.close();
  }

  @Test
  void aRefusedConnectionMovesOnToTheNextMember() {
    try (MetadataClient client =
        MetadataClient.builder()
            .addresses(List.of(dead, live))
            .backoff(Duration.ofMillis(1), Duration.ofMillis(20))
            .build()) {
      for (int i = 0; i < 4; i++) {
        client.createFile("/f" + i, false);
      }
      assertThat(client.leader()).contains(live);
      assertThat(cluster.applied("CreateFile")).isEqualTo(4);
    }
  }

  /**
   * gRPC keeps a channel whose connection failed in a reconnect backoff of about a second, and
   * fails calls on it at once meanwhile. A member that restarts within that second (a new leader
   * after a crash, say) must still be reached by the client's next attempt.
   */
  @Test
  void aMemberBackFromACrashIsReachedByTheNextAttempt() throws Exception {
    try (MetadataClient client =
        MetadataClient.builder()
            .addresses(List.of(live))
            .maxAttempts(2)
            // 100-200 ms between the attempts of a call: far less than gRPC's reconnect backoff,
            // far more than a connection on loopback takes.
            .backoff(Duration.ofMillis(200), Duration.ofMillis(200))
            .build()) {
      client.createFile("/before", false);
      cluster.kill(live);
      assertThatThrownBy(() -> client.createFile("/while-down", false))
          .isInstanceOfSatisfying(
              MetadataException.class,
              e -> assertThat(e.code()).isEqualTo(Status.Code.UNAVAILABLE));
      cluster.startLoopback(HostPort.parse(live).port());

      client.createFile("/after", false);

      assertThat(cluster.applied("CreateFile")).isEqualTo(2);
    }
  }

  @Test
  void aResponseOverTheInboundLimitIsRefused() {
    cluster.files.put(
        "/big",
        FileStatus.newBuilder()
            .setPath("/big")
            .setName("big")
            .putXattrs("x", ByteString.copyFrom(new byte[64 * 1024]))
            .build());
    try (MetadataClient client =
        MetadataClient.builder()
            .addresses(List.of(live))
            .maxInboundMessageSize(16 * 1024)
            .backoff(Duration.ofMillis(1), Duration.ofMillis(20))
            .build()) {
      assertThat(client.exists("/big")).isTrue();
      assertThatThrownBy(() -> client.getStatus("/big"))
          .isInstanceOfSatisfying(
              MetadataException.class,
              e -> assertThat(e.code()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED));
    }
  }
}

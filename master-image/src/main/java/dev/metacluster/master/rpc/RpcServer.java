package dev.metacluster.master.rpc;

import dev.metacluster.master.journal.JournalServer;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client-facing gRPC server of one member: the file-system and admin services, the standard
 * health service, with request limits, back-pressure, per-call metadata and metrics around them.
 */
public final class RpcServer implements Closeable {
  private static final Logger LOG = LoggerFactory.getLogger(RpcServer.class);

  private final Server server;
  private final HealthStatusManager health = new HealthStatusManager();
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "rpc-deadlines");
            t.setDaemon(true);
            return t;
          });

  public RpcServer(
      JournalServer journal, RpcLimits limits, InetSocketAddress bind, MeterRegistry registry) {
    RpcErrors errors = new RpcErrors(journal);
    CallLimits callLimits = new CallLimits(limits.maxInFlight(), limits.defaultDeadline(), timer);
    Gauge.builder("metacluster.rpc.in.flight", callLimits, CallLimits::inFlight)
        .description("gRPC calls being served")
        .register(registry);
    // Interceptors run last-added first: metrics (rejections count too), limits, the metadata.
    RpcMetrics metrics = new RpcMetrics(registry);
    CallHeaders headers = new CallHeaders();
    var fs =
        ServerInterceptors.intercept(
            new FileSystemRpc(journal, errors, Clock.systemUTC(), limits),
            headers,
            callLimits,
            metrics);
    var admin =
        ServerInterceptors.intercept(
            new ClusterAdminRpc(journal, errors), headers, callLimits, metrics);
    this.server =
        NettyServerBuilder.forAddress(bind)
            .maxInboundMessageSize(limits.maxMessageBytes())
            .maxInboundMetadataSize(64 << 10)
            .permitKeepAliveTime(10, TimeUnit.SECONDS)
            .addService(StrictParsing.of(fs))
            .addService(StrictParsing.of(admin))
            .addService(health.getHealthService())
            .build();
    health.setStatus("", ServingStatus.NOT_SERVING);
  }

  public void start() throws IOException {
    server.start();
    LOG.info("client API listening on port {}", server.getPort());
  }

  public int port() {
    return server.getPort();
  }

  /** What {@code grpc.health.v1} reports for the whole server (kept in step with /readyz). */
  public void setServing(boolean serving) {
    health.setStatus("", serving ? ServingStatus.SERVING : ServingStatus.NOT_SERVING);
  }

  @Override
  public void close() {
    health.enterTerminalState();
    server.shutdown();
    try {
      if (!server.awaitTermination(5, TimeUnit.SECONDS)) {
        server.shutdownNow();
        server.awaitTermination(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      server.shutdownNow();
      Thread.currentThread().interrupt();
    }
    timer.shutdownNow();
  }
}

package dev.metacluster.master.rpc;

import com.google.common.util.concurrent.ThreadFactoryBuilder;
import dev.metacluster.api.fs.v1.FileSystemServiceGrpc;
import dev.metacluster.master.journal.JournalServer;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
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
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
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
          new ThreadFactoryBuilder().setNameFormat("rpc-deadlines").setDaemon(true).build());

  // asyncMode: FIFO for event-style tasks that are never joined
  private final ForkJoinPool fileSystemCalls =
      new ForkJoinPool(
          Math.max(2, Runtime.getRuntime().availableProcessors()),
          pool -> {
            ForkJoinWorkerThread t =
                ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(pool);
            t.setName("rpc-fs-" + t.getPoolIndex());
            return t;
          },
          null,
          true);

  // One thread, a bounded queue: see FileSystemRpc.tooLargeToDelete.
  private final ThreadPoolExecutor deleteCounts =
      new ThreadPoolExecutor(
          1,
          1,
          0,
          TimeUnit.SECONDS,
          new ArrayBlockingQueue<>(1_000),
          new ThreadFactoryBuilder().setNameFormat("delete-counts").setDaemon(true).build());

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
            new FileSystemRpc(journal, errors, Clock.systemUTC(), limits, deleteCounts),
            headers,
            callLimits,
            metrics);
    var admin =
        ServerInterceptors.intercept(
            new ClusterAdminRpc(journal, errors), headers, callLimits, metrics);
    this.server =
        NettyServerBuilder.forAddress(bind)
            .callExecutor(this::executorFor)
            .maxInboundMessageSize(limits.maxMessageBytes())
            .maxInboundMetadataSize(64 << 10)
            .permitKeepAliveTime(10, TimeUnit.SECONDS)
            .addService(StrictParsing.of(fs))
            .addService(StrictParsing.of(admin))
            .addService(health.getHealthService())
            .build();
    health.setStatus("", ServingStatus.NOT_SERVING);
  }

  /**
   * File-system calls run on a small work-stealing pool: they never block (writes and reads
   * complete asynchronously from the journal), and gRPC's default cached pool hands every call to a
   * thread through a {@code SynchronousQueue}, parking and waking a thread per call (12% of the
   * leader's CPU in the cluster benchmark, docs/BENCHMARKS.md). Admin, backup-streaming and health
   * calls may block (membership changes, flow control) and stay on the default pool (null).
   */
  private Executor executorFor(ServerCall<?, ?> call, Metadata headers) {
    return FileSystemServiceGrpc.SERVICE_NAME.equals(call.getMethodDescriptor().getServiceName())
        ? fileSystemCalls
        : null;
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
    fileSystemCalls.shutdownNow();
    deleteCounts.shutdownNow();
  }
}

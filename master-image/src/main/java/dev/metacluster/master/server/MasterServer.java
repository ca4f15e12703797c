package dev.metacluster.master.server;

import com.google.common.util.concurrent.ThreadFactoryBuilder;
import dev.metacluster.master.journal.JournalServer;
import dev.metacluster.master.rpc.RpcServer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One master process: the journal member (Raft + RocksDB), the client gRPC API, and the HTTP probes
 * and metrics. Stops in the order that loses nothing: clients are told first (health NOT SERVING),
 * leadership is handed over while the API still answers with the new leader's address, then Raft
 * and RocksDB close, then the servers.
 */
public final class MasterServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(MasterServer.class);

  private final MasterConfig config;
  private final MemberProcess member;
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final RpcServer rpc;
  private final ProbeServer probes;
  private final MemberHealth health;
  private final ScheduledExecutorService healthSync =
      Executors.newSingleThreadScheduledExecutor(
          new ThreadFactoryBuilder().setNameFormat("health-sync").setDaemon(true).build());
  private final AtomicBoolean closing = new AtomicBoolean();
  private final CountDownLatch closed = new CountDownLatch(1);

  public MasterServer(MasterConfig config) throws IOException {
    this.config = config;
    this.member = new MemberProcess(config.journal(), config.store());
    JournalServer journal = member.server();
    this.health = new MemberHealth(journal, config.readyMaxLag());
    MasterMetrics.bind(registry, journal);
    this.rpc =
        new RpcServer(
            journal,
            config.rpc(),
            new InetSocketAddress(config.bindHost(), config.clientAddress().getPort()),
            registry);
    this.probes =
        new ProbeServer(
            new InetSocketAddress(config.bindHost(), config.httpPort()),
            health::alive,
            health::ready,
            registry);
  }

  /** Runs until the JVM shuts down (SIGTERM), then stops cleanly. */
  public static void run(MasterConfig config) throws IOException, InterruptedException {
    MasterServer server = new MasterServer(config);
    server.start();
    Runtime.getRuntime().addShutdownHook(new Thread(server::close, "master-shutdown"));
    server.closed.await();
  }

  public void start() throws IOException {
    try {
      // Probes last: /readyz must not answer before the client API listens.
      member.start();
      rpc.start();
      probes.start();
    } catch (IOException | RuntimeException e) {
      close();
      throw e;
    }
    healthSync.scheduleWithFixedDelay(
        () -> rpc.setServing(health.ready().ok()), 0, 500, TimeUnit.MILLISECONDS);
    LOG.info(
        "master {} of cluster {}: client API on {}:{}, probes and metrics on {}:{}",
        config.journal().memberId(),
        config.journal().clusterName(),
        config.bindHost(),
        rpc.port(),
        config.bindHost(),
        probes.port());
  }

  public JournalServer journal() {
    return member.server();
  }

  public MemberHealth health() {
    return health;
  }

  public int clientPort() {
    return rpc.port();
  }

  public int httpPort() {
    return probes.port();
  }

  @Override
  public void close() {
    if (!closing.compareAndSet(false, true)) {
      try {
        closed.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return;
    }
    try {
      healthSync.shutdownNow();
      rpc.setServing(false);
      member.close();
      rpc.close();
      probes.close();
      registry.close();
    } finally {
      closed.countDown();
    }
  }
}

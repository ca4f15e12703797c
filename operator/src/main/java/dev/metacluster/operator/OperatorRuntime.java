package dev.metacluster.operator;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.metacluster.operator.backup.MetadataBackupReconciler;
import dev.metacluster.operator.observe.MasterAdmin;
import dev.metacluster.operator.observe.MemberAddressResolver;
import dev.metacluster.operator.reconciler.MetadataClusterReconciler;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.ControllerConfigurationOverrider;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator as one closeable thing: the JOSDK Operator with the MetadataCluster and
 * MetadataBackup controllers, Micrometer metrics on a Prometheus registry, and a small HTTP server
 * for {@code /metrics}, {@code /healthz} (informers healthy) and {@code /readyz} (started; a
 * replica waiting for the leader Lease is ready too, so a rollout of the operator never stalls on
 * it). The process main and the tests build it the same way.
 */
public final class OperatorRuntime implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(OperatorRuntime.class);

  private final Operator operator;
  private final PrometheusMeterRegistry registry;
  private final MasterAdmin admin;
  private final HttpServer http;
  private volatile boolean started;

  public OperatorRuntime(
      KubernetesClient client,
      OperatorSettings settings,
      MasterAdmin admin,
      MemberAddressResolver resolver) {
    this.admin = admin;
    this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    MicrometerMetrics metrics =
        MicrometerMetrics.newPerResourceCollectingMicrometerMetricsBuilder(registry).build();
    this.operator =
        new Operator(
            o -> {
              o.withKubernetesClient(client).withMetrics(metrics).withCloseClientOnStop(false);
              if (settings.leaseName() != null) {
                o.withLeaderElectionConfiguration(
                    new LeaderElectionConfiguration(
                        settings.leaseName(), settings.leaseNamespace()));
              }
            });
    MetadataClusterReconciler reconciler =
        new MetadataClusterReconciler(admin, resolver, settings.observePeriod(), Clock.systemUTC());
    operator.register(reconciler, c -> watchNamespaces(c, settings));
    operator.register(
        new MetadataBackupReconciler(Clock.systemUTC(), settings.observePeriod()),
        c -> watchNamespaces(c, settings));
    this.http = settings.httpPort() < 0 ? null : httpServer(settings.httpPort());
  }

  private static <P extends HasMetadata> void watchNamespaces(
      ControllerConfigurationOverrider<P> c, OperatorSettings settings) {
    if (!settings.namespaces().isEmpty()) {
      c.settingNamespaces(settings.namespaces());
    }
  }

  public OperatorRuntime start() {
    if (http != null) {
      http.start();
    }
    operator.start();
    started = true;
    log.info(
        "operator started{}",
        http == null ? "" : "; metrics and probes on :" + http.getAddress().getPort());
    return this;
  }

  /** The HTTP port actually bound, -1 without an HTTP server. */
  public int httpPort() {
    return http == null ? -1 : http.getAddress().getPort();
  }

  public Operator operator() {
    return operator;
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  private HttpServer httpServer(int port) {
    try {
      HttpServer server = HttpServer.create(new InetSocketAddress(port), 0);
      server.createContext(
          "/metrics",
          ex -> respond(ex, 200, "text/plain; version=0.0.4; charset=utf-8", registry.scrape()));
      server.createContext(
          "/healthz",
          ex -> {
            boolean healthy =
                !started
                    || !operator.getRuntimeInfo().isStarted()
                    || operator.getRuntimeInfo().allEventSourcesAreHealthy();
            respond(
                ex,
                healthy ? 200 : 503,
                "text/plain",
                healthy
                    ? "ok\n"
                    : "unhealthy: " + operator.getRuntimeInfo().unhealthyEventSources() + "\n");
          });
      server.createContext(
          "/readyz",
          ex -> respond(ex, started ? 200 : 503, "text/plain", started ? "ready\n" : "starting\n"));
      return server;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot listen on port " + port, e);
    }
  }

  private static void respond(HttpExchange ex, int code, String type, String body)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", type);
    ex.sendResponseHeaders(code, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    started = false;
    try {
      operator.stop();
    } finally {
      if (http != null) {
        http.stop(0);
      }
      admin.close();
      registry.close();
    }
  }
}

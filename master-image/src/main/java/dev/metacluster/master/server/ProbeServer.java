package dev.metacluster.master.server;

import com.google.common.util.concurrent.ThreadFactoryBuilder;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * The HTTP side of a member, for Kubernetes and Prometheus: {@code /healthz} (the process is
 * alive), {@code /readyz} (a caught-up member of the group), {@code /metrics} (Prometheus text).
 * 200 means yes, 503 no; the body says why.
 */
final class ProbeServer implements AutoCloseable {
  private final HttpServer server;
  private final ExecutorService executor;

  ProbeServer(
      InetSocketAddress bind,
      Supplier<MemberHealth.Status> alive,
      Supplier<MemberHealth.Status> ready,
      PrometheusMeterRegistry registry)
      throws IOException {
    server = HttpServer.create(bind, 16);
    executor =
        Executors.newFixedThreadPool(
            2, new ThreadFactoryBuilder().setNameFormat("probe-http-%d").setDaemon(true).build());
    server.setExecutor(executor);
    server.createContext("/healthz", ex -> probe(ex, alive.get()));
    server.createContext("/readyz", ex -> probe(ex, ready.get()));
    server.createContext(
        "/metrics",
        ex -> respond(ex, 200, "text/plain; version=0.0.4; charset=utf-8", registry.scrape()));
  }

  void start() {
    server.start();
  }

  int port() {
    return server.getAddress().getPort();
  }

  private static void probe(HttpExchange ex, MemberHealth.Status status) throws IOException {
    respond(ex, status.ok() ? 200 : 503, "text/plain; charset=utf-8", status.reason() + "\n");
  }

  private static void respond(HttpExchange ex, int code, String type, String body)
      throws IOException {
    try (ex) {
      if (!"GET".equals(ex.getRequestMethod()) && !"HEAD".equals(ex.getRequestMethod())) {
        ex.sendResponseHeaders(405, -1);
        return;
      }
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().set("Content-Type", type);
      boolean head = "HEAD".equals(ex.getRequestMethod());
      ex.sendResponseHeaders(code, head ? -1 : bytes.length);
      if (!head) {
        try (OutputStream out = ex.getResponseBody()) {
          out.write(bytes);
        }
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}

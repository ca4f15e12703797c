package dev.metacluster.operator.testing;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;

/**
 * The API stand-in of the operator tests and the end-to-end harness: the fabric8 mock API server in
 * CRUD mode with {@link ServerSideApplyDispatcher}, on loopback over plain HTTP, with the
 * MetadataCluster CRD from crds/ installed (so the status subresource behaves as declared). Close
 * it to stop the server and its client.
 */
public final class MockKubernetes implements AutoCloseable {
  /** The mock logs every request at INFO through java.util.logging; kept (JUL holds it weakly). */
  private static final java.util.logging.Logger MOCK_LOG =
      java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");

  static {
    MOCK_LOG.setLevel(java.util.logging.Level.WARNING);
  }

  private final KubernetesMockServer server;
  private final KubernetesClient client;

  public MockKubernetes() {
    server =
        new KubernetesMockServer(
            new Context(io.fabric8.kubernetes.client.utils.Serialization.jsonMapper()),
            new MockWebServer(),
            new HashMap<>(),
            new ServerSideApplyDispatcher(),
            false);
    server.init();
    client = server.createClient();
    installCrds(Examples.repo().resolve("crds"));
  }

  /** Creates every CRD in {@code dir} (as kubectl apply -f crds/ would). */
  public void installCrds(Path dir) {
    try (var files = Files.list(dir)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".yml")).sorted().toList()) {
        try (InputStream in = Files.newInputStream(file)) {
          CustomResourceDefinition crd =
              client.apiextensions().v1().customResourceDefinitions().load(in).item();
          client.resource(crd).create();
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot read CRDs from " + dir, e);
    }
  }

  public KubernetesClient client() {
    return client;
  }

  /** A further client of the same server (e.g. one the operator may close itself). */
  public KubernetesClient newClient() {
    return server.createClient();
  }

  @Override
  public void close() {
    client.close();
    server.destroy();
  }
}

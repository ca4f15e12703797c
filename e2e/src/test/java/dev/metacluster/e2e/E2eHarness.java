package dev.metacluster.e2e;

import static org.awaitility.Awaitility.await;

import dev.metacluster.api.client.MetadataClient;
import dev.metacluster.operator.OperatorRuntime;
import dev.metacluster.operator.OperatorSettings;
import dev.metacluster.operator.crd.MetadataCluster;
import dev.metacluster.operator.crd.MetadataClusterStatus;
import dev.metacluster.operator.model.Names;
import dev.metacluster.operator.observe.GrpcMasterAdmin;
import dev.metacluster.operator.observe.MemberAddressResolver;
import dev.metacluster.operator.observe.MemberEndpoint;
import dev.metacluster.operator.testing.MockKubernetes;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One end-to-end environment: the mock API server (with the server-side apply stand-in and the CRDs
 * from crds/), the real operator in this JVM, and {@link StatefulSetStandIn} with its {@link
 * Kubelet} running real master processes from the image layout. The operator reaches the masters
 * through {@link LoopbackDns} (its {@link MemberAddressResolver} hook), clients reach a Service
 * through a {@link ServiceProxy}. Close it to stop everything; every master process is SIGKILLed,
 * also from a shutdown hook if the test JVM ends without closing it.
 */
final class E2eHarness implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(E2eHarness.class);

  /** How often the operator observes a cluster when nothing else happens. */
  static final Duration OBSERVE_PERIOD = Duration.ofSeconds(1);

  private final Path work;
  private final MockKubernetes k8s;
  private final LoopbackDns dns = new LoopbackDns();
  private final Kubelet kubelet;
  private final StatefulSetStandIn workloads;
  private final OperatorRuntime operator;
  private final Map<String, ServiceProxy> proxies = new ConcurrentHashMap<>();
  private final Thread killer;

  /**
   * @param name names this environment's work directory (target/e2e/NAME: pod logs, volumes)
   */
  E2eHarness(String name) throws IOException {
    Path repo = Path.of(System.getProperty("e2e.repo", "..")).toAbsolutePath().normalize();
    work = Path.of(System.getProperty("e2e.work", "target/e2e")).toAbsolutePath().resolve(name);
    Kubelet.deleteTree(work);
    Files.createDirectories(work);
    Path entrypoint = MasterImage.assemble(repo, work.resolve("image"));

    // What the operator relies on and this API server lacks (docs/TESTING.md has the full list):
    // server-side apply (filled by MockKubernetes' dispatcher, without field ownership), the CRD
    // schema and CEL rules at admission (not enforced: invalid specs reach the operator), the
    // garbage collector (children outlive their MetadataCluster; StatefulSetStandIn collects only
    // pods), and every controller and the kubelet (StatefulSetStandIn, Kubelet).
    k8s = new MockKubernetes();
    kubelet =
        new Kubelet(
            k8s.newClient(),
            dns,
            entrypoint,
            work,
            // <service>.<ns>.svc:PORT, as a pod dials a Service, to its proxy here
            address -> {
              String[] labels = address.substring(0, address.indexOf(':')).split("\\.");
              return serviceAddress(labels[1], labels[0]);
            });
    workloads = new StatefulSetStandIn(k8s.newClient(), kubelet);
    killer = new Thread(kubelet::killAll, "e2e-kill-masters");
    Runtime.getRuntime().addShutdownHook(killer);
    workloads.start();

    // pod DNS names of the headless Service, as the operator dials them and announces new members
    // to the group, resolved to loopback
    MemberAddressResolver resolver =
        (mdc, ordinal) -> {
          String pod = Names.podName(mdc, ordinal);
          LoopbackDns.PodPorts ports = dns.resolve(Names.memberHost(mdc, ordinal));
          return new MemberEndpoint(pod, LoopbackDns.HOST, ports.client(), ports.raft());
        };
    operator =
        new OperatorRuntime(
                k8s.newClient(),
                OperatorSettings.defaults().withObservePeriod(OBSERVE_PERIOD).withHttpPort(0),
                new GrpcMasterAdmin(Duration.ofSeconds(1)),
                resolver)
            .start();
    log.info("e2e environment {} up; work directory {}", name, work);
  }

  KubernetesClient client() {
    return k8s.client();
  }

  /** The pods' processes and volumes. */
  Kubelet kubelet() {
    return kubelet;
  }

  Path work() {
    return work;
  }

  /**
   * The address of Service {@code name} as a client inside the cluster dials it ({@code
   * <name>.<ns>.svc:<port>}), here a loopback proxy to the Service's ready endpoints.
   */
  String serviceAddress(String namespace, String name) {
    return proxies
        .computeIfAbsent(
            namespace + "/" + name,
            k -> {
              try {
                return new ServiceProxy(
                    k,
                    () -> {
                      Service svc = client().services().inNamespace(namespace).withName(name).get();
                      return svc == null
                          ? java.util.List.of()
                          : kubelet.readyClientPorts(namespace, svc.getSpec().getSelector());
                    });
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            })
        .address();
  }

  /**
   * A client of cluster {@code name} through its client Service, as an application in the cluster
   * would use it; its calls may take up to a minute, so writes ride out failovers and restarts.
   */
  MetadataClient clientOf(String namespace, String name) {
    return MetadataClient.builder()
        .target(serviceAddress(namespace, name))
        .callTimeout(Duration.ofSeconds(60))
        .build();
  }

  MetadataCluster cluster(String namespace, String name) {
    return client().resources(MetadataCluster.class).inNamespace(namespace).withName(name).get();
  }

  MetadataClusterStatus status(String namespace, String name) {
    MetadataCluster mdc = cluster(namespace, name);
    return mdc == null || mdc.getStatus() == null ? new MetadataClusterStatus() : mdc.getStatus();
  }

  /** Waits until the cluster's Ready condition is True. */
  void awaitReady(String namespace, String name, Duration timeout) {
    await()
        .atMost(timeout)
        .pollInterval(Duration.ofMillis(100))
        .until(() -> Scenarios.isReady(status(namespace, name)));
  }

  @Override
  public void close() {
    try {
      operator.close();
    } catch (RuntimeException e) {
      log.warn("operator stop: {}", e.toString());
    }
    for (ServiceProxy p : proxies.values()) {
      try {
        p.close();
      } catch (IOException e) {
        log.warn("proxy stop: {}", e.toString());
      }
    }
    workloads.close();
    k8s.close();
    try {
      Runtime.getRuntime().removeShutdownHook(killer);
    } catch (IllegalStateException e) {
      // already shutting down: the hook runs anyway
    }
  }
}

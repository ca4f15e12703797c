package dev.metacluster.operator;

import dev.metacluster.operator.observe.GrpcMasterAdmin;
import dev.metacluster.operator.observe.MemberAddressResolver;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The operator process. Talks to the cluster of the current kubeconfig (or the in-cluster service
 * account), watches all namespaces or those given, and runs until stopped. Every option has an
 * environment variable, for the Deployment.
 */
@Command(
    name = "metacluster-operator",
    mixinStandardHelpOptions = true,
    description = "Reconciles MetadataCluster resources into running, observed master clusters.")
public final class OperatorMain implements Callable<Integer> {

  @Option(
      names = "--namespaces",
      split = ",",
      defaultValue = "${env:METACLUSTER_OPERATOR_NAMESPACES:-}",
      description =
          "Namespaces to watch, comma-separated; all when empty"
              + " (env METACLUSTER_OPERATOR_NAMESPACES).")
  String[] namespaces = new String[0];

  @Option(
      names = "--observe-period",
      defaultValue = "${env:METACLUSTER_OPERATOR_OBSERVE_PERIOD:-PT15S}",
      description =
          "How often each cluster's masters are asked, ISO-8601 (default ${DEFAULT-VALUE}).")
  Duration observePeriod;

  @Option(
      names = "--admin-deadline",
      defaultValue = "${env:METACLUSTER_OPERATOR_ADMIN_DEADLINE:-PT2S}",
      description = "Deadline of one admin call to a master, ISO-8601 (default ${DEFAULT-VALUE}).")
  Duration adminDeadline;

  @Option(
      names = "--http-port",
      defaultValue = "${env:METACLUSTER_OPERATOR_HTTP_PORT:-8080}",
      description = "Port of /metrics, /healthz, /readyz; -1 for none (default ${DEFAULT-VALUE}).")
  int httpPort;

  @Option(
      names = "--lease-name",
      defaultValue = "${env:METACLUSTER_OPERATOR_LEASE:-}",
      description =
          "Lease for leader election between operator replicas; none when empty"
              + " (env METACLUSTER_OPERATOR_LEASE).")
  String leaseName;

  @Option(
      names = "--lease-namespace",
      defaultValue = "${env:POD_NAMESPACE:-}",
      description = "Namespace of the Lease (env POD_NAMESPACE); the client's namespace if empty.")
  String leaseNamespace;

  public static void main(String[] args) {
    System.exit(new CommandLine(new OperatorMain()).execute(args));
  }

  @Override
  public Integer call() throws InterruptedException {
    Set<String> watched = new LinkedHashSet<>();
    Arrays.stream(namespaces).map(String::trim).filter(s -> !s.isEmpty()).forEach(watched::add);
    OperatorSettings settings =
        new OperatorSettings(
            watched,
            observePeriod,
            adminDeadline,
            httpPort,
            blankToNull(leaseName),
            blankToNull(leaseNamespace));
    KubernetesClient client = new KubernetesClientBuilder().build();
    CountDownLatch stopped = new CountDownLatch(1);
    OperatorRuntime runtime =
        new OperatorRuntime(
            client,
            settings,
            new GrpcMasterAdmin(adminDeadline),
            MemberAddressResolver.CLUSTER_DNS);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  runtime.close();
                  client.close();
                  stopped.countDown();
                },
                "operator-shutdown"));
    runtime.start();
    stopped.await();
    return 0;
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }
}

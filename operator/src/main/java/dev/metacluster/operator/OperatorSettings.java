package dev.metacluster.operator;

import java.time.Duration;
import java.util.Set;

/**
 * How one operator process runs.
 *
 * @param namespaces the namespaces to watch; empty for all
 * @param observePeriod how often each cluster is observed when nothing else happens
 * @param adminDeadline the deadline of one ClusterInfo call to a master
 * @param httpPort the port of /metrics, /healthz and /readyz; 0 picks a free one, -1 none
 * @param leaseName the Lease for leader election among operator replicas; null for none
 * @param leaseNamespace the namespace of the Lease; null for the client's namespace
 */
public record OperatorSettings(
    Set<String> namespaces,
    Duration observePeriod,
    Duration adminDeadline,
    int httpPort,
    String leaseName,
    String leaseNamespace) {

  public static OperatorSettings defaults() {
    return new OperatorSettings(
        Set.of(), Duration.ofSeconds(15), Duration.ofSeconds(2), 8080, null, null);
  }

  public OperatorSettings withObservePeriod(Duration period) {
    return new OperatorSettings(
        namespaces, period, adminDeadline, httpPort, leaseName, leaseNamespace);
  }

  public OperatorSettings withHttpPort(int port) {
    return new OperatorSettings(
        namespaces, observePeriod, adminDeadline, port, leaseName, leaseNamespace);
  }

  public OperatorSettings withLeaderElection(String name, String namespace) {
    return new OperatorSettings(
        namespaces, observePeriod, adminDeadline, httpPort, name, namespace);
  }
}

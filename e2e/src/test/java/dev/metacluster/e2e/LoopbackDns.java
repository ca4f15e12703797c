package dev.metacluster.e2e;

import dev.metacluster.master.server.LoopbackPorts;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The cluster DNS of the harness. On Kubernetes every master pod has its own IP and the same ports
 * (Raft 9860, client 9870, HTTP 9880), reached as {@code <pod>.<headless>.<ns>.svc}. Here all pods
 * share 127.0.0.1, so each pod gets its own three ports instead, chosen once per pod name and kept
 * for the harness's life (a recreated pod keeps its "address", as a StatefulSet pod keeps its DNS
 * name).
 */
final class LoopbackDns {
  static final String HOST = "127.0.0.1";

  /** The loopback ports standing in for one pod's IP. */
  record PodPorts(int raft, int client, int http) {
    String clientAddress() {
      return HOST + ":" + client;
    }
  }

  private final Map<String, PodPorts> byPod = new ConcurrentHashMap<>();

  /** The ports of pod {@code name} in {@code namespace}, allocated on first use. */
  PodPorts pod(String namespace, String name) {
    return byPod.computeIfAbsent(
        namespace + "/" + name,
        k -> new PodPorts(LoopbackPorts.free(), LoopbackPorts.free(), LoopbackPorts.free()));
  }

  /**
   * The ports behind a pod's DNS name {@code <pod>.<service>.<namespace>.svc[.cluster.local]}.
   *
   * @throws IllegalArgumentException for a name that is not a pod name under a headless Service
   */
  PodPorts resolve(String dnsName) {
    String[] labels = dnsName.split("\\.");
    if (labels.length < 4 || !labels[3].equals("svc")) {
      throw new IllegalArgumentException("not a pod DNS name: " + dnsName);
    }
    return pod(labels[2], labels[0]);
  }

  /**
   * A master's {@code peers} value ({@code ID=HOST[:RAFT[:CLIENT]],...}) with every pod DNS name
   * replaced by 127.0.0.1 and that pod's own Raft and client ports.
   */
  String rewritePeers(String peers) {
    List<String> out = new ArrayList<>();
    for (String entry : peers.split(",")) {
      String e = entry.trim();
      if (e.isEmpty()) {
        continue;
      }
      int eq = e.indexOf('=');
      if (eq < 0) {
        throw new IllegalArgumentException("peers entry without '=': " + e);
      }
      String host = e.substring(eq + 1).split(":")[0];
      PodPorts ports = resolve(host);
      out.add(e.substring(0, eq) + "=" + HOST + ":" + ports.raft() + ":" + ports.client());
    }
    return String.join(",", out);
  }
}

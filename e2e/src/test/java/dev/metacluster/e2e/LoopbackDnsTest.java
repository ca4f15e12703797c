package dev.metacluster.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class LoopbackDnsTest {
  final LoopbackDns dns = new LoopbackDns();

  @Test
  void aPodKeepsItsPortsAndNoTwoPodsShareOne() {
    LoopbackDns.PodPorts a = dns.pod("ns", "meta-0");
    LoopbackDns.PodPorts b = dns.pod("ns", "meta-1");
    LoopbackDns.PodPorts other = dns.pod("other", "meta-0");
    assertThat(dns.pod("ns", "meta-0")).isEqualTo(a);
    assertThat(dns.resolve("meta-0.meta-peers.ns.svc")).isEqualTo(a);
    assertThat(dns.resolve("meta-0.meta-peers.ns.svc.cluster.local")).isEqualTo(a);
    assertThat(
            java.util.stream.Stream.of(a, b, other)
                .flatMap(p -> java.util.stream.Stream.of(p.raft(), p.client(), p.http()))
                .distinct())
        .hasSize(9);
  }

  @Test
  void peersOfTheConfigMapPointAtEachPodsLoopbackPorts() {
    String peers =
        "meta-0=meta-0.meta-peers.ns.svc:9860:9870,meta-1=meta-1.meta-peers.ns.svc:9860:9870";
    LoopbackDns.PodPorts p0 = dns.pod("ns", "meta-0");
    LoopbackDns.PodPorts p1 = dns.pod("ns", "meta-1");
    assertThat(dns.rewritePeers(peers))
        .isEqualTo(
            "meta-0=127.0.0.1:"
                + p0.raft()
                + ":"
                + p0.client()
                + ",meta-1=127.0.0.1:"
                + p1.raft()
                + ":"
                + p1.client());
  }

  @Test
  void aNameThatIsNoPodNameIsRefused() {
    assertThatThrownBy(() -> dns.resolve("meta.ns.svc"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> dns.rewritePeers("meta-0"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}

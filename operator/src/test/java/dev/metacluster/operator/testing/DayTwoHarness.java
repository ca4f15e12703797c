package dev.metacluster.operator.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.metacluster.operator.OperatorRuntime;
import dev.metacluster.operator.OperatorSettings;
import dev.metacluster.operator.crd.MetadataCluster;
import dev.metacluster.operator.crd.MetadataClusterStatus;
import dev.metacluster.operator.observe.MemberAddressResolver;
import dev.metacluster.operator.status.ClusterConditions;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * The world of a day-2 test: the mock API server, fake masters, the real operator (which a test may
 * stop and start again, as a restart of the operator's pod), a {@link KubeletStandIn} per cluster,
 * and one timeline on which the fake masters and the kubelet write what happens, in order. Every
 * cluster is named {@code meta}, one per namespace.
 */
public final class DayTwoHarness implements AutoCloseable {
  public static final Duration WAIT = Duration.ofSeconds(60); // generous: CI machines are shared

  public final MockKubernetes k8s = new MockKubernetes();
  public final KubernetesClient client = k8s.client();
  public final FakeMasterAdmin masters = new FakeMasterAdmin();
  public final List<String> timeline = Collections.synchronizedList(new ArrayList<>());
  private final List<KubeletStandIn> kubelets = new ArrayList<>();
  private OperatorRuntime operator;

  /** Starts an operator (a new one, with empty caches, each time). */
  public DayTwoHarness startOperator() {
    operator =
        new OperatorRuntime(
                k8s.newClient(),
                OperatorSettings.defaults()
                    .withObservePeriod(Duration.ofMillis(200))
                    .withHttpPort(-1),
                masters,
                MemberAddressResolver.CLUSTER_DNS)
            .start();
    return this;
  }

  /** Stops the operator; it takes no further step. */
  public void stopOperator() {
    if (operator != null) {
      operator.close();
      operator = null;
    }
  }

  /**
   * A cluster from the minimal example (3 members unless {@code spec} says), Running with meta-0
   * leading at commit index 5000 (a member on new volumes is far behind); {@code onPodStarted}
   * hears of every pod the kubelet creates. The timeline starts empty.
   */
  public void runningCluster(
      String ns, Consumer<MetadataCluster> spec, Consumer<String> onPodStarted) {
    MetadataCluster mdc = Examples.example("minimal", ns);
    spec.accept(mdc);
    List<String> members =
        java.util.stream.IntStream.range(0, mdc.getSpec().replicasOrDefault())
            .mapToObj(i -> "meta-" + i)
            .toList();
    masters.group(ns, members, "meta-0", 1, 5000).timeline(ns, timeline::add);
    client.resource(mdc).create();
    kubelets.add(KubeletStandIn.start(client, ns, "meta", timeline::add, onPodStarted));
    await().atMost(WAIT).untilAsserted(() -> assertThat(status(ns).phase).isEqualTo("Running"));
    timeline.clear();
  }

  /** The StatefulSet controller and kubelet stand-ins stop (nothing recreates pods or claims). */
  public void stopKubelets() {
    kubelets.forEach(KubeletStandIn::close);
  }

  public MetadataCluster get(String ns) {
    return client.resources(MetadataCluster.class).inNamespace(ns).withName("meta").get();
  }

  public MetadataClusterStatus status(String ns) {
    MetadataCluster mdc = get(ns);
    return mdc == null || mdc.getStatus() == null ? new MetadataClusterStatus() : mdc.getStatus();
  }

  public Condition condition(String ns, String type) {
    return ClusterConditions.find(status(ns).conditions, type).orElse(new Condition());
  }

  /**
   * Applies {@code change} to cluster meta. An edit that raced the operator's own write (409
   * Conflict) changed nothing and is redone on the fresh object, as {@code kubectl edit} asks its
   * user to.
   */
  public void edit(String ns, Consumer<MetadataCluster> change) {
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
    while (true) {
      try {
        client
            .resources(MetadataCluster.class)
            .inNamespace(ns)
            .withName("meta")
            .edit(
                m -> {
                  change.accept(m);
                  return m;
                });
        return;
      } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
        if (e.getCode() != 409 || System.nanoTime() > deadline) {
          throw e;
        }
      }
    }
  }

  public StatefulSet sts(String ns) {
    return client.apps().statefulSets().inNamespace(ns).withName("meta").get();
  }

  /** The volume claims of the namespace: name to uid (a claim created again has another uid). */
  public Map<String, String> claims(String ns) {
    return client.persistentVolumeClaims().inNamespace(ns).list().getItems().stream()
        .collect(
            Collectors.toMap(
                c -> c.getMetadata().getName(),
                (PersistentVolumeClaim c) -> c.getMetadata().getUid()));
  }

  /** Running and no operation in flight. */
  public boolean settled(String ns) {
    MetadataClusterStatus s = status(ns);
    return "Running".equals(s.phase) && s.operation == null;
  }

  /** Where {@code line} is on the timeline (it must be there). */
  public int at(String line) {
    int i = timeline.indexOf(line);
    assertThat(i).as("%s in %s", line, timeline).isGreaterThanOrEqualTo(0);
    return i;
  }

  public int firstStartingWith(String prefix) {
    synchronized (timeline) {
      for (int i = 0; i < timeline.size(); i++) {
        if (timeline.get(i).startsWith(prefix)) {
          return i;
        }
      }
    }
    throw new AssertionError(prefix + "... not in " + timeline);
  }

  public long count(String line) {
    synchronized (timeline) {
      return timeline.stream().filter(line::equals).count();
    }
  }

  @Override
  public void close() {
    kubelets.forEach(KubeletStandIn::close);
    stopOperator();
    k8s.close();
  }
}

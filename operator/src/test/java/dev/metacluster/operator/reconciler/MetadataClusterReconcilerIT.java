package dev.metacluster.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.metacluster.operator.OperatorRuntime;
import dev.metacluster.operator.OperatorSettings;
import dev.metacluster.operator.crd.MetadataCluster;
import dev.metacluster.operator.crd.MetadataClusterStatus;
import dev.metacluster.operator.model.Names;
import dev.metacluster.operator.model.StatefulSetModel;
import dev.metacluster.operator.observe.MemberAddressResolver;
import dev.metacluster.operator.status.ClusterConditions;
import dev.metacluster.operator.testing.Examples;
import dev.metacluster.operator.testing.FakeMasterAdmin;
import dev.metacluster.operator.testing.KubeletStandIn;
import dev.metacluster.operator.testing.MockKubernetes;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The real JOSDK operator against the mock API server (CRUD mode, server-side apply stand-in), with
 * fake masters. Each test has its own namespace; one operator watches them all. Assertions are on
 * what a user sees: objects, status, labels, events.
 */
class MetadataClusterReconcilerIT {
  static final Duration WAIT = Duration.ofSeconds(30);
  static MockKubernetes k8s;
  static KubernetesClient client;
  static FakeMasterAdmin masters;
  static OperatorRuntime operator;

  @BeforeAll
  static void start() {
    k8s = new MockKubernetes();
    client = k8s.client();
    masters = new FakeMasterAdmin();
    operator =
        new OperatorRuntime(
                k8s.newClient(),
                OperatorSettings.defaults()
                    .withObservePeriod(Duration.ofMillis(500))
                    .withHttpPort(0),
                masters,
                MemberAddressResolver.CLUSTER_DNS)
            .start();
  }

  @AfterAll
  static void stop() {
    if (operator != null) {
      operator.close();
    }
    if (k8s != null) {
      k8s.close();
    }
  }

  private static MetadataCluster create(String example, String namespace) {
    MetadataCluster mdc = Examples.example(example, namespace);
    client.resource(mdc).create();
    return mdc;
  }

  private static MetadataCluster get(String namespace, String name) {
    return client.resources(MetadataCluster.class).inNamespace(namespace).withName(name).get();
  }

  private static MetadataClusterStatus status(String namespace, String name) {
    MetadataCluster mdc = get(namespace, name);
    return mdc == null || mdc.getStatus() == null ? new MetadataClusterStatus() : mdc.getStatus();
  }

  private static Condition condition(MetadataClusterStatus status, String type) {
    return ClusterConditions.find(status.conditions, type).orElse(new Condition());
  }

  private static void edit(String namespace, String name, Consumer<MetadataCluster> change) {
    client
        .resources(MetadataCluster.class)
        .inNamespace(namespace)
        .withName(name)
        .edit(
            m -> {
              change.accept(m);
              return m;
            });
  }

  private static StatefulSet sts(String namespace, String name) {
    return client.apps().statefulSets().inNamespace(namespace).withName(name).get();
  }

  private static List<Event> events(String namespace, String reason) {
    return client.v1().events().inNamespace(namespace).list().getItems().stream()
        .filter(e -> reason.equals(e.getReason()))
        .toList();
  }

  private static Map<String, String> roles(String namespace, String name) {
    return client
        .pods()
        .inNamespace(namespace)
        .withLabel(Names.LABEL_INSTANCE, name)
        .list()
        .getItems()
        .stream()
        .collect(
            Collectors.toMap(
                p -> p.getMetadata().getName(),
                p -> p.getMetadata().getLabels().getOrDefault(Names.LABEL_ROLE, "")));
  }

  /** A minimal cluster brought to Running with meta-0 leading. */
  private static void runningCluster(String ns) {
    masters.group(ns, List.of("meta-0", "meta-1", "meta-2"), "meta-0", 1, 100);
    create("minimal", ns);
    await().atMost(WAIT).until(() -> sts(ns, "meta") != null);
    KubeletStandIn.runAll(client, ns, "meta");
    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(status(ns, "meta").phase)
                    .as("%s", status(ns, "meta").conditions)
                    .isEqualTo("Running"));
  }

  @Test
  void createsEveryChildOwnedByTheClusterWithTheModelsSpec() {
    String ns = "create"; // no pods, so no master answers
    MetadataCluster mdc = create("minimal", ns);
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              assertThat(sts(ns, "meta")).isNotNull();
              assertThat(client.configMaps().inNamespace(ns).withName("meta-config").get())
                  .isNotNull();
              assertThat(client.services().inNamespace(ns).withName("meta-peers").get())
                  .isNotNull();
              assertThat(client.services().inNamespace(ns).withName("meta").get()).isNotNull();
              assertThat(client.serviceAccounts().inNamespace(ns).withName("meta-master").get())
                  .isNotNull();
              assertThat(
                      client
                          .policy()
                          .v1()
                          .podDisruptionBudget()
                          .inNamespace(ns)
                          .withName("meta")
                          .get())
                  .isNotNull();
            });
    StatefulSet sts = sts(ns, "meta");
    // compared as JSON: a round trip through the server turns absent lists into empty ones
    assertThat(Serialization.asJson(sts.getSpec()))
        .isEqualTo(Serialization.asJson(StatefulSetModel.desired(mdc).getSpec()));
    String uid = get(ns, "meta").getMetadata().getUid();
    List<HasMetadata> children =
        List.of(
            sts,
            client.configMaps().inNamespace(ns).withName("meta-config").get(),
            client.services().inNamespace(ns).withName("meta-peers").get(),
            client.services().inNamespace(ns).withName("meta").get(),
            client.serviceAccounts().inNamespace(ns).withName("meta-master").get(),
            client.policy().v1().podDisruptionBudget().inNamespace(ns).withName("meta").get());
    // the API server's garbage collector deletes them with the cluster (the mock has none)
    for (HasMetadata child : children) {
      assertThat(child.getMetadata().getOwnerReferences())
          .singleElement()
          .satisfies(
              o -> {
                assertThat(o.getUid()).isEqualTo(uid);
                assertThat(o.getKind()).isEqualTo("MetadataCluster");
              });
    }
    assertThat(
            client
                .services()
                .inNamespace(ns)
                .withName("meta-peers")
                .get()
                .getSpec()
                .getPublishNotReadyAddresses())
        .isTrue();
    assertThat(
            client
                .policy()
                .v1()
                .podDisruptionBudget()
                .inNamespace(ns)
                .withName("meta")
                .get()
                .getSpec()
                .getMaxUnavailable()
                .getIntVal())
        .isEqualTo(1);

    // no pods yet: the cluster is being created, not broken
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              MetadataClusterStatus s = status(ns, "meta");
              assertThat(s.phase).isEqualTo("Creating");
              assertThat(s.observedGeneration).isEqualTo(1L);
              assertThat(condition(s, "Available").getReason()).isEqualTo("Creating");
              assertThat(condition(s, "Progressing").getStatus()).isEqualTo("True");
              assertThat(condition(s, "Degraded").getStatus()).isEqualTo("False");
            });
  }

  @Test
  void statusLeaderLabelAndEventsFollowTheMasters() {
    String ns = "observe";
    runningCluster(ns);
    MetadataClusterStatus s = status(ns, "meta");
    assertThat(s.leader).isEqualTo("meta-0");
    assertThat(s.readyReplicas).isEqualTo(3);
    assertThat(s.members).extracting(m -> m.name).containsExactly("meta-0", "meta-1", "meta-2");
    assertThat(s.members).allMatch(m -> m.healthy && m.appliedIndex == 100L && m.lag == 0L);
    assertThat(condition(s, "Ready").getStatus()).isEqualTo("True");
    assertThat(condition(s, "Available").getStatus()).isEqualTo("True");
    assertThat(condition(s, "Degraded").getStatus()).isEqualTo("False");
    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(roles(ns, "meta"))
                    .containsEntry("meta-0", "leader")
                    .containsEntry("meta-1", "follower")
                    .containsEntry("meta-2", "follower"));
    assertThat(events(ns, ClusterEvents.LEADER_ELECTED)).hasSize(1);

    // leadership moves: status, label and an event follow
    masters.group(ns, List.of("meta-0", "meta-1", "meta-2"), "meta-2", 2, 150);
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              assertThat(status(ns, "meta").leader).isEqualTo("meta-2");
              assertThat(roles(ns, "meta"))
                  .containsEntry("meta-2", "leader")
                  .containsEntry("meta-0", "follower");
              assertThat(events(ns, ClusterEvents.LEADER_CHANGED))
                  .singleElement()
                  .satisfies(e -> assertThat(e.getMessage()).contains("meta-2").contains("meta-0"));
            });

    // one follower down: still available, degraded, its label removed
    masters.down(ns, "meta-1");
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              MetadataClusterStatus now = status(ns, "meta");
              assertThat(condition(now, "Available").getStatus()).isEqualTo("True");
              assertThat(condition(now, "Ready").getStatus()).isEqualTo("False");
              assertThat(condition(now, "Degraded").getReason()).isEqualTo("MembersUnhealthy");
              assertThat(condition(now, "Degraded").getMessage()).contains("meta-1: not answering");
              assertThat(now.phase).isEqualTo("Degraded");
              assertThat(roles(ns, "meta")).containsEntry("meta-1", "");
            });

    // a second member down: quorum lost
    masters.down(ns, "meta-2");
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              MetadataClusterStatus now = status(ns, "meta");
              assertThat(condition(now, "Available").getStatus()).isEqualTo("False");
              assertThat(condition(now, "Available").getReason()).isIn("QuorumLost", "NoLeader");
              assertThat(condition(now, "Degraded").getStatus()).isEqualTo("True");
              assertThat(now.phase).isEqualTo("Unavailable");
              assertThat(events(ns, ClusterEvents.QUORUM_LOST)).hasSize(1);
            });
  }

  @Test
  void safeSpecChangesReachTheStatefulSet() {
    String ns = "change";
    runningCluster(ns);
    edit(
        ns,
        "meta",
        m -> {
          m.getSpec().image = "ghcr.io/metacluster/master:0.2.0";
          m.getSpec().pod.labels.put("team", "storage");
        });
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              var template = sts(ns, "meta").getSpec().getTemplate();
              assertThat(template.getSpec().getContainers().get(0).getImage())
                  .isEqualTo("ghcr.io/metacluster/master:0.2.0");
              assertThat(template.getMetadata().getLabels()).containsEntry("team", "storage");
              assertThat(status(ns, "meta").observedGeneration).isEqualTo(2L);
            });
  }

  @Test
  void anUnsafeChangeIsRefusedWithAConditionAndChildrenStayAsTheyWere() {
    String ns = "unsafe";
    runningCluster(ns);
    StatefulSet before = sts(ns, "meta");
    edit(
        ns,
        "meta",
        m -> {
          m.getSpec().storage.metastore.storageClassName = "other";
          m.getSpec().image = "ghcr.io/metacluster/master:9.9.9";
        });
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              MetadataClusterStatus s = status(ns, "meta");
              assertThat(condition(s, "Degraded").getReason()).isEqualTo("InvalidSpec");
              assertThat(condition(s, "Degraded").getMessage())
                  .contains("spec.storage.metastore.storageClassName cannot change");
              assertThat(condition(s, "Ready").getStatus()).isEqualTo("False");
              assertThat(events(ns, ClusterEvents.INVALID_SPEC)).hasSize(1);
            });
    StatefulSet after = sts(ns, "meta");
    assertThat(after.getMetadata().getResourceVersion())
        .isEqualTo(before.getMetadata().getResourceVersion());
    // the masters are still observed
    assertThat(status(ns, "meta").leader).isEqualTo("meta-0");
  }

  @Test
  void anInvalidNewClusterGetsAConditionAndNoChildren() {
    String ns = "invalid";
    MetadataCluster mdc = Examples.example("minimal", ns);
    mdc.getSpec().replicas = 4; // the CRD's CEL rule refuses this on a real API server
    client.resource(mdc).create();
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              MetadataClusterStatus s = status(ns, "meta");
              assertThat(s.phase).isEqualTo("Invalid");
              assertThat(condition(s, "Degraded").getMessage())
                  .contains("spec.replicas is 4; it must be 1, 3, 5 or 7");
            });
    assertThat(sts(ns, "meta")).isNull();
    assertThat(client.configMaps().inNamespace(ns).list().getItems()).isEmpty();
  }

  @Test
  void pausedChangesNothingButStatusStaysFresh() {
    String ns = "paused";
    runningCluster(ns);
    edit(
        ns,
        "meta",
        m -> {
          m.getSpec().paused = true;
          m.getSpec().image = "ghcr.io/metacluster/master:0.3.0";
        });
    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(condition(status(ns, "meta"), "Progressing").getReason())
                    .isEqualTo("Paused"));
    masters.group(ns, List.of("meta-0", "meta-1", "meta-2"), "meta-1", 3, 200);
    await()
        .atMost(WAIT)
        .untilAsserted(() -> assertThat(status(ns, "meta").leader).isEqualTo("meta-1"));
    assertThat(sts(ns, "meta").getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
        .isEqualTo("ghcr.io/metacluster/master:0.1.0");
    masters.group(ns, List.of("meta-0", "meta-1", "meta-2"), "meta-0", 3, 200);
  }

  @Test
  void metricsAndProbesAreServed() throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    String base = "http://127.0.0.1:" + operator.httpPort();
    assertThat(get(http, base + "/healthz").statusCode()).isEqualTo(200);
    assertThat(get(http, base + "/readyz").statusCode()).isEqualTo(200);
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> assertThat(get(http, base + "/metrics").body()).contains("operator_sdk"));
  }

  private static HttpResponse<String> get(HttpClient http, String url) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
  }
}

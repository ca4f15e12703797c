package dev.metacluster.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.metacluster.api.client.MetadataClient;
import dev.metacluster.api.fs.v1.FileStatus;
import dev.metacluster.operator.crd.MetadataClusterStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Scenario 1: a user applies a 3-member MetadataCluster; it becomes Ready with a leader in status
 * and on the leader pod's label, and a client reaches the service through the client Service.
 * Records {@code ready_seconds}, from the apply to the Ready condition.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CreateClusterIT {
  static final String NS = "create";
  static E2eHarness env;

  @BeforeAll
  static void start() throws Exception {
    env = new E2eHarness("create");
  }

  @AfterAll
  static void stop() {
    if (env != null) {
      env.close();
    }
  }

  @Test
  @Order(1)
  void threeMembersBecomeReadyWithALabelledLeaderAndServeClientsThroughTheService() {
    KubernetesClient k8s = env.client();
    long applied = System.nanoTime();
    k8s.resource(Scenarios.patient(Scenarios.minimal(NS, "meta"))).create();
    env.awaitReady(NS, "meta", Duration.ofSeconds(180));
    double readySeconds = (System.nanoTime() - applied) / 1e9;
    Figures.record("ready_seconds", readySeconds, "s");

    MetadataClusterStatus status = env.status(NS, "meta");
    assertThat(status.phase).isEqualTo("Running");
    assertThat(status.observedGeneration).isEqualTo(1L);
    assertThat(status.readyReplicas).isEqualTo(3);
    assertThat(status.leader).isIn("meta-0", "meta-1", "meta-2");
    assertThat(status.members)
        .extracting(m -> m.name)
        .containsExactlyInAnyOrder("meta-0", "meta-1", "meta-2");
    assertThat(status.members).allMatch(m -> m.healthy);
    assertThat(Scenarios.condition(status, "Available").getStatus()).isEqualTo("True");
    assertThat(Scenarios.condition(status, "Degraded").getStatus()).isEqualTo("False");
    String leader = status.leader;

    // the Kubernetes objects: the StatefulSet, three ready pods, the leader labelled
    StatefulSet sts = k8s.apps().statefulSets().inNamespace(NS).withName("meta").get();
    assertThat(sts.getSpec().getReplicas()).isEqualTo(3);
    List<Pod> pods = k8s.pods().inNamespace(NS).list().getItems();
    assertThat(pods)
        .extracting(p -> p.getMetadata().getName())
        .containsExactlyInAnyOrder("meta-0", "meta-1", "meta-2");
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              var roles = Scenarios.roles(k8s, NS, "meta");
              assertThat(roles).containsEntry(env.status(NS, "meta").leader, "leader");
              assertThat(roles.values()).containsOnly("leader", "follower");
              assertThat(roles.values()).filteredOn("leader"::equals).hasSize(1);
              assertThat(k8s.pods().inNamespace(NS).list().getItems())
                  .allSatisfy(
                      p ->
                          assertThat(p.getStatus().getConditions())
                              .anyMatch(
                                  c ->
                                      c.getType().equals("Ready") && c.getStatus().equals("True")));
            });
    // each member's two volumes are claims, backed by directories the masters wrote
    for (String pod : List.of("meta-0", "meta-1", "meta-2")) {
      for (String volume : List.of("metastore", "journal")) {
        String claim = volume + "-" + pod;
        assertThat(k8s.persistentVolumeClaims().inNamespace(NS).withName(claim).get())
            .as(claim)
            .isNotNull();
        assertThat(env.kubelet().claimDir(NS, claim).toFile().list()).as(claim).isNotEmpty();
      }
    }

    // a client through the client Service's address writes and reads back
    String service = env.serviceAddress(NS, "meta");
    try (MetadataClient client =
        MetadataClient.builder().target(service).callTimeout(Duration.ofSeconds(20)).build()) {
      client.createDirectory("/e2e", false);
      client.createFile("/e2e/hello", false);
      assertThat(client.getStatus("/e2e/hello").getPath()).isEqualTo("/e2e/hello");
      assertThat(client.listStatus("/e2e").map(FileStatus::getPath)).containsExactly("/e2e/hello");
      assertThat(client.clusterInfo().getLeaderId()).isEqualTo(leader);
    }
    assertThat(Files.exists(env.work().resolve("pods/create/meta-0/master.log"))).isTrue();
  }

  /**
   * Deleting the leader's pod (kubectl delete pod): the master gets SIGTERM and hands leadership
   * over, the StatefulSet recreates the pod, which starts on the same volumes and rejoins.
   */
  @Test
  @Order(2)
  void aDeletedLeaderPodHandsOverAndComesBackOnItsVolumes() throws Exception {
    KubernetesClient k8s = env.client();
    String leader = env.status(NS, "meta").leader;
    Pod before = k8s.pods().inNamespace(NS).withName(leader).get();
    long pid = env.kubelet().pod(NS, leader).process.pid();
    k8s.pods().inNamespace(NS).withName(leader).delete();

    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                env.status(NS, "meta").leader != null
                    && !leader.equals(env.status(NS, "meta").leader));
    await()
        .atMost(Duration.ofSeconds(120))
        .untilAsserted(
            () -> {
              Pod after = k8s.pods().inNamespace(NS).withName(leader).get();
              assertThat(after).isNotNull();
              assertThat(after.getMetadata().getUid()).isNotEqualTo(before.getMetadata().getUid());
              MetadataClusterStatus s = env.status(NS, "meta");
              assertThat(s.members).allMatch(m -> m.healthy);
              assertThat(Scenarios.isReady(s)).isTrue();
            });
    assertThat(env.kubelet().pod(NS, leader).process.pid()).isNotEqualTo(pid);
    // its volumes were kept: the member came back with its data, not as a new member
    assertThat(appliedAtLastStart(leader)).isPositive();
    try (MetadataClient client = env.clientOf(NS, "meta")) {
      assertThat(client.exists("/e2e/hello")).isTrue();
    }
  }

  /** The applied index the member reported when it last started (from its log). */
  private static long appliedAtLastStart(String pod) throws java.io.IOException {
    String log = Files.readString(env.work().resolve("pods/" + NS + "/" + pod + "/master.log"));
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("serving on .*applied index (\\d+)").matcher(log);
    long last = -1;
    while (m.find()) {
      last = Long.parseLong(m.group(1));
    }
    return last;
  }
}

package dev.metacluster.operator.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.metacluster.operator.OperatorRuntime;
import dev.metacluster.operator.OperatorSettings;
import dev.metacluster.operator.crd.BackupSpec;
import dev.metacluster.operator.crd.BackupTarget;
import dev.metacluster.operator.crd.BootstrapSpec;
import dev.metacluster.operator.crd.FromBackupSpec;
import dev.metacluster.operator.crd.MetadataBackup;
import dev.metacluster.operator.crd.MetadataBackupSpec;
import dev.metacluster.operator.crd.MetadataBackupStatus;
import dev.metacluster.operator.crd.MetadataCluster;
import dev.metacluster.operator.crd.MetadataClusterStatus;
import dev.metacluster.operator.model.BackupJobModel;
import dev.metacluster.operator.model.Names;
import dev.metacluster.operator.observe.MemberAddressResolver;
import dev.metacluster.operator.plan.Planner;
import dev.metacluster.operator.status.ClusterConditions;
import dev.metacluster.operator.testing.Examples;
import dev.metacluster.operator.testing.FakeMasterAdmin;
import dev.metacluster.operator.testing.JobStandIn;
import dev.metacluster.operator.testing.KubeletStandIn;
import dev.metacluster.operator.testing.MockKubernetes;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Backups through the real operator against the mock API server: a MetadataBackup becomes a Job
 * with the contract's command line; the Job's end is played by {@link JobStandIn} (a pod's
 * termination message, the Job's status), the masters by {@link FakeMasterAdmin}, the StatefulSet
 * controller by {@link KubeletStandIn}. Assertions are on what a user sees: objects, status,
 * Events.
 */
class BackupIT {
  static final Duration WAIT = Duration.ofSeconds(60); // generous: CI machines are shared
  static MockKubernetes k8s;
  static KubernetesClient client;
  static FakeMasterAdmin masters;
  static OperatorRuntime operator;

  final List<String> timeline = Collections.synchronizedList(new ArrayList<>());
  KubeletStandIn kubelet;

  @BeforeAll
  static void start() {
    k8s = new MockKubernetes();
    client = k8s.client();
    masters = new FakeMasterAdmin();
    operator = startOperator();
  }

  static OperatorRuntime startOperator() {
    return new OperatorRuntime(
            k8s.newClient(),
            OperatorSettings.defaults().withObservePeriod(Duration.ofMillis(200)).withHttpPort(-1),
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

  @AfterEach
  void stopKubelet() {
    if (kubelet != null) {
      kubelet.close();
    }
  }

  static String result(String uri, long index) {
    return "{\"uri\":\""
        + uri
        + "\",\"clusterId\":\"meta\",\"term\":2,\"index\":"
        + index
        + ",\"inodes\":42,\"sizeBytes\":8192,\"sha256\":\"9f86d081884c7d65\","
        + "\"completedAt\":\"2026-03-02T03:00:09Z\"}";
  }

  /** The minimal example with a volume target; Running with meta-0 leading when kubelet runs. */
  private MetadataCluster cluster(String ns, Consumer<MetadataCluster> change, boolean run) {
    masters
        .group(ns, List.of("meta-0", "meta-1", "meta-2"), "meta-0", 1, 100)
        .timeline(ns, timeline::add);
    MetadataCluster mdc = Examples.example("minimal", ns);
    mdc.getSpec().backup = new BackupSpec();
    mdc.getSpec().backup.target = BackupTarget.volume("backup-claim");
    change.accept(mdc);
    client.resource(mdc).create();
    if (run) {
      kubelet = KubeletStandIn.start(client, ns, "meta", timeline::add, pod -> {});
      await().atMost(WAIT).until(() -> "Running".equals(status(ns).phase));
      timeline.clear();
    }
    return mdc;
  }

  private static MetadataBackup backup(String ns, String name) {
    return client.resources(MetadataBackup.class).inNamespace(ns).withName(name).get();
  }

  private static MetadataBackupStatus backupStatus(String ns, String name) {
    MetadataBackup b = backup(ns, name);
    return b == null || b.getStatus() == null ? new MetadataBackupStatus() : b.getStatus();
  }

  private static void requestBackup(String ns, String name, BackupTarget target) {
    MetadataBackupSpec spec = new MetadataBackupSpec("meta");
    spec.target = target;
    client.resource(new MetadataBackup(ns, name, spec)).create();
  }

  private static Job job(String ns, String name) {
    return client.batch().v1().jobs().inNamespace(ns).withName(name).get();
  }

  private static Job awaitJob(String ns, String name) {
    await().atMost(WAIT).until(() -> job(ns, name) != null);
    return job(ns, name);
  }

  private static MetadataCluster get(String ns, String name) {
    return client.resources(MetadataCluster.class).inNamespace(ns).withName(name).get();
  }

  private static MetadataClusterStatus status(String ns) {
    return status(ns, "meta");
  }

  private static MetadataClusterStatus status(String ns, String name) {
    MetadataCluster mdc = get(ns, name);
    return mdc == null || mdc.getStatus() == null ? new MetadataClusterStatus() : mdc.getStatus();
  }

  private static Condition condition(String ns, String type) {
    return condition(ns, "meta", type);
  }

  private static Condition condition(String ns, String cluster, String type) {
    return ClusterConditions.find(status(ns, cluster).conditions, type).orElse(new Condition());
  }

  /** An edit, again on a conflict with the operator's own writes (the edit is idempotent). */
  private static void edit(String ns, Consumer<MetadataCluster> change) {
    await()
        .atMost(WAIT)
        .ignoreException(KubernetesClientException.class)
        .until(
            () -> {
              client
                  .resources(MetadataCluster.class)
                  .inNamespace(ns)
                  .withName("meta")
                  .edit(
                      m -> {
                        change.accept(m);
                        return m;
                      });
              return true;
            });
  }

  private static List<String> events(String ns, String reason) {
    return client.v1().events().inNamespace(ns).list().getItems().stream()
        .filter(e -> reason.equals(e.getReason()))
        .map(e -> e.getInvolvedObject().getKind() + ": " + e.getMessage())
        .toList();
  }

  @Test
  void aBackupRunsAsAJobAndItsResultLandsInStatus() {
    String ns = "backup-ok";
    cluster(ns, m -> {}, false);
    requestBackup(ns, "b1", null);

    Job job = awaitJob(ns, "b1");
    assertThat(job.getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(
            o -> {
              assertThat(o.getKind()).isEqualTo("MetadataBackup");
              assertThat(o.getName()).isEqualTo("b1");
              assertThat(o.getController()).isTrue();
            });
    PodSpec pod = job.getSpec().getTemplate().getSpec();
    Container c = pod.getContainers().get(0);
    assertThat(c.getCommand())
        .containsSequence("--target", "meta." + ns + ".svc:9870")
        .containsSequence("--to", "file:///backups/meta/b1.mcbak")
        .containsSequence("--result-file", "/dev/termination-log")
        .doesNotContain("--keep");
    assertThat(pod.getVolumes())
        .anySatisfy(
            v -> assertThat(v.getPersistentVolumeClaim().getClaimName()).isEqualTo("backup-claim"));
    assertThat(job.getSpec().getBackoffLimit()).isEqualTo(BackupJobModel.BACKOFF_LIMIT);
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              MetadataBackupStatus s = backupStatus(ns, "b1");
              assertThat(s.phase).isEqualTo("Running");
              assertThat(s.jobName).isEqualTo("b1");
              assertThat(s.startedAt).isNotNull();
            });

    JobStandIn.succeed(client, job, result("file:///backups/meta/b1.mcbak", 1234));
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              MetadataBackupStatus s = backupStatus(ns, "b1");
              assertThat(s.phase).isEqualTo("Succeeded");
              assertThat(s.uri).isEqualTo("file:///backups/meta/b1.mcbak");
              assertThat(s.index).isEqualTo(1234L);
              assertThat(s.term).isEqualTo(2L);
              assertThat(s.inodes).isEqualTo(42L);
              assertThat(s.sizeBytes).isEqualTo(8192L);
              assertThat(s.sha256).isEqualTo("9f86d081884c7d65");
              assertThat(s.clusterId).isEqualTo("meta");
              assertThat(s.completedAt).isEqualTo("2026-03-02T03:00:09Z");
              assertThat(s.conditions)
                  .singleElement()
                  .satisfies(k -> assertThat(k.getStatus()).isEqualTo("True"));
            });
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              Condition backedUp = condition(ns, ClusterBackups.CONDITION);
              assertThat(backedUp.getStatus()).isEqualTo("True");
              assertThat(backedUp.getMessage()).contains("b1 succeeded");
              assertThat(status(ns).backup.lastSuccessfulBackup).isEqualTo("b1");
              assertThat(status(ns).backup.lastSuccessfulIndex).isEqualTo(1234L);
            });
    assertThat(events(ns, MetadataBackupReconciler.EVENT_SUCCEEDED)).hasSize(1);
  }

  @Test
  void aFailedJobFailsTheBackupWithThePodsLastWordsAndTheClusterSaysSo() {
    String ns = "backup-fail";
    cluster(ns, m -> {}, false);
    // its own target: S3, credentials from a Secret
    requestBackup(ns, "b2", BackupTarget.s3("http://minio.storage.svc:9000", "bkt", "s3-creds"));
    Job job = awaitJob(ns, "b2");
    Container c = job.getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(c.getCommand())
        .containsSequence("--to", "s3://bkt/meta/b2.mcbak")
        .containsSequence("--s3-endpoint", "http://minio.storage.svc:9000");
    assertThat(c.getEnv())
        .extracting(e -> e.getName() + "<-" + e.getValueFrom().getSecretKeyRef().getName())
        .containsExactly("AWS_ACCESS_KEY_ID<-s3-creds", "AWS_SECRET_ACCESS_KEY<-s3-creds");

    JobStandIn.fail(
        client,
        job,
        "connecting to meta.backup-fail.svc:9870\nerror: UNAVAILABLE: no leader (term 3)\n");
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              MetadataBackupStatus s = backupStatus(ns, "b2");
              assertThat(s.phase).isEqualTo("Failed");
              assertThat(s.message)
                  .contains("BackoffLimitExceeded")
                  .contains("error: UNAVAILABLE: no leader (term 3)");
              assertThat(s.conditions)
                  .singleElement()
                  .satisfies(
                      k -> {
                        assertThat(k.getStatus()).isEqualTo("False");
                        assertThat(k.getReason())
                            .isEqualTo(MetadataBackupReconciler.REASON_JOB_FAILED);
                      });
            });
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              Condition backedUp = condition(ns, ClusterBackups.CONDITION);
              assertThat(backedUp.getStatus()).isEqualTo("False");
              assertThat(backedUp.getReason()).isEqualTo(ClusterBackups.REASON_FAILED);
              assertThat(backedUp.getMessage()).contains("b2 failed").contains("no leader");
            });
    assertThat(events(ns, MetadataBackupReconciler.EVENT_FAILED))
        .anyMatch(e -> e.startsWith("MetadataBackup: backup b2:"))
        .anyMatch(e -> e.startsWith("MetadataCluster: backup b2:"));
  }

  @Test
  void badRequestsFailAtOnceAndCreateNothing() {
    String ns = "backup-bad";
    client.resource(new MetadataBackup(ns, "orphan", new MetadataBackupSpec("nope"))).create();
    MetadataCluster plain = Examples.example("minimal", ns); // no spec.backup
    client.resource(plain).create();
    requestBackup(ns, "untargeted", null);
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              assertThat(backupStatus(ns, "orphan").phase).isEqualTo("Failed");
              assertThat(backupStatus(ns, "orphan").message)
                  .isEqualTo("MetadataCluster nope not found in namespace " + ns);
              assertThat(backupStatus(ns, "untargeted").phase).isEqualTo("Failed");
              assertThat(backupStatus(ns, "untargeted").message)
                  .startsWith("no backup target: set spec.target here or spec.backup.target");
            });
    assertThat(client.batch().v1().jobs().inNamespace(ns).list().getItems()).isEmpty();
  }

  @Test
  void anUpgradeBacksUpFirstSurvivesAnOperatorRestartThenFollowersTransferLeader() {
    String ns = "backup-upgrade";
    cluster(ns, m -> {}, true);
    String oldRevision =
        client
            .apps()
            .statefulSets()
            .inNamespace(ns)
            .withName("meta")
            .get()
            .getStatus()
            .getUpdateRevision();

    edit(ns, m -> m.getSpec().image = "registry.example.com/metacluster/master:0.2.0");
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              Condition progressing = condition(ns, ClusterConditions.PROGRESSING);
              assertThat(progressing.getReason()).isEqualTo(Planner.BACKING_UP);
              assertThat(progressing.getMessage()).contains("waiting for backup meta-pre-");
              assertThat(status(ns).operation.type).isEqualTo("Upgrade");
            });
    String revision =
        client
            .apps()
            .statefulSets()
            .inNamespace(ns)
            .withName("meta")
            .get()
            .getStatus()
            .getUpdateRevision();
    assertThat(revision).isNotEqualTo(oldRevision);
    String name = ClusterBackups.upgradeBackupName("meta", revision);
    assertThat(backup(ns, name).getMetadata().getLabels())
        .containsEntry(BackupJobModel.LABEL_ORIGIN, BackupJobModel.ORIGIN_PRE_UPGRADE);
    Job job = awaitJob(ns, name);
    // metactl runs from the image the masters run, not from the one being rolled out
    assertThat(job.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
        .isEqualTo(Examples.example("minimal", ns).getSpec().image);

    // the operator restarts while the backup runs: it finds the same backup and keeps waiting
    operator.close();
    operator = startOperator();
    await()
        .during(Duration.ofSeconds(2))
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              assertThat(condition(ns, ClusterConditions.PROGRESSING).getReason())
                  .isEqualTo(Planner.BACKING_UP);
              assertThat(timeline).noneMatch(l -> l.startsWith("pod started"));
            });
    assertThat(client.resources(MetadataBackup.class).inNamespace(ns).list().getItems())
        .singleElement()
        .satisfies(b -> assertThat(b.getMetadata().getName()).isEqualTo(name));

    timeline.add("backup done");
    JobStandIn.succeed(client, job, result("file:///backups/meta/" + name + ".mcbak", 100));
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              List<Pod> pods = client.pods().inNamespace(ns).list().getItems();
              assertThat(pods)
                  .filteredOn(
                      p ->
                          Names.COMPONENT.equals(
                              p.getMetadata().getLabels().get(Names.LABEL_COMPONENT)))
                  .allMatch(
                      p -> revision.equals(p.getMetadata().getLabels().get(Names.LABEL_REVISION)));
              assertThat(status(ns).operation).isNull();
              assertThat(status(ns).phase).isEqualTo("Running");
            });
    int backedUp = timeline.indexOf("backup done");
    int follower2 = timeline.indexOf("pod started meta-2 " + revision);
    int follower1 = timeline.indexOf("pod started meta-1 " + revision);
    int transfer = -1;
    for (int i = 0; i < timeline.size(); i++) {
      if (timeline.get(i).startsWith("transfer meta-0->")) {
        transfer = i;
        break;
      }
    }
    int leader = timeline.indexOf("pod started meta-0 " + revision);
    assertThat(List.of(backedUp, follower2, follower1, transfer, leader))
        .as("%s", timeline)
        .doesNotContain(-1)
        .isSorted();
  }

  @Test
  void aFailedUpgradeBackupStopsTheRolloutUntilTheUserLetsItGoWithout() {
    String ns = "backup-upgrade-fail";
    cluster(ns, m -> {}, true);
    edit(ns, m -> m.getSpec().image = "registry.example.com/metacluster/master:0.2.0");
    await()
        .atMost(WAIT)
        .until(
            () ->
                client.resources(MetadataBackup.class).inNamespace(ns).list().getItems().size()
                    == 1);
    MetadataBackup pre =
        client.resources(MetadataBackup.class).inNamespace(ns).list().getItems().get(0);
    JobStandIn.fail(client, awaitJob(ns, pre.getMetadata().getName()), "error: disk full\n");
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              Condition degraded = condition(ns, ClusterConditions.DEGRADED);
              assertThat(degraded.getStatus()).isEqualTo("True");
              assertThat(degraded.getReason()).isEqualTo(ClusterBackups.REASON_FAILED);
              assertThat(degraded.getMessage())
                  .contains("failed")
                  .contains("disk full")
                  .contains("spec.backup.beforeUpgrade=false");
              assertThat(condition(ns, ClusterConditions.PROGRESSING).getReason())
                  .isEqualTo(Planner.BACKING_UP);
            });
    assertThat(timeline).noneMatch(l -> l.startsWith("pod started"));

    edit(ns, m -> m.getSpec().backup.beforeUpgrade = false);
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              assertThat(timeline).anyMatch(l -> l.startsWith("pod started meta-2"));
              assertThat(status(ns).phase).isEqualTo("Running");
              assertThat(status(ns).operation).isNull();
            });
  }

  @Test
  void theScheduleTakesOneBackupForMissedFireTimesAndKeepsTheNewestByRetention() {
    String ns = "backup-schedule";
    for (int day = 1; day <= 3; day++) {
      String name = "meta-2020010" + day + "-030000";
      MetadataBackup old = new MetadataBackup(ns, name, new MetadataBackupSpec("meta"));
      old.getMetadata()
          .setLabels(
              Map.of(
                  BackupJobModel.LABEL_ORIGIN,
                  BackupJobModel.ORIGIN_SCHEDULED,
                  BackupJobModel.LABEL_CLUSTER,
                  "meta"));
      old.setStatus(new MetadataBackupStatus());
      old.getStatus().phase = "Succeeded";
      old.getStatus().completedAt = "2020-01-0" + day + "T03:00:09Z";
      client.resource(old).create();
      client.resource(old).updateStatus();
    }
    // yearly, last backed up three fire times ago (the mock API server sets creationTimestamp
    // itself, so the schedule's bookkeeping is seeded while the cluster is paused)
    int year = java.time.LocalDate.now(java.time.ZoneOffset.UTC).getYear();
    String seeded = (year - 3) + "-01-01T00:00:00Z";
    cluster(
        ns,
        m -> {
          m.getSpec().paused = true;
          m.getSpec().backup.schedule = "0 0 1 1 *";
          m.getSpec().backup.retention = 2;
        },
        false);
    await().atMost(WAIT).until(() -> status(ns).phase != null);
    client
        .resources(MetadataCluster.class)
        .inNamespace(ns)
        .withName("meta")
        .subresource("status")
        .patch(
            PatchContext.of(PatchType.JSON_MERGE),
            "{\"status\":{\"backup\":{\"lastScheduleTime\":\"" + seeded + "\"}}}");
    await()
        .atMost(WAIT)
        .until(
            () -> status(ns).backup != null && seeded.equals(status(ns).backup.lastScheduleTime));
    edit(ns, m -> m.getSpec().paused = false);
    kubelet = KubeletStandIn.start(client, ns, "meta", timeline::add, pod -> {});

    String expected = "meta-" + year + "0101-000000";
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              List<String> names =
                  client.resources(MetadataBackup.class).inNamespace(ns).list().getItems().stream()
                      .map(b -> b.getMetadata().getName())
                      .sorted()
                      .toList();
              // one backup for the three missed fire times; the two oldest deleted (retention 2)
              assertThat(names).containsExactly("meta-20200103-030000", expected);
              assertThat(status(ns).backup.lastScheduleTime).isEqualTo(year + "-01-01T00:00:00Z");
              assertThat(status(ns).backup.nextScheduleTime)
                  .isEqualTo((year + 1) + "-01-01T00:00:00Z");
            });
    assertThat(backup(ns, expected).getMetadata().getLabels())
        .containsEntry(BackupJobModel.LABEL_ORIGIN, BackupJobModel.ORIGIN_SCHEDULED);
    String scheduled = expected;
    Job job = awaitJob(ns, scheduled);
    assertThat(job.getSpec().getTemplate().getSpec().getContainers().get(0).getCommand())
        .containsSequence("--to", "file:///backups/meta/scheduled/" + scheduled + ".mcbak")
        .containsSequence("--keep", "2");
  }

  @Test
  void aClusterFromABackupWaitsForItThenRestoresInAnInitContainer() {
    String ns = "backup-restore";
    MetadataCluster copy = Examples.example("minimal", ns);
    copy.getMetadata().setName("copy");
    copy.getSpec().bootstrap = new BootstrapSpec();
    copy.getSpec().bootstrap.fromBackup = new FromBackupSpec();
    copy.getSpec().bootstrap.fromBackup.backup = "b3";
    client.resource(copy).create();
    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(condition(ns, "copy", ClusterConditions.DEGRADED).getMessage())
                    .contains("MetadataBackup b3 does not exist"));
    assertThat(client.apps().statefulSets().inNamespace(ns).withName("copy").get()).isNull();
    assertThat(status(ns, "copy").phase).isEqualTo("Creating");
    assertThat(condition(ns, "copy", ClusterConditions.DEGRADED).getReason())
        .isEqualTo(ClusterBackups.REASON_WAITING);

    cluster(ns, m -> {}, false);
    requestBackup(ns, "b3", null);
    Job job = awaitJob(ns, "b3");
    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(condition(ns, "copy", ClusterConditions.DEGRADED).getMessage())
                    .contains("MetadataBackup b3 is Running"));
    assertThat(client.apps().statefulSets().inNamespace(ns).withName("copy").get()).isNull();

    JobStandIn.succeed(client, job, result("file:///backups/meta/b3.mcbak", 777));
    await()
        .atMost(WAIT)
        .until(() -> client.apps().statefulSets().inNamespace(ns).withName("copy").get() != null);
    PodSpec pod =
        client
            .apps()
            .statefulSets()
            .inNamespace(ns)
            .withName("copy")
            .get()
            .getSpec()
            .getTemplate()
            .getSpec();
    assertThat(pod.getInitContainers())
        .singleElement()
        .satisfies(
            init -> {
              assertThat(init.getName()).isEqualTo("restore");
              assertThat(init.getArgs())
                  .containsSequence("--from", "file:///backups/meta/b3.mcbak")
                  .containsSequence("--cluster", "copy")
                  .contains("--skip-if-initialized");
            });
    assertThat(pod.getVolumes())
        .anySatisfy(
            v ->
                assertThat(
                        v.getPersistentVolumeClaim() == null
                            ? null
                            : v.getPersistentVolumeClaim().getClaimName())
                    .isEqualTo("backup-claim"));
  }
}

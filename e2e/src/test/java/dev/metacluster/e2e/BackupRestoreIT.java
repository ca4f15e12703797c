package dev.metacluster.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.metacluster.api.client.MetadataClient;
import dev.metacluster.api.fs.v1.FileStatus;
import dev.metacluster.cli.S3Proxy;
import dev.metacluster.operator.crd.BackupSpec;
import dev.metacluster.operator.crd.BackupTarget;
import dev.metacluster.operator.crd.BootstrapSpec;
import dev.metacluster.operator.crd.FromBackupSpec;
import dev.metacluster.operator.crd.MetadataBackup;
import dev.metacluster.operator.crd.MetadataBackupSpec;
import dev.metacluster.operator.crd.MetadataBackupStatus;
import dev.metacluster.operator.crd.MetadataCluster;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Scenario 5: a cluster with {@code spec.backup} on a cron schedule backs up into a volume claim
 * through a Job running {@code metactl admin backup}; then a MetadataBackup asks for one more, to
 * an S3-compatible server (S3Proxy, its own process; credentials from a Secret). Each time a new
 * MetadataCluster with {@code spec.bootstrap.fromBackup} naming that MetadataBackup starts from it
 * (each member's {@code restore} init container runs {@code master restore}) and serves the same
 * namespace: the same files and the same namespace checksum.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BackupRestoreIT {
  static final String NS = "backup";
  static final int FILES = 200;
  static E2eHarness env;

  /** The files of cluster meta, as the first scenario wrote them. */
  static Set<String> written;

  @BeforeAll
  static void start() throws Exception {
    env = new E2eHarness("backup");
  }

  @AfterAll
  static void stop() {
    if (env != null) {
      env.close();
    }
  }

  @Test
  @Order(1)
  void aScheduledBackupToAVolumeRestoresIntoANewClusterWithTheSameNamespace() throws Exception {
    KubernetesClient k8s = env.client();
    k8s.resource(
            new PersistentVolumeClaimBuilder()
                .withNewMetadata()
                .withName("backups")
                .withNamespace(NS)
                .endMetadata()
                .withNewSpec()
                .withAccessModes("ReadWriteOnce")
                .withNewResources()
                .withRequests(Map.of("storage", new Quantity("1Gi")))
                .endResources()
                .endSpec()
                .build())
        .create();
    MetadataCluster mdc = Scenarios.patient(Scenarios.minimal(NS, "meta"));
    mdc.getSpec().backup = new BackupSpec();
    mdc.getSpec().backup.schedule = "* * * * *";
    mdc.getSpec().backup.retention = 2;
    mdc.getSpec().backup.target = BackupTarget.volume("backups");
    k8s.resource(mdc).create();
    env.awaitReady(NS, "meta", Duration.ofSeconds(180));

    long index;
    try (MetadataClient client = env.clientOf(NS, "meta")) {
      client.createDirectory("/data", false);
      for (int i = 0; i < FILES; i++) {
        client.createFile("/data/f" + i, false);
      }
      written = list(client);
      index = client.clusterInfo().getCommitIndex();
    }
    assertThat(written).hasSize(FILES);

    // the next fire of the schedule (at most a minute away) takes a backup holding every write
    MetadataBackup backup =
        await()
            .atMost(Duration.ofSeconds(180))
            .pollInterval(Duration.ofSeconds(1))
            .until(() -> succeededSince(k8s, index), Optional::isPresent)
            .orElseThrow();
    MetadataBackupStatus status = backup.getStatus();
    // the Job wrote under /backups/<prefix>/scheduled/ of the claim; the URI it reports names the
    // directory standing in for the mount (the harness translates paths into the container, not
    // back out of it)
    Path claim = env.kubelet().claimDir(NS, "backups");
    Path archive = Path.of(java.net.URI.create(status.uri));
    assertThat(archive)
        .startsWith(claim.resolve("meta/scheduled"))
        .hasFileName(backup.getMetadata().getName() + ".mcbak")
        .exists();
    assertThat(status.sizeBytes).isPositive();
    assertThat(status.sha256).hasSize(64);
    assertThat(Files.size(archive)).isEqualTo(status.sizeBytes);
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                assertThat(
                        Scenarios.condition(env.status(NS, "meta"), "BackupSucceeded").getStatus())
                    .isEqualTo("True"));

    restoreAndCompare("copy", backup.getMetadata().getName());
  }

  @Test
  @Order(2)
  void aBackupToS3RestoresIntoANewClusterWithTheSameNamespace() throws Exception {
    KubernetesClient k8s = env.client();
    try (S3Proxy s3 = S3Proxy.start(env.work().resolve("s3"))) {
      // a bucket of the filesystem backend is a directory
      Files.createDirectories(s3.objectFile("backups", ""));
      Map<String, String> credentials = new java.util.TreeMap<>();
      s3.env()
          .forEach(
              (k, v) ->
                  credentials.put(
                      k,
                      java.util.Base64.getEncoder()
                          .encodeToString(v.getBytes(java.nio.charset.StandardCharsets.UTF_8))));
      k8s.resource(
              new SecretBuilder()
                  .withNewMetadata()
                  .withName("s3-credentials")
                  .withNamespace(NS)
                  .endMetadata()
                  .withData(credentials)
                  .build())
          .create();
      MetadataBackup request = new MetadataBackup();
      request.getMetadata().setName("to-s3");
      request.getMetadata().setNamespace(NS);
      request.setSpec(new MetadataBackupSpec("meta"));
      request.getSpec().target = BackupTarget.s3(s3.endpoint(), "backups", "s3-credentials");
      k8s.resource(request).create();

      MetadataBackupStatus status =
          await()
              .atMost(Duration.ofSeconds(180))
              .pollInterval(Duration.ofSeconds(1))
              .until(
                  () ->
                      k8s.resources(MetadataBackup.class)
                          .inNamespace(NS)
                          .withName("to-s3")
                          .get()
                          .getStatus(),
                  st -> st != null && st.finished());
      assertThat(status.phase).as(status.message).isEqualTo(MetadataBackupStatus.SUCCEEDED);
      assertThat(status.uri).startsWith("s3://backups/");
      Path object = s3.objectFile("backups", status.uri.substring("s3://backups/".length()));
      assertThat(object).exists();
      assertThat(Files.size(object)).isEqualTo(status.sizeBytes);

      restoreAndCompare("from-s3", "to-s3");
    }
  }

  /** A new cluster {@code name} from MetadataBackup {@code backup}: Ready, with meta's files. */
  private static void restoreAndCompare(String name, String backup) {
    MetadataCluster copy = Scenarios.patient(Scenarios.minimal(NS, name));
    copy.getSpec().bootstrap = new BootstrapSpec();
    copy.getSpec().bootstrap.fromBackup = new FromBackupSpec();
    copy.getSpec().bootstrap.fromBackup.backup = backup;
    env.client().resource(copy).create();
    env.awaitReady(NS, name, Duration.ofSeconds(240));
    try (MetadataClient client = env.clientOf(NS, name);
        MetadataClient original = env.clientOf(NS, "meta")) {
      assertThat(list(client)).isEqualTo(written);
      assertThat(client.clusterInfo().getLeaderId()).startsWith(name + "-");
      // the whole namespace (every inode and attribute), as the masters checksum it
      assertThat(namespaceChecksum(client)).isEqualTo(namespaceChecksum(original));
    }
  }

  /** The namespace checksum in the manifest of a backup streamed now (the archive is dropped). */
  private static String namespaceChecksum(MetadataClient client) {
    try {
      return client.backup(java.io.OutputStream.nullOutputStream()).getNamespaceChecksum();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** The first Succeeded MetadataBackup of cluster meta at or beyond {@code index}. */
  private static Optional<MetadataBackup> succeededSince(KubernetesClient k8s, long index) {
    return k8s.resources(MetadataBackup.class).inNamespace(NS).list().getItems().stream()
        .filter(b -> b.getStatus() != null)
        .filter(b -> MetadataBackupStatus.SUCCEEDED.equals(b.getStatus().phase))
        .filter(b -> b.getStatus().index != null && b.getStatus().index >= index)
        .min(Comparator.comparing(b -> b.getStatus().index));
  }

  private static Set<String> list(MetadataClient client) {
    return client.listStatus("/data").map(FileStatus::getPath).collect(Collectors.toSet());
  }
}

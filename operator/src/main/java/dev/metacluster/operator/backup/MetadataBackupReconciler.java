package dev.metacluster.operator.backup;

import dev.metacluster.operator.crd.BackupTarget;
import dev.metacluster.operator.crd.MetadataBackup;
import dev.metacluster.operator.crd.MetadataBackupStatus;
import dev.metacluster.operator.crd.MetadataCluster;
import dev.metacluster.operator.model.BackupJobModel;
import dev.metacluster.operator.model.BackupLocation;
import dev.metacluster.operator.model.Names;
import dev.metacluster.operator.model.StatefulSetModel;
import dev.metacluster.operator.reconciler.ClusterEvents;
import dev.metacluster.operator.status.ClusterConditions;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.net.HttpURLConnection;
import java.time.Clock;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One MetadataBackup: check the request (the cluster exists, a target is known), create its Job
 * (owned by the MetadataBackup), follow it, and on completion copy the result the Job's pod left in
 * its termination message into status. A Job that exhausted its retries (or its deadline) makes the
 * backup Failed, with the pod's last words as the message and a Warning Event on the backup and on
 * its cluster. A finished backup is never looked at again.
 */
@ControllerConfiguration(name = MetadataBackupReconciler.NAME)
public class MetadataBackupReconciler implements Reconciler<MetadataBackup> {
  public static final String NAME = "metadatabackup";

  /** The status condition: True once the archive is complete. */
  public static final String CONDITION_SUCCEEDED = "Succeeded";

  public static final String REASON_RUNNING = "JobRunning";
  public static final String REASON_COMPLETED = "Completed";
  public static final String REASON_INVALID = "InvalidRequest";
  public static final String REASON_JOB_FAILED = "JobFailed";
  public static final String EVENT_SUCCEEDED = "BackupSucceeded";
  public static final String EVENT_FAILED = "BackupFailed";

  private static final int UNPROCESSABLE = 422;

  private static final Logger log = LoggerFactory.getLogger(MetadataBackupReconciler.class);

  private final Clock clock;
  private final Duration pollPeriod;

  /**
   * @param pollPeriod how often a running backup's Job is looked at besides its watch events
   */
  public MetadataBackupReconciler(Clock clock, Duration pollPeriod) {
    this.clock = clock;
    this.pollPeriod = pollPeriod;
  }

  @Override
  public List<EventSource<?, MetadataBackup>> prepareEventSources(
      EventSourceContext<MetadataBackup> context) {
    // Job events map to the MetadataBackup through the Job's owner reference
    return List.of(
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(Job.class, MetadataBackup.class)
                .withLabelSelector(
                    dev.metacluster.operator.dependent.OperatorLabels.MANAGED_SELECTOR)
                .build(),
            context));
  }

  @Override
  public UpdateControl<MetadataBackup> reconcile(
      MetadataBackup backup, Context<MetadataBackup> context) {
    MetadataBackupStatus status =
        backup.getStatus() == null ? new MetadataBackupStatus() : backup.getStatus();
    if (status.finished()) {
      return UpdateControl.noUpdate();
    }
    KubernetesClient client = context.getClient();
    String ns = backup.getMetadata().getNamespace();
    String name = backup.getMetadata().getName();
    Job job =
        context
            .getSecondaryResource(Job.class)
            .orElseGet(() -> client.batch().v1().jobs().inNamespace(ns).withName(name).get());
    if (job == null) {
      return start(backup, status, client);
    }
    if (isTrue(job, "Complete")
        || (job.getStatus() != null && nz(job.getStatus().getSucceeded()) > 0)) {
      return succeeded(backup, status, job, client);
    }
    Optional<JobCondition> failed = condition(job, "Failed");
    if (failed.isPresent()) {
      return failed(
          backup, status, client, REASON_JOB_FAILED, jobFailure(failed.get(), job, client));
    }
    status.phase = MetadataBackupStatus.RUNNING;
    status.jobName = job.getMetadata().getName();
    backup.setStatus(status);
    return UpdateControl.patchStatus(backup).rescheduleAfter(pollPeriod);
  }

  /** Checks the request and creates the Job; a bad request fails at once, creating nothing. */
  private UpdateControl<MetadataBackup> start(
      MetadataBackup backup, MetadataBackupStatus status, KubernetesClient client) {
    String ns = backup.getMetadata().getNamespace();
    if (backup.getSpec() == null || backup.getSpec().cluster == null) {
      return failed(backup, status, client, REASON_INVALID, "spec.cluster is required");
    }
    String clusterName = backup.getSpec().cluster;
    MetadataCluster mdc =
        client.resources(MetadataCluster.class).inNamespace(ns).withName(clusterName).get();
    if (mdc == null || mdc.getSpec() == null) {
      return failed(
          backup,
          status,
          client,
          REASON_INVALID,
          "MetadataCluster " + clusterName + " not found in namespace " + ns);
    }
    BackupTarget target = backup.getSpec().target;
    String field = "spec.target";
    if (target == null && mdc.getSpec().backup != null) {
      target = mdc.getSpec().backup.target;
      field = "MetadataCluster " + clusterName + " spec.backup.target";
    }
    if (target == null) {
      return failed(
          backup,
          status,
          client,
          REASON_INVALID,
          "no backup target: set spec.target here or spec.backup.target on MetadataCluster "
              + clusterName);
    }
    List<String> problems = BackupValidation.target(target, field);
    if (!problems.isEmpty()) {
      return failed(backup, status, client, REASON_INVALID, String.join("; ", problems));
    }
    boolean scheduled =
        BackupJobModel.ORIGIN_SCHEDULED.equals(
            backup.getMetadata().getLabels() == null
                ? null
                : backup.getMetadata().getLabels().get(BackupJobModel.LABEL_ORIGIN));
    String uri = BackupLocation.uri(target, clusterName, backup.getMetadata().getName(), scheduled);
    // scheduled backups prune their folder to the retention count; other backups are never pruned
    Integer keep =
        scheduled && mdc.getSpec().backup != null
            ? mdc.getSpec().backup.retentionOrDefault()
            : null;
    Job job = BackupJobModel.desired(backup, mdc, mastersImage(client, mdc), target, uri, keep);
    job.getMetadata()
        .setOwnerReferences(
            List.of(
                new OwnerReferenceBuilder()
                    .withApiVersion(backup.getApiVersion())
                    .withKind(backup.getKind())
                    .withName(backup.getMetadata().getName())
                    .withUid(backup.getMetadata().getUid())
                    .withController(true)
                    .withBlockOwnerDeletion(true)
                    .build()));
    try {
      client.resource(job).create();
      log.info("backup {}/{}: job created, writing {}", ns, backup.getMetadata().getName(), uri);
    } catch (KubernetesClientException e) {
      if (e.getCode() == UNPROCESSABLE) {
        // the API server refuses the Job itself (e.g. a name over 63 characters): final
        return failed(
            backup, status, client, REASON_INVALID, "cannot create the Job: " + e.getMessage());
      }
      if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
        throw e; // anything else may pass: JOSDK retries the reconcile with back-off
      }
    }
    status.phase = MetadataBackupStatus.RUNNING;
    status.jobName = job.getMetadata().getName();
    status.target = target;
    status.uri = uri;
    status.startedAt = now();
    status.conditions =
        List.of(
            condition(
                backup,
                status,
                ClusterConditions.UNKNOWN,
                REASON_RUNNING,
                "Job " + status.jobName + " is writing " + uri));
    backup.setStatus(status);
    return UpdateControl.patchStatus(backup).rescheduleAfter(pollPeriod);
  }

  private UpdateControl<MetadataBackup> succeeded(
      MetadataBackup backup, MetadataBackupStatus status, Job job, KubernetesClient client) {
    Optional<String> message =
        pods(job, client).stream()
            .filter(p -> p.getStatus() != null && "Succeeded".equals(p.getStatus().getPhase()))
            .map(MetadataBackupReconciler::terminationMessage)
            .flatMap(Optional::stream)
            .findFirst();
    BackupResult result;
    try {
      result = BackupResult.parse(message.orElse(null));
    } catch (IllegalArgumentException e) {
      return failed(
          backup,
          status,
          client,
          REASON_JOB_FAILED,
          "Job " + job.getMetadata().getName() + " completed, but " + e.getMessage());
    }
    status.phase = MetadataBackupStatus.SUCCEEDED;
    status.jobName = job.getMetadata().getName();
    status.uri = result.uri();
    status.clusterId = result.clusterId();
    status.term = result.term();
    status.index = result.index();
    status.inodes = result.inodes();
    status.sizeBytes = result.sizeBytes();
    status.sha256 = result.sha256();
    status.completedAt = result.completedAt() != null ? result.completedAt() : now();
    status.message =
        "backup of index "
            + result.index()
            + " ("
            + result.sizeBytes()
            + " bytes) at "
            + result.uri();
    status.conditions =
        List.of(
            condition(backup, status, ClusterConditions.TRUE, REASON_COMPLETED, status.message));
    backup.setStatus(status);
    // once: a reconcile right behind this one may still see the backup running
    ClusterEvents.emitOnce(
        client,
        backup,
        new ClusterEvents.Notice("Normal", EVENT_SUCCEEDED, status.message),
        EVENT_SUCCEEDED);
    return UpdateControl.patchStatus(backup);
  }

  private UpdateControl<MetadataBackup> failed(
      MetadataBackup backup,
      MetadataBackupStatus status,
      KubernetesClient client,
      String reason,
      String message) {
    log.warn(
        "backup {}/{} failed: {}",
        backup.getMetadata().getNamespace(),
        backup.getMetadata().getName(),
        message);
    status.phase = MetadataBackupStatus.FAILED;
    status.message = message;
    status.completedAt = now();
    status.conditions =
        List.of(condition(backup, status, ClusterConditions.FALSE, reason, message));
    backup.setStatus(status);
    ClusterEvents.Notice notice =
        new ClusterEvents.Notice(
            "Warning", EVENT_FAILED, "backup " + backup.getMetadata().getName() + ": " + message);
    ClusterEvents.emitOnce(client, backup, notice, EVENT_FAILED);
    MetadataCluster mdc =
        backup.getSpec() == null || backup.getSpec().cluster == null
            ? null
            : client
                .resources(MetadataCluster.class)
                .inNamespace(backup.getMetadata().getNamespace())
                .withName(backup.getSpec().cluster)
                .get();
    if (mdc != null) {
      ClusterEvents.emitOnce(
          client, mdc, notice, "backup-" + backup.getMetadata().getName() + "-" + EVENT_FAILED);
    }
    return UpdateControl.patchStatus(backup);
  }

  /**
   * The image the masters run (the leader's first), else the spec's: before an upgrade's first
   * restart that is the old image, so the backup does not depend on the new one.
   */
  private static String mastersImage(KubernetesClient client, MetadataCluster mdc) {
    return client
        .pods()
        .inNamespace(mdc.getMetadata().getNamespace())
        .withLabels(Names.selector(mdc))
        .list()
        .getItems()
        .stream()
        .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
        .sorted(
            Comparator.comparing(
                (Pod p) ->
                    !Names.ROLE_LEADER.equals(p.getMetadata().getLabels().get(Names.LABEL_ROLE))))
        .flatMap(p -> p.getSpec().getContainers().stream())
        .filter(c -> StatefulSetModel.CONTAINER.equals(c.getName()) && c.getImage() != null)
        .map(Container::getImage)
        .findFirst()
        .orElse(mdc.getSpec().image);
  }

  /** The Job's failure and the last words of its newest failed pod. */
  private static String jobFailure(JobCondition failed, Job job, KubernetesClient client) {
    String why =
        "Job "
            + job.getMetadata().getName()
            + " failed"
            + (failed.getReason() == null ? "" : " (" + failed.getReason() + ")")
            + (failed.getMessage() == null ? "" : ": " + failed.getMessage());
    Optional<String> last =
        pods(job, client).stream()
            .filter(p -> p.getStatus() != null && "Failed".equals(p.getStatus().getPhase()))
            .max(Comparator.comparing(p -> String.valueOf(p.getMetadata().getCreationTimestamp())))
            .flatMap(MetadataBackupReconciler::terminationMessage);
    return last.map(m -> why + "; last attempt: " + lastLines(m)).orElse(why);
  }

  private static List<Pod> pods(Job job, KubernetesClient client) {
    return client
        .pods()
        .inNamespace(job.getMetadata().getNamespace())
        .withLabel(BackupJobModel.LABEL_BACKUP, job.getMetadata().getName())
        .list()
        .getItems();
  }

  private static Optional<String> terminationMessage(Pod pod) {
    List<ContainerStatus> statuses =
        pod.getStatus().getContainerStatuses() == null
            ? List.of()
            : pod.getStatus().getContainerStatuses();
    return statuses.stream()
        .filter(c -> BackupJobModel.CONTAINER.equals(c.getName()))
        .map(c -> c.getState() == null ? null : c.getState().getTerminated())
        .filter(t -> t != null && t.getMessage() != null && !t.getMessage().isBlank())
        .map(t -> t.getMessage())
        .findFirst();
  }

  /** The last few lines of a pod's message (its log tail, on failure), short enough for status. */
  static String lastLines(String message) {
    String[] lines = message.strip().split("\n");
    List<String> tail = new ArrayList<>();
    for (int i = Math.max(0, lines.length - 3); i < lines.length; i++) {
      tail.add(lines[i].strip());
    }
    return BackupResult.abbreviate(String.join(" | ", tail));
  }

  private static Optional<JobCondition> condition(Job job, String type) {
    if (job.getStatus() == null || job.getStatus().getConditions() == null) {
      return Optional.empty();
    }
    return job.getStatus().getConditions().stream()
        .filter(c -> type.equals(c.getType()) && "True".equals(c.getStatus()))
        .findFirst();
  }

  private static boolean isTrue(Job job, String type) {
    return condition(job, type).isPresent();
  }

  private io.fabric8.kubernetes.api.model.Condition condition(
      MetadataBackup backup,
      MetadataBackupStatus status,
      String value,
      String reason,
      String message) {
    return ClusterConditions.condition(
        CONDITION_SUCCEEDED,
        value,
        reason,
        message,
        backup.getMetadata().getGeneration() == null ? 0 : backup.getMetadata().getGeneration(),
        status.conditions,
        clock.instant());
  }

  private String now() {
    return clock.instant().truncatedTo(ChronoUnit.SECONDS).toString();
  }

  private static int nz(Integer i) {
    return i == null ? 0 : i;
  }
}

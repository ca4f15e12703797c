package dev.metacluster.operator.backup;

import dev.metacluster.operator.crd.BackupSpec;
import dev.metacluster.operator.crd.ClusterBackupStatus;
import dev.metacluster.operator.crd.MetadataBackup;
import dev.metacluster.operator.crd.MetadataBackupSpec;
import dev.metacluster.operator.crd.MetadataBackupStatus;
import dev.metacluster.operator.crd.MetadataCluster;
import dev.metacluster.operator.crd.MetadataClusterStatus;
import dev.metacluster.operator.model.BackupJobModel;
import dev.metacluster.operator.plan.BackupView;
import dev.metacluster.operator.plan.Plan;
import dev.metacluster.operator.plan.Planner;
import dev.metacluster.operator.status.ClusterConditions;
import dev.metacluster.operator.status.StatusModel;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.net.HttpURLConnection;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A MetadataCluster's backups as its reconciler sees them: the schedule's step (create the backup
 * that is due, delete scheduled ones beyond retention), the upgrade's backup (one per StatefulSet
 * revision, found by name, so an operator restart picks it up again), and what status says about
 * them ({@code status.backup}, condition {@value #CONDITION}).
 */
public final class ClusterBackups {
  public static final String CONDITION = "BackupSucceeded";
  public static final String REASON_SUCCEEDED = "BackupSucceeded";
  public static final String REASON_FAILED = "BackupFailed";
  public static final String REASON_NONE_YET = "NoBackupYet";

  /** The cluster restores from a MetadataBackup that has not succeeded (yet). */
  public static final String REASON_WAITING = "WaitingForBackup";

  private static final Logger log = LoggerFactory.getLogger(ClusterBackups.class);

  /**
   * @param status {@code status.backup}, null when the cluster has no backups and no schedule
   * @param condition {@value #CONDITION}, null in the same case
   * @param untilNextFire how long until the schedule fires next, null without a schedule
   */
  public record Outcome(ClusterBackupStatus status, Condition condition, Duration untilNextFire) {}

  private ClusterBackups() {}

  /**
   * The schedule's step and the summary.
   *
   * @param act false when the cluster is paused or its spec invalid: nothing is created or deleted
   * @param available the cluster has a leader and a quorum: a due backup waits until it has
   */
  public static Outcome reconcile(
      KubernetesClient client, MetadataCluster mdc, boolean act, boolean available, Instant now) {
    BackupSpec spec = mdc.getSpec().backup;
    MetadataClusterStatus previous = mdc.getStatus();
    ClusterBackupStatus was = previous == null ? null : previous.backup;
    List<MetadataBackup> backups = backupsOf(client, mdc);
    ClusterBackupStatus status = new ClusterBackupStatus();
    status.lastScheduleTime = was == null ? null : was.lastScheduleTime;
    Duration untilNext = null;

    if (spec != null && spec.schedule != null && spec.target != null && act) {
      BackupSchedule schedule = BackupSchedule.parse(spec.schedule);
      BackupScheduler.Decision decision =
          BackupScheduler.decide(schedule, parse(status.lastScheduleTime), creation(mdc, now), now);
      if (decision.due() && available) {
        MetadataBackup created =
            create(
                client,
                mdc,
                BackupScheduler.name(mdc.getMetadata().getName(), decision.fire()),
                BackupJobModel.ORIGIN_SCHEDULED);
        backups.add(created);
        status.lastScheduleTime = stamp(decision.fire());
      } else if (decision.due()) {
        log.info(
            "scheduled backup of {} waits: the cluster is not available",
            mdc.getMetadata().getName());
      }
      if (decision.next() != null) {
        status.nextScheduleTime = stamp(decision.next());
        untilNext = Duration.between(now, decision.next());
      }
      List<MetadataBackup> scheduled =
          backups.stream().filter(b -> BackupJobModel.ORIGIN_SCHEDULED.equals(origin(b))).toList();
      for (String name : BackupScheduler.beyondRetention(scheduled, spec.retentionOrDefault())) {
        delete(client, mdc, name);
      }
    } else if (was != null) {
      status.nextScheduleTime = act ? null : was.nextScheduleTime;
    }

    Optional<MetadataBackup> lastFinished =
        backups.stream()
            .filter(b -> b.getStatus() != null && b.getStatus().finished())
            .max(Comparator.comparing(ClusterBackups::finishedAt));
    Optional<MetadataBackup> lastGood =
        backups.stream()
            .filter(b -> MetadataBackupStatus.SUCCEEDED.equals(b.phase()))
            .max(Comparator.comparing(ClusterBackups::finishedAt));
    lastFinished.ifPresent(b -> status.lastBackup = b.getMetadata().getName());
    lastGood.ifPresent(
        b -> {
          status.lastSuccessfulBackup = b.getMetadata().getName();
          status.lastSuccessfulTime = b.getStatus().completedAt;
          status.lastSuccessfulUri = b.getStatus().uri;
          status.lastSuccessfulIndex = b.getStatus().index;
        });

    boolean configured = spec != null && spec.target != null;
    if (!configured && backups.isEmpty() && status.lastScheduleTime == null) {
      return new Outcome(null, null, null);
    }
    return new Outcome(status, condition(mdc, lastFinished, now), untilNext);
  }

  /**
   * MetadataBackup events for the MetadataCluster reconciler: a backup's change (an upgrade's
   * backup succeeding, say) triggers its cluster's reconcile at once, not at the next observation.
   */
  public static InformerEventSource<MetadataBackup, MetadataCluster> eventSource(
      EventSourceContext<MetadataCluster> context) {
    return new InformerEventSource<>(
        InformerEventSourceConfiguration.from(MetadataBackup.class, MetadataCluster.class)
            .withSecondaryToPrimaryMapper(
                b ->
                    b.getSpec() == null || b.getSpec().cluster == null
                        ? Set.of()
                        : Set.of(
                            new ResourceID(b.getSpec().cluster, b.getMetadata().getNamespace())))
            .build(),
        context);
  }

  /**
   * A cluster that waits for the MetadataBackup it restores from is being created, not invalid:
   * when that is its only problem, status says so ({@value #REASON_WAITING}, phase Creating).
   */
  public static void waitingForBackup(
      MetadataClusterStatus status, List<String> problems, String waiting) {
    if (waiting == null || !problems.equals(List.of(waiting))) {
      return;
    }
    status.phase = StatusModel.PHASE_CREATING;
    for (Condition c : status.conditions) {
      if (ClusterConditions.REASON_INVALID_SPEC.equals(c.getReason())) {
        c.setReason(REASON_WAITING);
      }
    }
  }

  /** What status had, for a reconcile that could not look at the backups. */
  public static Outcome unchanged(MetadataCluster mdc) {
    MetadataClusterStatus previous = mdc.getStatus();
    return new Outcome(
        previous == null ? null : previous.backup,
        previous == null
            ? null
            : ClusterConditions.find(previous.conditions, CONDITION).orElse(null),
        null);
  }

  /** Puts the outcome into a freshly computed status; a failed upgrade backup degrades it. */
  public static void apply(
      MetadataClusterStatus status, Outcome outcome, Plan plan, BackupView upgradeBackup) {
    status.backup = outcome.status();
    if (outcome.condition() != null) {
      status.conditions.add(outcome.condition());
    }
    if (plan != null
        && Planner.BACKING_UP.equals(plan.reason())
        && upgradeBackup != null
        && upgradeBackup.failed()) {
      for (int i = 0; i < status.conditions.size(); i++) {
        Condition c = status.conditions.get(i);
        if (ClusterConditions.DEGRADED.equals(c.getType())) {
          c.setStatus(ClusterConditions.TRUE);
          c.setReason(REASON_FAILED);
          c.setMessage(plan.message());
        }
      }
    }
  }

  /**
   * The backup an upgrade to {@code revision} takes first: {@code <cluster>-pre-<revision hash>}.
   * Null when none is wanted (no target, beforeUpgrade false, revision unknown).
   */
  public static BackupView upgradeBackup(
      KubernetesClient client, MetadataCluster mdc, String revision) {
    BackupSpec spec = mdc.getSpec().backup;
    if (spec == null || !spec.backsUpBeforeUpgrade() || revision == null) {
      return null;
    }
    String name = upgradeBackupName(mdc.getMetadata().getName(), revision);
    MetadataBackup backup =
        client
            .resources(MetadataBackup.class)
            .inNamespace(mdc.getMetadata().getNamespace())
            .withName(name)
            .get();
    if (backup == null) {
      return new BackupView(name, null, null);
    }
    return new BackupView(
        name, backup.phase(), backup.getStatus() == null ? null : backup.getStatus().message);
  }

  /** The short hash of a StatefulSet revision ({@code <sts>-<hash>}) after {@code -pre-}. */
  public static String upgradeBackupName(String cluster, String revision) {
    String hash = revision.substring(revision.lastIndexOf('-') + 1);
    return cluster + "-pre-" + (hash.length() > 10 ? hash.substring(0, 10) : hash);
  }

  /**
   * The Step.Backup of an upgrade: create its MetadataBackup (once; a second create is a no-op).
   */
  public static void createUpgradeBackup(
      KubernetesClient client, MetadataCluster mdc, String name) {
    create(client, mdc, name, BackupJobModel.ORIGIN_PRE_UPGRADE);
  }

  private static MetadataBackup create(
      KubernetesClient client, MetadataCluster mdc, String name, String origin) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(BackupJobModel.LABEL_CLUSTER, mdc.getMetadata().getName());
    labels.put(BackupJobModel.LABEL_ORIGIN, origin);
    MetadataBackup backup =
        new MetadataBackup(
            mdc.getMetadata().getNamespace(),
            name,
            new MetadataBackupSpec(mdc.getMetadata().getName()));
    backup.getMetadata().setLabels(labels);
    try {
      MetadataBackup created = client.resource(backup).create();
      log.info("{} backup {} of {} requested", origin, name, mdc.getMetadata().getName());
      return created;
    } catch (KubernetesClientException e) {
      if (e.getCode() == HttpURLConnection.HTTP_CONFLICT) {
        return backup; // created before an operator restart: the same backup
      }
      throw e;
    }
  }

  private static void delete(KubernetesClient client, MetadataCluster mdc, String name) {
    log.info("deleting scheduled backup {} beyond retention", name);
    client
        .resources(MetadataBackup.class)
        .inNamespace(mdc.getMetadata().getNamespace())
        .withName(name)
        .delete();
  }

  private static List<MetadataBackup> backupsOf(KubernetesClient client, MetadataCluster mdc) {
    List<MetadataBackup> all =
        client
            .resources(MetadataBackup.class)
            .inNamespace(mdc.getMetadata().getNamespace())
            .list()
            .getItems();
    List<MetadataBackup> mine = new ArrayList<>();
    for (MetadataBackup b : all) {
      if (b.getSpec() != null && mdc.getMetadata().getName().equals(b.getSpec().cluster)) {
        mine.add(b);
      }
    }
    return mine;
  }

  private static Condition condition(
      MetadataCluster mdc, Optional<MetadataBackup> lastFinished, Instant now) {
    long generation =
        mdc.getMetadata().getGeneration() == null ? 0 : mdc.getMetadata().getGeneration();
    List<Condition> before = mdc.getStatus() == null ? List.of() : mdc.getStatus().conditions;
    if (lastFinished.isEmpty()) {
      return ClusterConditions.condition(
          CONDITION,
          ClusterConditions.UNKNOWN,
          REASON_NONE_YET,
          "no backup has finished yet",
          generation,
          before,
          now);
    }
    MetadataBackup b = lastFinished.get();
    boolean ok = MetadataBackupStatus.SUCCEEDED.equals(b.phase());
    return ClusterConditions.condition(
        CONDITION,
        ok ? ClusterConditions.TRUE : ClusterConditions.FALSE,
        ok ? REASON_SUCCEEDED : REASON_FAILED,
        "backup "
            + b.getMetadata().getName()
            + (ok
                ? " succeeded at " + b.getStatus().completedAt + ": " + b.getStatus().uri
                : " failed: " + b.getStatus().message),
        generation,
        before,
        now);
  }

  private static String origin(MetadataBackup b) {
    return b.getMetadata().getLabels() == null
        ? null
        : b.getMetadata().getLabels().get(BackupJobModel.LABEL_ORIGIN);
  }

  /** Completion time, then name: RFC 3339 UTC stamps sort as text. */
  private static String finishedAt(MetadataBackup b) {
    String at = b.getStatus() == null ? null : b.getStatus().completedAt;
    return (at == null ? "" : at) + " " + b.getMetadata().getName();
  }

  private static Instant creation(MetadataCluster mdc, Instant now) {
    String created = mdc.getMetadata().getCreationTimestamp();
    return created == null ? now : Instant.parse(created);
  }

  private static Instant parse(String stamp) {
    return stamp == null ? null : Instant.parse(stamp);
  }

  private static String stamp(Instant t) {
    return t.truncatedTo(ChronoUnit.SECONDS).toString();
  }
}

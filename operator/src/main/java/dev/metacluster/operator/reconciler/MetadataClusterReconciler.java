package dev.metacluster.operator.reconciler;

import dev.metacluster.operator.backup.ClusterBackups;
import dev.metacluster.operator.backup.RestoreSources;
import dev.metacluster.operator.crd.MetadataCluster;
import dev.metacluster.operator.crd.MetadataClusterStatus;
import dev.metacluster.operator.dependent.ClientServiceDependent;
import dev.metacluster.operator.dependent.ConfigMapDependent;
import dev.metacluster.operator.dependent.HeadlessServiceDependent;
import dev.metacluster.operator.dependent.PodDisruptionBudgetDependent;
import dev.metacluster.operator.dependent.RestorePart;
import dev.metacluster.operator.dependent.ServiceAccountDependent;
import dev.metacluster.operator.dependent.StatefulSetDependent;
import dev.metacluster.operator.dependent.Topology;
import dev.metacluster.operator.model.Names;
import dev.metacluster.operator.model.StatefulSetModel;
import dev.metacluster.operator.observe.ClusterObservation;
import dev.metacluster.operator.observe.ClusterObserver;
import dev.metacluster.operator.observe.MasterAdmin;
import dev.metacluster.operator.observe.MemberAddressResolver;
import dev.metacluster.operator.observe.MemberEndpoint;
import dev.metacluster.operator.plan.ClusterView;
import dev.metacluster.operator.plan.Plan;
import dev.metacluster.operator.plan.Planner;
import dev.metacluster.operator.plan.PodView;
import dev.metacluster.operator.status.SpecValidator;
import dev.metacluster.operator.status.StatusModel;
import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.PrimaryUpdateAndCacheUtils;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.Workflow;
import io.javaoperatorsdk.operator.api.reconciler.dependent.Dependent;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One reconcile of a MetadataCluster: validate the spec; ask every master for ClusterInfo; unless
 * the spec is invalid or paused, decide the one next day-2 step ({@link Planner}: scale, upgrade),
 * write its intent to status, apply the children (a JOSDK workflow, server-side apply; the
 * StatefulSet's replicas follow the decided membership) and take the step; label the leader pod;
 * write status; emit Events for what changed; come back after the observation period.
 *
 * <p>The workflow is invoked explicitly so that an invalid or paused spec leaves every child as it
 * is while status keeps being written. Children carry an owner reference to the MetadataCluster, so
 * the API server's garbage collector deletes them with it. The volume claims the StatefulSet
 * creates have no owner reference; a finalizer (JOSDK adds it, as this is a {@link Cleaner}) lets
 * {@link #cleanup} honour spec.storage.deletionPolicy before the MetadataCluster goes.
 */
@Workflow(
    explicitInvocation = true,
    dependents = {
      @Dependent(name = "serviceaccount", type = ServiceAccountDependent.class),
      @Dependent(name = "config", type = ConfigMapDependent.class),
      @Dependent(name = "peers", type = HeadlessServiceDependent.class),
      @Dependent(name = "client", type = ClientServiceDependent.class),
      @Dependent(name = "pdb", type = PodDisruptionBudgetDependent.class),
      @Dependent(
          name = "statefulset",
          type = StatefulSetDependent.class,
          dependsOn = {"serviceaccount", "config", "peers"})
    })
@ControllerConfiguration(name = MetadataClusterReconciler.NAME)
public class MetadataClusterReconciler
    implements Reconciler<MetadataCluster>, Cleaner<MetadataCluster> {
  public static final String NAME = "metadatacluster";

  private static final Logger log = LoggerFactory.getLogger(MetadataClusterReconciler.class);

  private final ClusterObserver observer;
  private final MemberAddressResolver resolver;
  private final Duration observePeriod;
  private final Clock clock;
  private final long maxLag;
  private final Steps steps;

  /** The master's own /readyz default (ready.max.lag). */
  public static final long DEFAULT_MAX_LAG = 1000;

  public MetadataClusterReconciler(
      MasterAdmin admin, MemberAddressResolver resolver, Duration observePeriod, Clock clock) {
    this(admin, resolver, observePeriod, clock, DEFAULT_MAX_LAG);
  }

  /**
   * @param maxLag a member at most this many entries behind the leader's commit index counts as
   *     caught up (scale-up done, next restart of an upgrade)
   */
  public MetadataClusterReconciler(
      MasterAdmin admin,
      MemberAddressResolver resolver,
      Duration observePeriod,
      Clock clock,
      long maxLag) {
    this.observer = new ClusterObserver(admin);
    this.resolver = resolver;
    this.observePeriod = observePeriod;
    this.clock = clock;
    this.maxLag = maxLag;
    this.steps = new Steps(admin, resolver);
  }

  @Override
  public List<EventSource<?, MetadataCluster>> prepareEventSources(
      EventSourceContext<MetadataCluster> context) {
    return List.of(ClusterBackups.eventSource(context));
  }

  @Override
  public UpdateControl<MetadataCluster> reconcile(
      MetadataCluster mdc, Context<MetadataCluster> context) {
    StatefulSet sts = context.getSecondaryResource(StatefulSet.class).orElse(null);
    List<String> problems = SpecValidator.validate(mdc, sts);
    boolean paused = mdc.getSpec() != null && mdc.getSpec().isPaused();
    if (!problems.isEmpty()) {
      log.warn("spec refused, children left as they are: {}", String.join("; ", problems));
    }

    RestoreSources.Resolution restore =
        problems.isEmpty() ? RestoreSources.resolve(context.getClient(), mdc, sts) : null;
    if (restore != null && restore.waiting() != null) {
      problems.add(restore.waiting()); // nothing is created until the backup is there
    }

    ClusterObservation observation = sts == null ? null : observer.observe(endpoints(mdc, sts));
    MetadataClusterStatus previous = mdc.getStatus();
    boolean groupFormed =
        (previous != null && Boolean.TRUE.equals(previous.groupFormed))
            || (observation != null && observation.quorumUp());
    ClusterBackups.Outcome backups =
        backups(mdc, problems.isEmpty() && !paused && sts != null, observation, context);

    Plan plan = null;
    ClusterView view = null;
    String failure = null;
    if (problems.isEmpty() && !paused) {
      view = view(mdc, sts, observation, groupFormed, context);
      plan = Planner.decide(view);
      if (plan.acts()) {
        // intent first: the step is in status before it is taken
        MetadataClusterStatus intent =
            StatusModel.compute(mdc, problems, sts, observation, plan, groupFormed, now());
        ClusterBackups.apply(intent, backups, plan, view.preUpgradeBackup());
        mdc = patchStatus(mdc, intent, context);
        log.info("step {}: {}", plan.step(), plan.message());
      }
      int current = sts == null ? plan.stsReplicas() : replicas(mdc, sts);
      new Topology(
              plan.stsReplicas(),
              Math.max(mdc.getSpec().replicasOrDefault(), Math.max(plan.stsReplicas(), current)),
              groupFormed)
          .put(context);
      RestorePart.put(context, restore.part());
      context.managedWorkflowAndDependentResourceContext().reconcileManagedWorkflow();
      sts = context.getSecondaryResource(StatefulSet.class).orElse(sts);
      failure = steps.take(context.getClient(), mdc, plan.step(), observation);
    }

    if (observation != null && !paused) {
      PodRoles.apply(context.getClient(), mdc, observation);
    }

    MetadataClusterStatus status =
        StatusModel.compute(mdc, problems, sts, observation, plan, groupFormed, now());
    ClusterBackups.apply(status, backups, plan, view == null ? null : view.preUpgradeBackup());
    ClusterBackups.waitingForBackup(status, problems, restore == null ? null : restore.waiting());
    if (failure != null && status.operation != null) {
      status.operation.step = status.operation.step + " -- failed, retrying: " + failure;
    }
    patchStatus(mdc, status, context);
    List<ClusterEvents.Notice> notices = new ArrayList<>(ClusterEvents.between(previous, status));
    if (plan != null && plan.acts()) {
      notices.add(
          failure == null
              ? new ClusterEvents.Notice("Normal", plan.reason(), plan.message())
              : new ClusterEvents.Notice(
                  "Warning", ClusterEvents.STEP_FAILED, plan.message() + ": " + failure));
    }
    ClusterEvents.emit(context.getClient(), mdc, notices);
    Duration next = observePeriod;
    if (backups.untilNextFire() != null && backups.untilNextFire().compareTo(next) < 0) {
      next = backups.untilNextFire().plusMillis(100); // just past the schedule's fire time
    }
    return UpdateControl.<MetadataCluster>noUpdate().rescheduleAfter(next);
  }

  /** The schedule's step and the backups' summary; on an API error, status keeps what it had. */
  private ClusterBackups.Outcome backups(
      MetadataCluster mdc,
      boolean act,
      ClusterObservation observation,
      Context<MetadataCluster> context) {
    try {
      return ClusterBackups.reconcile(
          context.getClient(), mdc, act, observation != null && observation.quorumUp(), now());
    } catch (KubernetesClientException e) {
      log.warn("backups of {} not reconciled: {}", mdc.getMetadata().getName(), e.getMessage());
      return ClusterBackups.unchanged(mdc);
    }
  }

  /**
   * The MetadataCluster is being deleted: with deletionPolicy Delete its volume claims are deleted
   * (they go once the pods using them are gone); with Retain they stay. Either way the finalizer is
   * then removed. A failure is thrown, and JOSDK retries.
   */
  @Override
  public DeleteControl cleanup(MetadataCluster mdc, Context<MetadataCluster> context) {
    String ns = mdc.getMetadata().getNamespace();
    boolean delete =
        mdc.getSpec() != null
            && mdc.getSpec().storage != null
            && mdc.getSpec().storage.deletesVolumes();
    List<String> claims = claimNames(mdc, context).stream().sorted().toList();
    if (delete) {
      for (String claim : claims) {
        context.getClient().persistentVolumeClaims().inNamespace(ns).withName(claim).delete();
      }
      log.info(
          "cluster {}/{} deleted: deleted its volume claims {}",
          ns,
          mdc.getMetadata().getName(),
          claims);
    } else {
      log.info(
          "cluster {}/{} deleted: kept its volume claims {} (deletionPolicy Retain)",
          ns,
          mdc.getMetadata().getName(),
          claims);
    }
    return DeleteControl.defaultDelete();
  }

  private Instant now() {
    return clock.instant();
  }

  /**
   * Server-side apply of the status, with the result cached so the next reconcile starts from it
   * (events and the intent are decided from the previous status and must not repeat).
   */
  private static MetadataCluster patchStatus(
      MetadataCluster mdc, MetadataClusterStatus status, Context<MetadataCluster> context) {
    MetadataCluster patch = new MetadataCluster();
    patch.getMetadata().setName(mdc.getMetadata().getName());
    patch.getMetadata().setNamespace(mdc.getMetadata().getNamespace());
    patch.setStatus(status);
    MetadataCluster updated =
        PrimaryUpdateAndCacheUtils.ssaPatchStatusAndCacheResource(mdc, patch, context);
    // keep the spec this reconcile decided on; take the new resourceVersion and status
    MetadataCluster next = new MetadataCluster();
    next.setMetadata(updated.getMetadata());
    next.setSpec(mdc.getSpec());
    next.setStatus(updated.getStatus() == null ? status : updated.getStatus());
    return next;
  }

  /** What the planner looks at: the StatefulSet, its pods and volume claims, the masters. */
  private ClusterView view(
      MetadataCluster mdc,
      StatefulSet sts,
      ClusterObservation observation,
      boolean groupFormed,
      Context<MetadataCluster> context) {
    String ns = mdc.getMetadata().getNamespace();
    String name = Names.statefulSet(mdc);
    Map<Integer, PodView> pods = new HashMap<>();
    Set<Integer> claims = new HashSet<>();
    if (sts != null) {
      for (Pod pod :
          context
              .getClient()
              .pods()
              .inNamespace(ns)
              .withLabels(Names.selector(mdc))
              .list()
              .getItems()) {
        Integer ordinal = Names.ordinal(mdc, pod.getMetadata().getName());
        if (ordinal != null) {
          pods.put(ordinal, podView(ordinal, pod));
        }
      }
      for (String claim : claimNames(mdc, context)) {
        claims.add(Names.claimOrdinal(mdc, claim));
      }
    }
    return new ClusterView(
        name,
        mdc.getSpec().replicasOrDefault(),
        sts == null ? null : replicas(mdc, sts),
        sts == null || sts.getStatus() == null ? null : sts.getStatus().getUpdateRevision(),
        pods,
        claims,
        observation,
        mdc.getStatus() == null ? null : mdc.getStatus().operation,
        groupFormed,
        maxLag,
        StatusModel.recentReplacements(mdc.getStatus(), now()).size(),
        mdc.getSpec().maxReplacementsPerHourOrDefault(),
        sts == null || sts.getStatus() == null
            ? null
            : ClusterBackups.upgradeBackup(
                context.getClient(), mdc, sts.getStatus().getUpdateRevision()),
        StatusModel.recordedStoreIds(mdc.getStatus()));
  }

  /** The names of the cluster's volume claims (metastore and journal, any ordinal). */
  private static List<String> claimNames(MetadataCluster mdc, Context<MetadataCluster> context) {
    return context
        .getClient()
        .persistentVolumeClaims()
        .inNamespace(mdc.getMetadata().getNamespace())
        .withLabels(Names.selector(mdc))
        .list()
        .getItems()
        .stream()
        .map(c -> c.getMetadata().getName())
        .filter(c -> Names.claimOrdinal(mdc, c) != null)
        .toList();
  }

  private static PodView podView(int ordinal, Pod pod) {
    Map<String, String> labels = pod.getMetadata().getLabels();
    boolean ready =
        pod.getStatus() != null
            && pod.getStatus().getConditions() != null
            && pod.getStatus().getConditions().stream()
                .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    return new PodView(
        ordinal,
        labels == null ? null : labels.get(Names.LABEL_REVISION),
        ready,
        pod.getMetadata().getDeletionTimestamp() != null,
        pod.getMetadata().getUid(),
        storeRefusal(pod));
  }

  /**
   * The master's termination message when it refused its own volumes: from the last termination (a
   * crash-looping container waits to restart) or the current one.
   */
  static String storeRefusal(Pod pod) {
    if (pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null) {
      return null;
    }
    for (ContainerStatus c : pod.getStatus().getContainerStatuses()) {
      if (!StatefulSetModel.CONTAINER.equals(c.getName())) {
        continue;
      }
      for (ContainerState state : java.util.Arrays.asList(c.getLastState(), c.getState())) {
        String message =
            state == null || state.getTerminated() == null
                ? null
                : state.getTerminated().getMessage();
        if (message != null && message.startsWith(PodView.STORE_REFUSED)) {
          return message.strip();
        }
      }
    }
    return null;
  }

  private static int replicas(MetadataCluster mdc, StatefulSet sts) {
    return sts.getSpec() == null || sts.getSpec().getReplicas() == null
        ? mdc.getSpec().replicasOrDefault()
        : sts.getSpec().getReplicas();
  }

  /** The members the StatefulSet runs (its replicas, which may lag the spec). */
  private List<MemberEndpoint> endpoints(MetadataCluster mdc, StatefulSet sts) {
    int replicas = replicas(mdc, sts);
    List<MemberEndpoint> members = new ArrayList<>(replicas);
    for (int i = 0; i < replicas; i++) {
      members.add(resolver.resolve(mdc, i));
    }
    return members;
  }
}

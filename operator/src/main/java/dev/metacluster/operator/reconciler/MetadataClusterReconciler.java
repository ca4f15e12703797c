package dev.metacluster.operator.reconciler;

import dev.metacluster.operator.crd.MetadataCluster;
import dev.metacluster.operator.crd.MetadataClusterStatus;
import dev.metacluster.operator.dependent.ClientServiceDependent;
import dev.metacluster.operator.dependent.ConfigMapDependent;
import dev.metacluster.operator.dependent.HeadlessServiceDependent;
import dev.metacluster.operator.dependent.PodDisruptionBudgetDependent;
import dev.metacluster.operator.dependent.ServiceAccountDependent;
import dev.metacluster.operator.dependent.StatefulSetDependent;
import dev.metacluster.operator.observe.ClusterObservation;
import dev.metacluster.operator.observe.ClusterObserver;
import dev.metacluster.operator.observe.MasterAdmin;
import dev.metacluster.operator.observe.MemberAddressResolver;
import dev.metacluster.operator.observe.MemberEndpoint;
import dev.metacluster.operator.status.SpecValidator;
import dev.metacluster.operator.status.StatusModel;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.PrimaryUpdateAndCacheUtils;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.Workflow;
import io.javaoperatorsdk.operator.api.reconciler.dependent.Dependent;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One reconcile of a MetadataCluster: validate the spec; unless it is invalid or paused, apply the
 * children (a JOSDK workflow, server-side apply); ask every master for ClusterInfo; label the
 * leader pod; write status; emit Events for what changed; come back after the observation period.
 *
 * <p>The workflow is invoked explicitly so that an invalid or paused spec leaves every child as it
 * is while status keeps being written. Children carry an owner reference to the MetadataCluster, so
 * the API server's garbage collector deletes them with it (no finalizer yet).
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
public class MetadataClusterReconciler implements Reconciler<MetadataCluster> {
  public static final String NAME = "metadatacluster";

  private static final Logger log = LoggerFactory.getLogger(MetadataClusterReconciler.class);

  private final ClusterObserver observer;
  private final MemberAddressResolver resolver;
  private final Duration observePeriod;
  private final Clock clock;

  public MetadataClusterReconciler(
      MasterAdmin admin, MemberAddressResolver resolver, Duration observePeriod, Clock clock) {
    this.observer = new ClusterObserver(admin);
    this.resolver = resolver;
    this.observePeriod = observePeriod;
    this.clock = clock;
  }

  @Override
  public UpdateControl<MetadataCluster> reconcile(
      MetadataCluster mdc, Context<MetadataCluster> context) {
    StatefulSet sts = context.getSecondaryResource(StatefulSet.class).orElse(null);
    List<String> problems = SpecValidator.validate(mdc, sts);
    boolean paused = mdc.getSpec() != null && mdc.getSpec().isPaused();
    if (!problems.isEmpty()) {
      log.warn("spec refused, children left as they are: {}", String.join("; ", problems));
    } else if (!paused) {
      context.managedWorkflowAndDependentResourceContext().reconcileManagedWorkflow();
      sts = context.getSecondaryResource(StatefulSet.class).orElse(sts);
    }

    ClusterObservation observation = sts == null ? null : observer.observe(endpoints(mdc, sts));
    if (observation != null && !paused) {
      PodRoles.apply(context.getClient(), mdc, observation);
    }

    MetadataClusterStatus status =
        StatusModel.compute(mdc, problems, sts, observation, clock.instant());
    MetadataCluster patch = new MetadataCluster();
    patch.getMetadata().setName(mdc.getMetadata().getName());
    patch.getMetadata().setNamespace(mdc.getMetadata().getNamespace());
    patch.setStatus(status);
    // server-side apply of the status, with the result cached so the next reconcile starts from
    // it (events are decided from the previous status and must not repeat)
    PrimaryUpdateAndCacheUtils.ssaPatchStatusAndCacheResource(mdc, patch, context);
    ClusterEvents.emit(context.getClient(), mdc, ClusterEvents.between(mdc.getStatus(), status));
    return UpdateControl.<MetadataCluster>noUpdate().rescheduleAfter(observePeriod);
  }

  /** The members the StatefulSet runs (its replicas, which may lag the spec). */
  private List<MemberEndpoint> endpoints(MetadataCluster mdc, StatefulSet sts) {
    int replicas =
        sts.getSpec() == null || sts.getSpec().getReplicas() == null
            ? mdc.getSpec().replicasOrDefault()
            : sts.getSpec().getReplicas();
    List<MemberEndpoint> members = new ArrayList<>(replicas);
    for (int i = 0; i < replicas; i++) {
      members.add(resolver.resolve(mdc, i));
    }
    return members;
  }
}

package dev.metacluster.operator.reconciler;

import dev.metacluster.api.admin.v1.MemberAddress;
import dev.metacluster.operator.backup.ClusterBackups;
import dev.metacluster.operator.crd.MetadataCluster;
import dev.metacluster.operator.model.Names;
import dev.metacluster.operator.observe.ClusterObservation;
import dev.metacluster.operator.observe.MasterAdmin;
import dev.metacluster.operator.observe.MemberAddressResolver;
import dev.metacluster.operator.observe.MemberEndpoint;
import dev.metacluster.operator.plan.Step;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes the one step a reconcile decided. Growing and shrinking the StatefulSet happen in the
 * workflow (its replicas follow the plan); membership calls go to the leader; pods and volume
 * claims are deleted through the API. A failure is returned in words, never thrown: the next
 * reconcile decides again from what it then observes.
 */
final class Steps {
  private static final Logger log = LoggerFactory.getLogger(Steps.class);

  /** A bound above the admin implementation's own deadlines, against a call that never ends. */
  private static final long CALL_BOUND_SECONDS = 120;

  private final MasterAdmin admin;
  private final MemberAddressResolver resolver;

  Steps(MasterAdmin admin, MemberAddressResolver resolver) {
    this.admin = admin;
    this.resolver = resolver;
  }

  /**
   * @return null when done, else why it failed
   */
  String take(
      KubernetesClient client, MetadataCluster mdc, Step step, ClusterObservation observation) {
    try {
      String ns = mdc.getMetadata().getNamespace();
      if (step instanceof Step.AddMembers add) {
        List<MemberAddress> members = new ArrayList<>();
        for (String id : add.members()) {
          MemberEndpoint member = resolver.resolve(mdc, Names.ordinal(mdc, id));
          members.add(
              MemberAddress.newBuilder()
                  .setId(id)
                  .setRaftAddress(member.raftTarget())
                  .setClientAddress(member.target())
                  .build());
        }
        await(admin.addMembers(leader(mdc, observation), members));
      } else if (step instanceof Step.RemoveMember remove) {
        await(admin.removeMembers(leader(mdc, observation), List.of(remove.member())));
      } else if (step instanceof Step.TransferLeadership transfer) {
        await(admin.transferLeadership(leader(mdc, observation), transfer.to()));
      } else if (step instanceof Step.RestartPod restart) {
        client.pods().inNamespace(ns).withName(restart.member()).delete();
      } else if (step instanceof Step.Backup backup) {
        ClusterBackups.createUpgradeBackup(client, mdc, backup.name());
      } else if (step instanceof Step.DeleteVolumes volumes) {
        deleteClaims(client, mdc, volumes.ordinal());
      } else if (step instanceof Step.ReplaceVolumes replace) {
        // claims first: on Kubernetes they stay (Terminating) until the pod is gone, and the
        // StatefulSet controller does not create the pod again while its claim is being deleted,
        // so the new pod can only get new, empty claims
        deleteClaims(client, mdc, replace.ordinal());
        client.pods().inNamespace(ns).withName(replace.member()).delete();
      }
      // Grow and Shrink: the workflow has applied the StatefulSet's new replicas
      return null;
    } catch (KubernetesClientException e) {
      log.warn("step {} failed: {}", step, e.getMessage());
      return e.getMessage();
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      log.warn("step {} failed: {}", step, cause.toString());
      return io.grpc.Status.fromThrowable(cause).toString();
    } catch (TimeoutException e) {
      log.warn("step {} did not finish within {}s", step, CALL_BOUND_SECONDS);
      return "no answer within " + CALL_BOUND_SECONDS + "s";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted";
    } catch (RuntimeException e) {
      log.warn("step {} failed", step, e);
      return e.toString();
    }
  }

  private static void deleteClaims(KubernetesClient client, MetadataCluster mdc, int ordinal) {
    for (String volume : List.of(Names.VOLUME_METASTORE, Names.VOLUME_JOURNAL)) {
      client
          .persistentVolumeClaims()
          .inNamespace(mdc.getMetadata().getNamespace())
          .withName(Names.claim(mdc, volume, ordinal))
          .delete();
    }
  }

  private MemberEndpoint leader(MetadataCluster mdc, ClusterObservation observation) {
    Integer ordinal = observation == null ? null : Names.ordinal(mdc, observation.leader());
    if (ordinal == null) {
      throw new IllegalStateException("no leader known");
    }
    return resolver.resolve(mdc, ordinal);
  }

  private static void await(CompletableFuture<?> call)
      throws ExecutionException, TimeoutException, InterruptedException {
    call.get(CALL_BOUND_SECONDS, TimeUnit.SECONDS);
  }
}

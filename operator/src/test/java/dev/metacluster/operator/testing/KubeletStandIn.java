package dev.metacluster.operator.testing;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.Map;

/**
 * Plays the StatefulSet controller and the kubelet for one StatefulSet, in one step: creates the
 * pods {@code <sts>-0..n-1} from the template's labels and marks all of them ready in the
 * StatefulSet's status. No process runs in them; the masters' answers come from a fake admin.
 */
public final class KubeletStandIn {
  private KubeletStandIn() {}

  public static void runAll(KubernetesClient client, String namespace, String name) {
    StatefulSet sts = client.apps().statefulSets().inNamespace(namespace).withName(name).get();
    int replicas = sts.getSpec().getReplicas();
    for (int i = 0; i < replicas; i++) {
      String pod = name + "-" + i;
      if (client.pods().inNamespace(namespace).withName(pod).get() == null) {
        Pod p =
            new PodBuilder()
                .withNewMetadata()
                .withName(pod)
                .withNamespace(namespace)
                .withLabels(sts.getSpec().getTemplate().getMetadata().getLabels())
                .endMetadata()
                .withSpec(sts.getSpec().getTemplate().getSpec())
                .build();
        client.resource(p).create();
      }
    }
    // a merge patch of the status alone: no resourceVersion, so no conflict with the operator
    var status =
        new StatefulSetStatusBuilder()
            .withObservedGeneration(sts.getMetadata().getGeneration())
            .withReplicas(replicas)
            .withReadyReplicas(replicas)
            .withCurrentReplicas(replicas)
            .withUpdatedReplicas(replicas)
            .withCurrentRevision(name + "-r1")
            .withUpdateRevision(name + "-r1")
            .build();
    client
        .apps()
        .statefulSets()
        .inNamespace(namespace)
        .withName(name)
        .subresource("status")
        .patch(
            PatchContext.of(PatchType.JSON_MERGE), Serialization.asJson(Map.of("status", status)));
  }
}

package dev.metacluster.operator.reconciler;

import dev.metacluster.operator.crd.MetadataCluster;
import dev.metacluster.operator.model.Names;
import dev.metacluster.operator.observe.ClusterObservation;
import dev.metacluster.operator.observe.MemberObservation;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps {@code metacluster.dev/role} on the master pods in step with what the masters say: {@code
 * leader} on the leader, {@code follower} on answering followers, and no label on a pod whose role
 * is unknown, so the label never points at a stale leader.
 */
final class PodRoles {
  private static final Logger log = LoggerFactory.getLogger(PodRoles.class);

  private PodRoles() {}

  static void apply(KubernetesClient client, MetadataCluster mdc, ClusterObservation observation) {
    Map<String, MemberObservation> byId =
        observation.members().stream()
            .collect(Collectors.toMap(MemberObservation::id, Function.identity()));
    String ns = mdc.getMetadata().getNamespace();
    for (Pod pod :
        client.pods().inNamespace(ns).withLabels(Names.selector(mdc)).list().getItems()) {
      String name = pod.getMetadata().getName();
      String want = role(name, observation.leader(), byId.get(name));
      Map<String, String> labels = pod.getMetadata().getLabels();
      String have = labels == null ? null : labels.get(Names.LABEL_ROLE);
      if (Objects.equals(want, have)) {
        continue;
      }
      try {
        // A JSON patch of the one label, without a resource version: the kubelet writes pod
        // status all the time, and an update would lose that race with a 409. Label key and
        // values are constants of ours; "/" in the key is escaped as JSON pointers want.
        String path = "/metadata/labels/" + Names.LABEL_ROLE.replace("~", "~0").replace("/", "~1");
        String patch =
            want == null
                ? "[{\"op\":\"remove\",\"path\":\"" + path + "\"}]"
                : "[{\"op\":\"add\",\"path\":\"" + path + "\",\"value\":\"" + want + "\"}]";
        client
            .pods()
            .inNamespace(ns)
            .withName(name)
            .patch(
                io.fabric8.kubernetes.client.dsl.base.PatchContext.of(
                    io.fabric8.kubernetes.client.dsl.base.PatchType.JSON),
                patch);
        log.info("pod {}: {}={} (was {})", name, Names.LABEL_ROLE, want, have);
      } catch (KubernetesClientException e) {
        log.warn("could not label pod {}: {}", name, e.getMessage());
      }
    }
  }

  static String role(String pod, String leader, MemberObservation member) {
    if (pod.equals(leader)) {
      return Names.ROLE_LEADER;
    }
    if (member != null && "Follower".equals(member.role())) {
      return Names.ROLE_FOLLOWER;
    }
    return null;
  }
}

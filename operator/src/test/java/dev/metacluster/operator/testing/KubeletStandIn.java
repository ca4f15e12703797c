package dev.metacluster.operator.testing;

import dev.metacluster.operator.model.Names;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Plays the StatefulSet controller and the kubelet for one StatefulSet. One {@link #runAll} pass
 * does what the controller would converge to: a revision (a hash of the pod template) as the update
 * revision; the volume claims {@code <template>-<sts>-<ordinal>} and the pods {@code <sts>-0..n-1}
 * (with the template's labels and the revision they were created from, Ready at once); pods at or
 * beyond replicas deleted; the status (replicas, ready, revisions). Like the OnDelete strategy it
 * never replaces a running pod: a pod on an old revision stays until someone deletes it, and is
 * then created again from the current template. Claims are never deleted (the real controller keeps
 * them too). No process runs in the pods; the masters' answers come from a fake admin.
 *
 * <p>{@link #start} runs passes in the background (a controller's loop) and reports what it did to
 * a timeline: the StatefulSet's replicas changing, pods created and deleted, claims that vanished.
 */
public final class KubeletStandIn implements AutoCloseable {
  private final KubernetesClient client;
  private final String namespace;
  private final String name;
  private final Consumer<String> timeline;
  private final Consumer<String> onPodStarted;
  private final ScheduledExecutorService loop;
  private Integer replicas;
  private Set<String> claims = new HashSet<>();

  private KubeletStandIn(
      KubernetesClient client,
      String namespace,
      String name,
      Consumer<String> timeline,
      Consumer<String> onPodStarted) {
    this.client = client;
    this.namespace = namespace;
    this.name = name;
    this.timeline = timeline;
    this.onPodStarted = onPodStarted;
    this.loop =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "kubelet-" + namespace + "-" + name);
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * Runs passes every 50 ms until closed.
   *
   * @param timeline gets one line per observed change
   * @param onPodStarted gets the name of every pod created (a test marks it as a joiner, say)
   */
  public static KubeletStandIn start(
      KubernetesClient client,
      String namespace,
      String name,
      Consumer<String> timeline,
      Consumer<String> onPodStarted) {
    KubeletStandIn k = new KubeletStandIn(client, namespace, name, timeline, onPodStarted);
    k.loop.scheduleWithFixedDelay(k::passQuietly, 0, 50, TimeUnit.MILLISECONDS);
    return k;
  }

  /** One pass, without a timeline. */
  public static void runAll(KubernetesClient client, String namespace, String name) {
    new KubeletStandIn(client, namespace, name, s -> {}, s -> {}).pass();
  }

  @Override
  public void close() {
    loop.shutdownNow();
  }

  private void passQuietly() {
    try {
      pass();
    } catch (RuntimeException e) {
      // the next pass tries again, as a controller would
    }
  }

  private synchronized void pass() {
    StatefulSet sts = client.apps().statefulSets().inNamespace(namespace).withName(name).get();
    if (sts == null) {
      return;
    }
    int n = sts.getSpec().getReplicas();
    if (replicas != null && replicas != n) {
      timeline.accept("sts replicas " + replicas + "->" + n);
    }
    replicas = n;
    String revision = name + "-" + revision(sts);

    Set<String> nowClaims = new HashSet<>();
    for (PersistentVolumeClaim c :
        client.persistentVolumeClaims().inNamespace(namespace).list().getItems()) {
      nowClaims.add(c.getMetadata().getName());
    }
    for (String gone : claims) {
      if (!nowClaims.contains(gone)) {
        timeline.accept("pvc deleted " + gone);
      }
    }

    Map<String, Pod> pods = new HashMap<>();
    for (Pod p : client.pods().inNamespace(namespace).list().getItems()) {
      pods.put(p.getMetadata().getName(), p);
    }
    for (Pod p : pods.values()) {
      Integer ordinal = ordinal(p.getMetadata().getName());
      if (ordinal != null && ordinal >= n) {
        client.resource(p).delete();
        timeline.accept("pod deleted " + p.getMetadata().getName());
      }
    }
    for (int i = 0; i < n; i++) {
      String pod = name + "-" + i;
      for (var template : sts.getSpec().getVolumeClaimTemplates()) {
        String claim = template.getMetadata().getName() + "-" + pod;
        if (!nowClaims.contains(claim)) {
          client
              .resource(
                  new PersistentVolumeClaimBuilder(template)
                      .withMetadata(
                          new ObjectMetaBuilder()
                              .withName(claim)
                              .withNamespace(namespace)
                              .withLabels(template.getMetadata().getLabels())
                              .build())
                      .build())
              .create();
          nowClaims.add(claim);
        }
      }
      if (!pods.containsKey(pod)) {
        Map<String, String> labels =
            new HashMap<>(sts.getSpec().getTemplate().getMetadata().getLabels());
        labels.put(Names.LABEL_REVISION, revision);
        labels.put("statefulset.kubernetes.io/pod-name", pod);
        Pod p =
            new PodBuilder()
                .withNewMetadata()
                .withName(pod)
                .withNamespace(namespace)
                .withLabels(labels)
                .endMetadata()
                .withSpec(sts.getSpec().getTemplate().getSpec())
                .withNewStatus()
                .withPhase("Running")
                .addNewCondition()
                .withType("Ready")
                .withStatus("True")
                .endCondition()
                .endStatus()
                .build();
        client.resource(p).create();
        timeline.accept("pod started " + pod + " " + revision);
        onPodStarted.accept(pod);
      }
    }
    claims = nowClaims;

    List<Pod> current = client.pods().inNamespace(namespace).list().getItems();
    long updated =
        current.stream()
            .filter(p -> revision.equals(p.getMetadata().getLabels().get(Names.LABEL_REVISION)))
            .count();
    // a merge patch of the status alone: no resourceVersion, so no conflict with the operator
    var status =
        new StatefulSetStatusBuilder()
            .withObservedGeneration(sts.getMetadata().getGeneration())
            .withReplicas(n)
            .withReadyReplicas(n)
            .withCurrentReplicas(n)
            .withUpdatedReplicas((int) updated)
            .withCurrentRevision(updated >= n ? revision : "old")
            .withUpdateRevision(revision)
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

  private Integer ordinal(String pod) {
    String prefix = name + "-";
    if (!pod.startsWith(prefix)) {
      return null;
    }
    try {
      return Integer.valueOf(pod.substring(prefix.length()));
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static String revision(StatefulSet sts) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256")
              .digest(
                  Serialization.asJson(sts.getSpec().getTemplate())
                      .getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 5);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}

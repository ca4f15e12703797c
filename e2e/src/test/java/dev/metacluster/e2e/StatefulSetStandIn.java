package dev.metacluster.e2e;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Plays the StatefulSet controller (and, for pods only, the garbage collector) of a one-node
 * cluster whose kubelet is {@link Kubelet}. One loop, every {@link #PERIOD}, reads the API and
 * acts, level-triggered like the real controllers, then lets the kubelet sync:
 *
 * <ul>
 *   <li>pods {@code <sts>-0..replicas-1} from the template (labels, annotations, {@code
 *       hostname}/{@code subdomain}, one volume per claim template), owned by the StatefulSet; a
 *       pod deleted is made anew only once its old process has exited (graceful deletion);
 *   <li>a PVC {@code <template>-<pod>} per claim template, never deleted by the controller
 *       (retention policy Retain);
 *   <li>pods above the replica count deleted, all at once (podManagementPolicy Parallel);
 *   <li>a pod whose template revision is outdated deleted one at a time, highest ordinal first,
 *       when every pod is ready (RollingUpdate; OnDelete waits for someone else to delete it);
 *   <li>status: replicas, readyReplicas, updatedReplicas, revisions, observedGeneration;
 *   <li>pods of a deleted StatefulSet deleted (the garbage collector's job on a real cluster).
 * </ul>
 */
final class StatefulSetStandIn implements AutoCloseable {
  static final Duration PERIOD = Duration.ofMillis(250);
  static final String LABEL_POD_NAME = "statefulset.kubernetes.io/pod-name";
  static final String LABEL_POD_INDEX = "apps.kubernetes.io/pod-index";
  static final String LABEL_REVISION = "controller-revision-hash";

  private static final Logger log = LoggerFactory.getLogger(StatefulSetStandIn.class);

  private final KubernetesClient client;
  private final Kubelet kubelet;
  private final JobStandIn jobs;
  private final ScheduledExecutorService loop =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "statefulset-stand-in");
            t.setDaemon(true);
            return t;
          });

  StatefulSetStandIn(KubernetesClient client, Kubelet kubelet) {
    this.client = client;
    this.kubelet = kubelet;
    this.jobs = new JobStandIn(client);
  }

  StatefulSetStandIn start() {
    loop.scheduleWithFixedDelay(this::tick, 0, PERIOD.toMillis(), TimeUnit.MILLISECONDS);
    return this;
  }

  private void tick() {
    try {
      List<StatefulSet> sets = client.apps().statefulSets().inAnyNamespace().list().getItems();
      for (StatefulSet sts : sets) {
        control(sts);
      }
      collectOrphans(sets);
      jobs.control();
      kubelet.sync();
      for (StatefulSet sts : sets) {
        writeStatus(sts);
      }
    } catch (RuntimeException e) {
      // the next tick tries again, as a controller requeues
      log.warn("stand-in tick failed: {}", e.toString());
    }
  }

  // ---- StatefulSet controller -----------------------------------------------------------------

  private void control(StatefulSet sts) {
    String ns = sts.getMetadata().getNamespace();
    String name = sts.getMetadata().getName();
    int replicas = Objects.requireNonNullElse(sts.getSpec().getReplicas(), 1);
    String revision = revision(sts);
    Map<Integer, Pod> pods = ownedPods(sts);
    for (int i = 0; i < replicas; i++) {
      // a deleted pod whose process has not exited yet would still be Terminating on a real API
      // server, and the controller waits for it to go before making the new one
      if (!pods.containsKey(i) && !kubelet.processRunning(ns, podName(sts, i))) {
        createClaims(sts, i);
        createPod(sts, i, revision);
      }
    }
    for (Map.Entry<Integer, Pod> e : pods.entrySet()) {
      if (e.getKey() >= replicas) {
        // podManagementPolicy Parallel: every surplus pod at once (OrderedReady would go one by
        // one)
        log.info(
            "statefulset {}/{}: scale down, deleting pod {}", ns, name, podName(sts, e.getKey()));
        client.pods().inNamespace(ns).withName(podName(sts, e.getKey())).delete();
      }
    }
    String strategy =
        sts.getSpec().getUpdateStrategy() == null
            ? "RollingUpdate"
            : Objects.requireNonNullElse(
                sts.getSpec().getUpdateStrategy().getType(), "RollingUpdate");
    boolean allReady =
        pods.size() == replicas && pods.values().stream().allMatch(p -> kubelet.isReady(p));
    if ("RollingUpdate".equals(strategy) && allReady) {
      pods.entrySet().stream()
          .filter(e -> !revision.equals(labels(e.getValue()).get(LABEL_REVISION)))
          .max(Map.Entry.comparingByKey())
          .ifPresent(
              e -> {
                log.info("statefulset {}/{}: rolling pod {}", ns, name, podName(sts, e.getKey()));
                client.resource(e.getValue()).delete();
              });
    }
  }

  /** Pods owned by {@code sts}, by ordinal. */
  private Map<Integer, Pod> ownedPods(StatefulSet sts) {
    Map<Integer, Pod> pods = new LinkedHashMap<>();
    for (Pod p : client.pods().inNamespace(sts.getMetadata().getNamespace()).list().getItems()) {
      if (ownedBy(p, sts.getMetadata().getUid())) {
        String index = labels(p).get(LABEL_POD_INDEX);
        if (index != null) {
          pods.put(Integer.parseInt(index), p);
        }
      }
    }
    return pods;
  }

  private void createClaims(StatefulSet sts, int ordinal) {
    String ns = sts.getMetadata().getNamespace();
    for (PersistentVolumeClaim template : claimTemplates(sts)) {
      String claim = claimName(template, sts, ordinal);
      if (client.persistentVolumeClaims().inNamespace(ns).withName(claim).get() == null) {
        PersistentVolumeClaim pvc =
            new PersistentVolumeClaimBuilder(template)
                .editMetadata()
                .withName(claim)
                .withNamespace(ns)
                .endMetadata()
                .withNewStatus()
                .withPhase("Bound")
                .endStatus()
                .build();
        try {
          // a new claim binds a new volume: whatever a deleted claim of that name left is gone
          Kubelet.deleteTree(kubelet.claimDir(ns, claim));
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
        createIgnoringConflict(pvc);
      }
      try {
        Files.createDirectories(kubelet.claimDir(ns, claim));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  private void createPod(StatefulSet sts, int ordinal, String revision) {
    String ns = sts.getMetadata().getNamespace();
    String pod = podName(sts, ordinal);
    var template = sts.getSpec().getTemplate();
    Map<String, String> labels = new LinkedHashMap<>();
    if (template.getMetadata().getLabels() != null) {
      labels.putAll(template.getMetadata().getLabels());
    }
    labels.put(LABEL_POD_NAME, pod);
    labels.put(LABEL_POD_INDEX, Integer.toString(ordinal));
    labels.put(LABEL_REVISION, revision);
    List<Volume> volumes = new ArrayList<>();
    if (template.getSpec().getVolumes() != null) {
      volumes.addAll(template.getSpec().getVolumes());
    }
    for (PersistentVolumeClaim t : claimTemplates(sts)) {
      volumes.add(
          new VolumeBuilder()
              .withName(t.getMetadata().getName())
              .withNewPersistentVolumeClaim()
              .withClaimName(claimName(t, sts, ordinal))
              .endPersistentVolumeClaim()
              .build());
    }
    Pod p =
        new PodBuilder()
            .withNewMetadata()
            .withName(pod)
            .withNamespace(ns)
            .withLabels(labels)
            .withAnnotations(template.getMetadata().getAnnotations())
            .withOwnerReferences(
                new io.fabric8.kubernetes.api.model.OwnerReferenceBuilder()
                    .withApiVersion("apps/v1")
                    .withKind("StatefulSet")
                    .withName(sts.getMetadata().getName())
                    .withUid(sts.getMetadata().getUid())
                    .withController(true)
                    .withBlockOwnerDeletion(true)
                    .build())
            .endMetadata()
            .withSpec(template.getSpec())
            .editSpec()
            .withHostname(pod)
            .withSubdomain(sts.getSpec().getServiceName())
            .withVolumes(volumes)
            .endSpec()
            .withNewStatus()
            .withPhase("Pending")
            .endStatus()
            .build();
    log.info(
        "statefulset {}/{}: creating pod {} ({})", ns, sts.getMetadata().getName(), pod, revision);
    createIgnoringConflict(p);
  }

  private void createIgnoringConflict(HasMetadata object) {
    try {
      client.resource(object).create();
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409) {
        throw e;
      }
    }
  }

  /** Pods whose StatefulSet is gone go too (the garbage collector's job on a real cluster). */
  private void collectOrphans(List<StatefulSet> sets) {
    Set<String> uids = sets.stream().map(s -> s.getMetadata().getUid()).collect(Collectors.toSet());
    for (Pod p : client.pods().inAnyNamespace().list().getItems()) {
      List<OwnerReference> owners = p.getMetadata().getOwnerReferences();
      if (owners != null
          && owners.stream()
              .anyMatch(o -> "StatefulSet".equals(o.getKind()) && !uids.contains(o.getUid()))) {
        client.resource(p).delete();
      }
    }
  }

  private void writeStatus(StatefulSet sts) {
    Map<Integer, Pod> pods = ownedPods(sts);
    String revision = revision(sts);
    int ready = (int) pods.values().stream().filter(p -> kubelet.isReady(p)).count();
    int updated =
        (int)
            pods.values().stream()
                .filter(p -> revision.equals(labels(p).get(LABEL_REVISION)))
                .count();
    var old = sts.getStatus();
    String current =
        updated == pods.size() || old == null || old.getCurrentRevision() == null
            ? revision
            : old.getCurrentRevision();
    Map<String, Object> status = new LinkedHashMap<>();
    status.put("observedGeneration", sts.getMetadata().getGeneration());
    status.put("replicas", pods.size());
    status.put("readyReplicas", ready);
    status.put("availableReplicas", ready);
    status.put("currentReplicas", current.equals(revision) ? updated : pods.size() - updated);
    status.put("updatedReplicas", updated);
    status.put("currentRevision", current);
    status.put("updateRevision", revision);
    Map<String, Object> before =
        old == null ? Map.of() : Serialization.jsonMapper().convertValue(old, Map.class);
    boolean same =
        status.entrySet().stream()
            .allMatch(
                e ->
                    Objects.equals(
                        String.valueOf(e.getValue()), String.valueOf(before.get(e.getKey()))));
    if (!same) {
      // a merge patch of the status alone: no resourceVersion, so no conflict with the operator
      client
          .apps()
          .statefulSets()
          .inNamespace(sts.getMetadata().getNamespace())
          .withName(sts.getMetadata().getName())
          .subresource("status")
          .patch(
              PatchContext.of(PatchType.JSON_MERGE),
              Serialization.asJson(Map.of("status", status)));
    }
  }

  // ---- names ----------------------------------------------------------------------------------

  private static Map<String, String> labels(Pod p) {
    return Objects.requireNonNullElse(p.getMetadata().getLabels(), Map.of());
  }

  private static boolean ownedBy(Pod p, String uid) {
    return p.getMetadata().getOwnerReferences() != null
        && p.getMetadata().getOwnerReferences().stream().anyMatch(o -> uid.equals(o.getUid()));
  }

  private static List<PersistentVolumeClaim> claimTemplates(StatefulSet sts) {
    return Objects.requireNonNullElse(sts.getSpec().getVolumeClaimTemplates(), List.of());
  }

  static String podName(StatefulSet sts, int ordinal) {
    return sts.getMetadata().getName() + "-" + ordinal;
  }

  static String claimName(PersistentVolumeClaim template, StatefulSet sts, int ordinal) {
    return template.getMetadata().getName() + "-" + podName(sts, ordinal);
  }

  /** The template's revision: a digest of the pod template, as the controller's revision hash. */
  static String revision(StatefulSet sts) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256")
              .digest(
                  Serialization.asJson(sts.getSpec().getTemplate())
                      .getBytes(StandardCharsets.UTF_8));
      return sts.getMetadata().getName() + "-" + HexFormat.of().formatHex(digest, 0, 5);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Stops the loop, then the kubelet SIGKILLs every process it started. Safe to call twice. */
  @Override
  public void close() {
    loop.shutdownNow();
    try {
      loop.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    kubelet.killAll();
  }
}

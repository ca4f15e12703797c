package dev.metacluster.e2e;

import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Plays the Job controller for {@link StatefulSetStandIn}'s loop: one pod at a time from the Job's
 * template ({@code <job>-<attempt>}, labels {@code job-name} and {@code controller-uid}, owned by
 * the Job), a new pod for each failed one until {@code backoffLimit} (default 6) is passed (no
 * back-off delay), and the Job's status: active, succeeded, failed, and the Complete or Failed
 * condition. {@code activeDeadlineSeconds}, parallelism and completions above 1 are not played.
 */
final class JobStandIn {
  private static final Logger log = LoggerFactory.getLogger(JobStandIn.class);
  static final String LABEL_JOB_NAME = "job-name";

  private final KubernetesClient client;

  JobStandIn(KubernetesClient client) {
    this.client = client;
  }

  void control() {
    for (Job job : client.batch().v1().jobs().inAnyNamespace().list().getItems()) {
      if (finished(job)) {
        continue;
      }
      List<Pod> pods = pods(job);
      long failed = pods.stream().filter(p -> "Failed".equals(phase(p))).count();
      boolean succeeded = pods.stream().anyMatch(p -> "Succeeded".equals(phase(p)));
      boolean running =
          pods.stream().anyMatch(p -> !"Failed".equals(phase(p)) && !"Succeeded".equals(phase(p)));
      int backoffLimit = Objects.requireNonNullElse(job.getSpec().getBackoffLimit(), 6);
      String now = Instant.now().toString();
      Map<String, Object> status = new LinkedHashMap<>();
      status.put("failed", failed);
      if (succeeded) {
        status.put("succeeded", 1);
        status.put("completionTime", now);
        status.put("conditions", List.of(condition("Complete", "Completed", now)));
      } else if (failed > backoffLimit) {
        status.put("conditions", List.of(condition("Failed", "BackoffLimitExceeded", now)));
      } else {
        if (!running) {
          createPod(job, pods.size());
        }
        status.put("active", 1);
      }
      writeStatus(job, status);
    }
  }

  private static boolean finished(Job job) {
    return job.getStatus() != null
        && job.getStatus().getConditions() != null
        && job.getStatus().getConditions().stream()
            .anyMatch(
                c ->
                    ("Complete".equals(c.getType()) || "Failed".equals(c.getType()))
                        && "True".equals(c.getStatus()));
  }

  private List<Pod> pods(Job job) {
    return client
        .pods()
        .inNamespace(job.getMetadata().getNamespace())
        .withLabel(LABEL_JOB_NAME, job.getMetadata().getName())
        .list()
        .getItems();
  }

  private void createPod(Job job, int attempt) {
    var template = job.getSpec().getTemplate();
    Map<String, String> labels = new LinkedHashMap<>();
    if (template.getMetadata() != null && template.getMetadata().getLabels() != null) {
      labels.putAll(template.getMetadata().getLabels());
    }
    labels.put(LABEL_JOB_NAME, job.getMetadata().getName());
    labels.put("controller-uid", job.getMetadata().getUid());
    String name = job.getMetadata().getName() + "-" + attempt;
    Pod pod =
        new PodBuilder()
            .withNewMetadata()
            .withName(name)
            .withNamespace(job.getMetadata().getNamespace())
            .withLabels(labels)
            .withOwnerReferences(
                new OwnerReferenceBuilder()
                    .withApiVersion("batch/v1")
                    .withKind("Job")
                    .withName(job.getMetadata().getName())
                    .withUid(job.getMetadata().getUid())
                    .withController(true)
                    .build())
            .endMetadata()
            .withSpec(template.getSpec())
            .withNewStatus()
            .withPhase("Pending")
            .endStatus()
            .build();
    try {
      client.resource(pod).create();
      log.info(
          "job {}/{}: created pod {}",
          job.getMetadata().getNamespace(),
          job.getMetadata().getName(),
          name);
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409) {
        throw e;
      }
    }
  }

  private static Map<String, Object> condition(String type, String reason, String now) {
    return Map.of(
        "type",
        type,
        "status",
        "True",
        "reason",
        reason,
        "lastTransitionTime",
        now,
        "lastProbeTime",
        now);
  }

  private void writeStatus(Job job, Map<String, Object> status) {
    Map<String, Object> before =
        job.getStatus() == null
            ? Map.of()
            : Serialization.jsonMapper().convertValue(job.getStatus(), Map.class);
    if (Objects.equals(String.valueOf(before.get("active")), String.valueOf(status.get("active")))
        && Objects.equals(
            String.valueOf(before.get("failed")), String.valueOf(status.get("failed")))
        && !status.containsKey("conditions")) {
      return;
    }
    // a JSON patch replacing the whole status: the mock's merge patch would append to the lists
    client
        .batch()
        .v1()
        .jobs()
        .inNamespace(job.getMetadata().getNamespace())
        .withName(job.getMetadata().getName())
        .subresource("status")
        .patch(
            PatchContext.of(PatchType.JSON),
            Serialization.asJson(List.of(Map.of("op", "add", "path", "/status", "value", status))));
  }

  private static String phase(Pod p) {
    return p.getStatus() == null ? null : p.getStatus().getPhase();
  }
}

package dev.metacluster.operator.testing;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatus;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * Plays the Job controller and the kubelet for one Job run to its end: a pod from the Job's
 * template whose one container terminated with an exit code and a termination message (what the
 * container wrote to its termination log, or its log's tail on failure), then the Job's status.
 * Nothing runs in the pod.
 */
public final class JobStandIn {
  private JobStandIn() {}

  /** The pod exited 0 leaving {@code message}; the Job is Complete. */
  public static void succeed(KubernetesClient client, Job job, String message) {
    pod(client, job, "Succeeded", 0, message);
    status(
        client,
        job,
        new JobStatusBuilder()
            .withSucceeded(1)
            .addNewCondition()
            .withType("Complete")
            .withStatus("True")
            .endCondition()
            .build());
  }

  /** Every attempt failed, the last leaving {@code log} as its message; the Job is Failed. */
  public static void fail(KubernetesClient client, Job job, String log) {
    pod(client, job, "Failed", 1, log);
    status(
        client,
        job,
        new JobStatusBuilder()
            .withFailed(job.getSpec().getBackoffLimit() + 1)
            .addNewCondition()
            .withType("Failed")
            .withStatus("True")
            .withReason("BackoffLimitExceeded")
            .withMessage("Job has reached the specified backoff limit")
            .endCondition()
            .build());
  }

  private static void pod(KubernetesClient client, Job job, String phase, int exit, String msg) {
    Map<String, String> labels =
        new HashMap<>(job.getSpec().getTemplate().getMetadata().getLabels());
    labels.put("job-name", job.getMetadata().getName());
    String container = job.getSpec().getTemplate().getSpec().getContainers().get(0).getName();
    Pod pod =
        new PodBuilder()
            .withNewMetadata()
            .withName(job.getMetadata().getName() + "-" + Long.toHexString(System.nanoTime()))
            .withNamespace(job.getMetadata().getNamespace())
            .withLabels(labels)
            .withCreationTimestamp(Instant.now().toString())
            .endMetadata()
            .withSpec(job.getSpec().getTemplate().getSpec())
            .withNewStatus()
            .withPhase(phase)
            .addNewContainerStatus()
            .withName(container)
            .withNewState()
            .withNewTerminated()
            .withExitCode(exit)
            .withMessage(msg)
            .endTerminated()
            .endState()
            .endContainerStatus()
            .endStatus()
            .build();
    client.resource(pod).create();
  }

  private static void status(KubernetesClient client, Job job, JobStatus status) {
    client
        .batch()
        .v1()
        .jobs()
        .inNamespace(job.getMetadata().getNamespace())
        .withName(job.getMetadata().getName())
        .subresource("status")
        .patch(
            PatchContext.of(PatchType.JSON_MERGE), Serialization.asJson(Map.of("status", status)));
  }
}

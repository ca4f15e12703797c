package dev.metacluster.operator.plan;

/**
 * One master pod as the API server shows it.
 *
 * @param ordinal the StatefulSet ordinal
 * @param revision the StatefulSet revision the pod was created from ({@code
 *     controller-revision-hash}), null if unknown
 * @param ready the pod's Ready condition is True
 * @param terminating the pod has a deletion timestamp
 */
public record PodView(int ordinal, String revision, boolean ready, boolean terminating) {}

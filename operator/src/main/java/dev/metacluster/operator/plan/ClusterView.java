package dev.metacluster.operator.plan;

import dev.metacluster.operator.crd.OperationStatus;
import dev.metacluster.operator.observe.ClusterObservation;
import java.util.Map;
import java.util.Set;

/**
 * Everything one decision looks at: the spec's size, the StatefulSet and its pods and volumes, what
 * the masters said, and the operation status recorded (the intent of the previous step).
 *
 * @param name the StatefulSet's name; member ids are {@code <name>-<ordinal>}
 * @param specReplicas spec.replicas
 * @param stsReplicas the StatefulSet's replicas, null when it does not exist yet
 * @param updateRevision the StatefulSet's update revision, null when not known yet
 * @param pods the master pods by ordinal
 * @param claimOrdinals ordinals that still have a volume claim (metastore or journal)
 * @param observation the masters' answers, null when nobody was asked
 * @param inFlight the operation recorded in status, null when none
 * @param groupFormed the Raft group has formed (new members start as joiners)
 * @param maxLag a member at most this many entries behind the leader's commit is caught up
 * @param replacementsLastHour member replacements started within the last hour
 * @param maxReplacementsPerHour spec.maxReplacementsPerHour (0: no automatic replacement)
 * @param preUpgradeBackup the backup an upgrade to {@code updateRevision} waits for, null when none
 *     is wanted (no backup target, or spec.backup.beforeUpgrade false)
 * @param recordedStoreIds the store id recorded in status for each member (by member id), to tell a
 *     voter that came back on a new, empty store
 */
public record ClusterView(
    String name,
    int specReplicas,
    Integer stsReplicas,
    String updateRevision,
    Map<Integer, PodView> pods,
    Set<Integer> claimOrdinals,
    ClusterObservation observation,
    OperationStatus inFlight,
    boolean groupFormed,
    long maxLag,
    int replacementsLastHour,
    int maxReplacementsPerHour,
    BackupView preUpgradeBackup,
    Map<String, String> recordedStoreIds) {

  public ClusterView {
    recordedStoreIds = recordedStoreIds == null ? Map.of() : Map.copyOf(recordedStoreIds);
  }

  public String member(int ordinal) {
    return name + "-" + ordinal;
  }
}

package dev.metacluster.operator.plan;

import java.util.List;

/** The one risky action a reconcile may take (or none). */
public sealed interface Step {

  /** Nothing risky: apply the children as they are, observe, report. */
  record None() implements Step {}

  /** Grow the StatefulSet; the new pods start as joiners (the ConfigMap says join=true). */
  record Grow(int from, int to) implements Step {}

  /** Add running joiners to the Raft group (through the leader). */
  record AddMembers(List<String> members) implements Step {}

  /** Move leadership away from {@code from} to the caught-up follower {@code to}. */
  record TransferLeadership(String from, String to) implements Step {}

  /** Remove one member from the Raft group (never the leader: leadership moves first). */
  record RemoveMember(String member) implements Step {}

  /** Shrink the StatefulSet by its highest ordinal, whose member has left the group. */
  record Shrink(int from, int to) implements Step {}

  /** Delete the volumes (PVCs) of a member that left, once its pod is gone. */
  record DeleteVolumes(int ordinal, String member) implements Step {}

  /**
   * Delete the volume claims of a member that was removed from the group for replacement, then its
   * pod: the StatefulSet recreates both, empty, and the member starts as a joiner.
   */
  record ReplaceVolumes(int ordinal, String member) implements Step {}

  /** Delete a pod so that it comes back on the StatefulSet's current revision. */
  record RestartPod(String member) implements Step {}

  /** Create the MetadataBackup {@code name} (an upgrade's backup before its first restart). */
  record Backup(String name) implements Step {}

  Step NONE = new None();
}

package dev.metacluster.operator.observe;

import java.util.List;

/**
 * What the masters said, one reconcile's worth.
 *
 * @param leader the leader's member id, null when no leader is known
 * @param term the leader's term (or the highest term seen), -1 when nobody answered
 * @param members every expected member, by ordinal
 * @param quorum how many healthy members make a majority
 */
public record ClusterObservation(
    String leader, long term, List<MemberObservation> members, int quorum) {

  public long healthyMembers() {
    return members.stream().filter(MemberObservation::healthy).count();
  }

  /** A leader is known and a majority of the expected members are healthy voters. */
  public boolean quorumUp() {
    return leader != null && healthyMembers() >= quorum;
  }

  public boolean allHealthy() {
    return !members.isEmpty() && healthyMembers() == members.size();
  }
}

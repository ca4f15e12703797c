package dev.metacluster.operator.observe;

import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What the masters said, one reconcile's worth.
 *
 * @param leader the leader's member id, null when no leader is known
 * @param term the leader's term (or the highest term seen), -1 when nobody answered
 * @param members every expected member, by ordinal
 * @param quorum how many healthy members make a majority
 * @param voters the voting members of the group's configuration as the leader reports it (may
 *     include members the StatefulSet no longer runs); empty when no leader answered
 */
public record ClusterObservation(
    String leader, long term, List<MemberObservation> members, int quorum, Set<String> voters) {

  public ClusterObservation(String leader, long term, List<MemberObservation> members, int quorum) {
    this(leader, term, members, quorum, Set.of());
  }

  /** The voter set is known (a leader answered with its configuration). */
  public boolean votersKnown() {
    return !voters.isEmpty();
  }

  public Optional<MemberObservation> member(String id) {
    return members.stream().filter(m -> m.id().equals(id)).findFirst();
  }

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

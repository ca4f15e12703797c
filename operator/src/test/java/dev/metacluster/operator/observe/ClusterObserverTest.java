package dev.metacluster.operator.observe;

import static org.assertj.core.api.Assertions.assertThat;

import dev.metacluster.operator.testing.FakeMasterAdmin;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClusterObserverTest {
  private final FakeMasterAdmin masters = new FakeMasterAdmin();
  private final List<MemberEndpoint> three =
      List.of(endpoint("m-0"), endpoint("m-1"), endpoint("m-2"));

  private static MemberEndpoint endpoint(String id) {
    return new MemberEndpoint(id, id + ".m-peers.ns.svc", 9870);
  }

  @Test
  void aHealthyGroupHasItsLeaderAndNoLag() {
    masters.group("ns", List.of("m-0", "m-1", "m-2"), "m-1", 4, 77);
    ClusterObservation o = new ClusterObserver(masters).observe(three);
    assertThat(o.leader()).isEqualTo("m-1");
    assertThat(o.term()).isEqualTo(4);
    assertThat(o.quorumUp()).isTrue();
    assertThat(o.allHealthy()).isTrue();
    assertThat(o.members())
        .extracting(MemberObservation::role)
        .containsExactly("Follower", "Leader", "Follower");
    assertThat(o.members()).allMatch(m -> m.lag() == 0 && m.appliedIndex() == 77);
    assertThat(o.members())
        .extracting(MemberObservation::storeId)
        .containsExactly(
            masters.storeId("ns", "m-0"),
            masters.storeId("ns", "m-1"),
            masters.storeId("ns", "m-2"))
        .doesNotHaveDuplicates();
  }

  @Test
  void aSilentMemberIsUnhealthyWithTheReason() {
    masters.group("ns", List.of("m-0", "m-1", "m-2"), "m-0", 2, 10).down("ns", "m-2");
    ClusterObservation o = new ClusterObserver(masters).observe(three);
    assertThat(o.quorumUp()).isTrue();
    assertThat(o.allHealthy()).isFalse();
    assertThat(o.members().get(2).message()).startsWith("not answering: UNAVAILABLE");
    assertThat(o.members().get(2).storeId()).as("unknown").isEmpty();
  }

  @Test
  void aLeaderWeCannotReachIsStillKnownFromItsFollowers() {
    masters.group("ns", List.of("m-0", "m-1", "m-2"), "m-0", 2, 10).down("ns", "m-0");
    ClusterObservation o = new ClusterObserver(masters).observe(three);
    assertThat(o.leader()).isEqualTo("m-0");
    assertThat(o.healthyMembers()).isEqualTo(2);
    assertThat(o.quorumUp()).isTrue();
  }

  @Test
  void withOneOfThreeLeftThereIsNoQuorum() {
    masters.group("ns", List.of("m-0", "m-1", "m-2"), "m-0", 2, 10).down("ns", "m-1", "m-2");
    ClusterObservation o = new ClusterObserver(masters).observe(three);
    assertThat(o.healthyMembers()).isEqualTo(1);
    assertThat(o.quorumUp()).isFalse();
  }
}

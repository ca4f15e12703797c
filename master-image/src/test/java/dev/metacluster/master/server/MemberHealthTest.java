package dev.metacluster.master.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.ratis.proto.RaftProtos.CommitInfoProto;
import org.apache.ratis.proto.RaftProtos.RaftPeerProto;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.junit.jupiter.api.Test;

class MemberHealthTest {
  @Test
  void aRestartedMemberMustApplyWhatItsLogHeldAtStartBeforeItKnowsTheCommitIndex() {
    // Just restarted: no commit index learned yet, 9,000 entries in the log to replay.
    assertThat(MemberHealth.catchUpTarget(-1, 9_000, 9_000)).isEqualTo(9_000);
  }

  @Test
  void theCommitIndexCountsOnceItIsAhead() {
    assertThat(MemberHealth.catchUpTarget(12_000, 9_000, 12_050)).isEqualTo(12_000);
  }

  @Test
  void entriesANewLeaderTruncatedAreNotWaitedFor() {
    // The log held 9,000 at start; a new leader cut it back to 8,990 and has committed 8,950.
    assertThat(MemberHealth.catchUpTarget(8_950, 9_000, 8_990)).isEqualTo(8_990);
  }

  @Test
  void anEmptyLogAtStartWaitsOnlyForTheCommitIndex() {
    assertThat(MemberHealth.catchUpTarget(500, -1, 600)).isEqualTo(500);
  }

  @Test
  void aFollowerStillReceivingEntriesCountsTheCommitIndexTheLeaderReported() {
    // Its own commit index covers only the entries it holds; the leader reported 136,298.
    List<CommitInfoProto> reported = List.of(commitInfo("m1", 136_298), commitInfo("m2", 136_250));
    assertThat(MemberHealth.highestCommit(135_188, reported)).isEqualTo(136_298);
    assertThat(MemberHealth.highestCommit(135_188, List.of())).isEqualTo(135_188);
  }

  private static CommitInfoProto commitInfo(String member, long commit) {
    return CommitInfoProto.newBuilder()
        .setServer(RaftPeerProto.newBuilder().setId(ByteString.copyFromUtf8(member)))
        .setCommitIndex(commit)
        .build();
  }
}

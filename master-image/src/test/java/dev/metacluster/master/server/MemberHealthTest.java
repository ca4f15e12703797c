package dev.metacluster.master.server;

import static org.assertj.core.api.Assertions.assertThat;

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
}

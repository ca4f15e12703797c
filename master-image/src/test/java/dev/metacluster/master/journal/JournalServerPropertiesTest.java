package dev.metacluster.master.journal;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Map;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.junit.jupiter.api.Test;

/** The Ratis settings the durability rule depends on (see JournalServer.serverProperties). */
class JournalServerPropertiesTest {
  private final RaftProperties p =
      JournalServer.serverProperties(
          JournalConfig.defaults(
              "c",
              "m0",
              Map.of("m0", new InetSocketAddress("127.0.0.1", 7001)),
              Path.of("j"),
              Path.of("m")));

  @Test
  void anEntryCountsAsFlushedOnlyAfterItsOwnFsync() {
    // Ratis 3.2.2's async flush marks as flushed every entry written by the time the fsync
    // *completes*, including entries written after it started (and still in the write buffer).
    assertThat(RaftServerConfigKeys.Log.asyncFlushEnabled(p)).isFalse();
    assertThat(RaftServerConfigKeys.Log.unsafeFlushEnabled(p)).isFalse();
  }

  @Test
  void theLogIsPurgedOnlyUpToASnapshot() {
    assertThat(RaftServerConfigKeys.Log.purgeUptoSnapshotIndex(p)).isTrue();
  }

  @Test
  void leaderReadsUseTheLeaseAndStayLinearizable() {
    assertThat(RaftServerConfigKeys.Read.option(p))
        .isEqualTo(RaftServerConfigKeys.Read.Option.LINEARIZABLE);
    assertThat(RaftServerConfigKeys.Read.leaderLeaseEnabled(p)).isTrue();
  }
}

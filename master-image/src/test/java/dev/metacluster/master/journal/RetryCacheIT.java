package dev.metacluster.master.journal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.metacluster.master.namespace.Commands;
import dev.metacluster.master.proto.CommandResult;
import dev.metacluster.master.proto.NamespaceCommand;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.protocol.ClientId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A client that retries a write after a timeout must not have it applied twice. */
class RetryCacheIT {
  @TempDir Path dir;

  @Test
  void aRetriedWriteAppliesOnceEvenAfterLeaderChange() throws Exception {
    try (JournalCluster cluster = new JournalCluster("retry", dir, 3).startAll()) {
      ClientId clientId = ClientId.randomId();
      NamespaceCommand create = Commands.createFile("/once", false, "u").setTimeMs(5).build();

      JournalServer leader = cluster.awaitLeader();
      CommandResult first = leader.submit(clientId, 1, create).get(30, TimeUnit.SECONDS);
      assertThat(first.hasInode()).isTrue();
      // Same client, same call: answered from the retry cache, not applied again (which would be
      // ALREADY_EXISTS).
      CommandResult again = leader.submit(clientId, 1, create).get(30, TimeUnit.SECONDS);
      assertThat(again).isEqualTo(first);
      // A new call with the same content is a new request, and is refused.
      CommandResult other = leader.submit(clientId, 2, create).get(30, TimeUnit.SECONDS);
      assertThat(other.getError().getCode().name()).isEqualTo("ALREADY_EXISTS");

      // The leader goes away; the new leader learned the call when it applied the entry.
      long index = leader.stateMachine().getLastAppliedTermIndex().getIndex();
      cluster.awaitApplied(index);
      cluster.stop(leader.config().memberId());
      JournalServer next = cluster.awaitLeader();
      CommandResult retried = next.submit(clientId, 1, create).get(30, TimeUnit.SECONDS);
      assertThat(retried).isEqualTo(first);
      assertThat(next.stateMachine().namespace().getStatus("/").getChildCount()).isEqualTo(1);
    }
  }
}

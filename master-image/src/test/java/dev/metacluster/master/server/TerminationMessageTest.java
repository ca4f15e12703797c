package dev.metacluster.master.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.metacluster.master.store.StoreException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.RocksDBException;

class TerminationMessageTest {
  @TempDir Path dir;

  @Test
  void aStoreFailureAnywhereInTheCausesIsAStoreRefusal() {
    IOException wrapped =
        new IOException(
            "failed to initialize",
            new StoreException(
                "metastore at /x belongs to cluster a, not to b; refusing to serve another"
                    + " cluster's data"));
    assertThat(TerminationMessage.describe(wrapped))
        .isEqualTo(
            "store refused: metastore at /x belongs to cluster a, not to b; refusing to serve"
                + " another cluster's data");
    assertThat(
            TerminationMessage.describe(
                new IllegalStateException(new RocksDBException("Corruption: block checksum"))))
        .isEqualTo("store refused: Corruption: block checksum");
  }

  @Test
  void otherFailuresAreNotStoreRefusals() {
    assertThat(TerminationMessage.describe(new IOException("Address already in use")))
        .isEqualTo("startup failed: Address already in use");
  }

  @Test
  void aLongMessageIsCutToWhatKubernetesKeeps() {
    String line = TerminationMessage.describe(new StoreException("x".repeat(10_000)));
    assertThat(line.getBytes(StandardCharsets.UTF_8)).hasSize(TerminationMessage.MAX_BYTES);
    assertThat(line).startsWith(TerminationMessage.STORE_REFUSED);
  }

  @Test
  void writesToTheConfiguredPathOnly() throws IOException {
    Path file = dir.resolve("termination-log");
    TerminationMessage.write(
        Map.of(TerminationMessage.ENV_PATH, file.toString()), new StoreException("bad"));
    assertThat(Files.readString(file)).isEqualTo("store refused: bad");

    // without the variable, only an existing /dev/termination-log is written (not on this host)
    if (!Files.exists(Path.of(TerminationMessage.DEFAULT_PATH))) {
      TerminationMessage.write(Map.of(), new StoreException("bad"));
      assertThat(Path.of(TerminationMessage.DEFAULT_PATH)).doesNotExist();
    }
  }
}

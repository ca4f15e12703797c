package dev.metacluster.master.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.metacluster.master.store.StoreException;
import dev.metacluster.master.store.UnusableStoreException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.RocksDBException;
import org.rocksdb.Status;

class TerminationMessageTest {
  @TempDir Path dir;

  @Test
  void anUnusableStoreAnywhereInTheCausesIsAStoreRefusal() {
    IOException wrapped =
        new IOException(
            "failed to initialize",
            new UnusableStoreException(
                "metastore at /x belongs to cluster a, not to b; refusing to serve another"
                    + " cluster's data"));
    assertThat(TerminationMessage.describe(wrapped))
        .isEqualTo(
            "store refused: metastore at /x belongs to cluster a, not to b; refusing to serve"
                + " another cluster's data");
    RocksDBException corrupt =
        new RocksDBException(
            "Corruption: block checksum mismatch",
            new Status(Status.Code.Corruption, Status.SubCode.None, "block checksum mismatch"));
    assertThat(
            TerminationMessage.describe(
                new StoreException("cannot open", new IllegalStateException(corrupt))))
        .isEqualTo("store refused: Corruption: block checksum mismatch");
  }

  @Test
  void otherFailuresAreNotStoreRefusals() {
    assertThat(TerminationMessage.describe(new IOException("Address already in use")))
        .isEqualTo("startup failed: Address already in use");
    // a full disk or a layout this image cannot read: new volumes would not help
    RocksDBException full =
        new RocksDBException(
            "IO error: No space left on device",
            new Status(Status.Code.IOError, Status.SubCode.NoSpace, "No space left on device"));
    assertThat(TerminationMessage.describe(new StoreException("cannot commit batch", full)))
        .isEqualTo("startup failed: cannot commit batch");
    assertThat(
            TerminationMessage.describe(
                new StoreException("metastore has layout version 9, this master reads version 1")))
        .startsWith("startup failed: ");
  }

  @Test
  void aLongMessageIsCutToWhatKubernetesKeeps() {
    String line = TerminationMessage.describe(new UnusableStoreException("x".repeat(10_000)));
    assertThat(line.getBytes(StandardCharsets.UTF_8)).hasSize(TerminationMessage.MAX_BYTES);
    assertThat(line).startsWith(TerminationMessage.STORE_REFUSED);
  }

  @Test
  void writesToTheConfiguredPathOnly() throws IOException {
    Path file = dir.resolve("termination-log");
    TerminationMessage.write(
        Map.of(TerminationMessage.ENV_PATH, file.toString()), new UnusableStoreException("bad"));
    assertThat(Files.readString(file)).isEqualTo("store refused: bad");

    // without the variable, only an existing /dev/termination-log is written (not on this host)
    if (!Files.exists(Path.of(TerminationMessage.DEFAULT_PATH))) {
      TerminationMessage.write(Map.of(), new UnusableStoreException("bad"));
      assertThat(Path.of(TerminationMessage.DEFAULT_PATH)).doesNotExist();
    }
  }
}

package dev.metacluster.master.namespace;

import dev.metacluster.master.proto.Inode;
import dev.metacluster.master.proto.NamespaceCommand;
import dev.metacluster.master.store.InodeStore;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs commands on this node alone: fixes the time from a clock, numbers them, and applies them
 * directly. The stand-in for the journal until commands go through Raft; with RocksDB's own WAL on,
 * an applied command survives a crash of the process.
 */
public final class LocalNamespace implements AutoCloseable {
  private final InodeStore store;
  private final Namespace namespace;
  private final Clock clock;
  private final AtomicLong index;

  public LocalNamespace(InodeStore store, Clock clock) {
    this.store = store;
    this.namespace = new Namespace(store);
    this.clock = clock;
    this.index = new AtomicLong(store.appliedIndex());
  }

  public Namespace namespace() {
    return namespace;
  }

  /** Fixes the time (unless set), applies, and returns the created or changed inode. */
  public Inode execute(NamespaceCommand.Builder command) throws NamespaceException {
    if (command.getTimeMs() == 0) {
      command.setTimeMs(clock.millis());
    }
    return namespace.applyOrThrow(command.build(), 0, index.incrementAndGet());
  }

  @Override
  public void close() {
    store.close();
  }
}

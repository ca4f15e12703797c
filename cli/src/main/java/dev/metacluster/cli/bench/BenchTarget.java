package dev.metacluster.cli.bench;

import dev.metacluster.master.journal.JournalServer;
import dev.metacluster.master.namespace.Listing;
import dev.metacluster.master.namespace.LocalNamespace;
import dev.metacluster.master.namespace.NamespaceException;
import dev.metacluster.master.proto.CommandResult;
import dev.metacluster.master.proto.Inode;
import dev.metacluster.master.proto.ListRequest;
import dev.metacluster.master.proto.NamespaceCommand;
import dev.metacluster.master.proto.ReadReply;
import dev.metacluster.master.proto.ReadRequest;
import java.util.concurrent.ExecutionException;

/** What a benchmark runs its ops against: the engine alone, or the engine behind the journal. */
interface BenchTarget {
  Inode execute(NamespaceCommand.Builder command) throws Exception;

  Inode getStatus(String path) throws Exception;

  boolean exists(String path) throws Exception;

  Listing listStatus(String path, String startAfter, int limit) throws Exception;

  /** The engine in this process, commands applied directly. */
  static BenchTarget of(LocalNamespace engine) {
    return new BenchTarget() {
      @Override
      public Inode execute(NamespaceCommand.Builder command) throws NamespaceException {
        return engine.execute(command);
      }

      @Override
      public Inode getStatus(String path) throws NamespaceException {
        return engine.namespace().getStatus(path);
      }

      @Override
      public boolean exists(String path) throws NamespaceException {
        return engine.namespace().exists(path);
      }

      @Override
      public Listing listStatus(String path, String startAfter, int limit)
          throws NamespaceException {
        return engine.namespace().listStatus(path, startAfter, limit);
      }
    };
  }

  /**
   * The leader of a journal in this process: writes are committed through Raft before they return,
   * reads are linearizable (Ratis ReadIndex / leader lease). No RPC of our own.
   */
  static BenchTarget of(JournalServer leader) {
    return new BenchTarget() {
      @Override
      public Inode execute(NamespaceCommand.Builder command) throws Exception {
        command.setTimeMs(System.currentTimeMillis());
        CommandResult result = unwrap(leader.submit(command.build()));
        if (result.hasError()) {
          throw NamespaceException.fromProto(result.getError());
        }
        return result.getInode();
      }

      @Override
      public Inode getStatus(String path) throws Exception {
        return reply(ReadRequest.newBuilder().setGetStatus(path)).getInode();
      }

      @Override
      public boolean exists(String path) throws Exception {
        return reply(ReadRequest.newBuilder().setExists(path)).getExists();
      }

      @Override
      public Listing listStatus(String path, String startAfter, int limit) throws Exception {
        ReadReply reply =
            reply(
                ReadRequest.newBuilder()
                    .setList(
                        ListRequest.newBuilder()
                            .setPath(path)
                            .setStartAfter(startAfter)
                            .setLimit(limit)));
        return new Listing(reply.getList().getChildrenList(), reply.getList().getHasMore());
      }

      private ReadReply reply(ReadRequest.Builder read) throws Exception {
        ReadReply reply = unwrap(leader.read(read.build(), -1));
        if (reply.hasError()) {
          throw NamespaceException.fromProto(reply.getError());
        }
        return reply;
      }
    };
  }

  private static <T> T unwrap(java.util.concurrent.CompletableFuture<T> future) throws Exception {
    try {
      return future.get();
    } catch (ExecutionException e) {
      throw e.getCause() instanceof Exception cause ? cause : e;
    }
  }
}

package dev.metacluster.cli.bench;

import dev.metacluster.api.client.MetadataClient;
import dev.metacluster.api.fs.v1.CreateDirectoryRequest;
import dev.metacluster.api.fs.v1.CreateFileRequest;
import dev.metacluster.api.fs.v1.FileStatus;
import dev.metacluster.api.fs.v1.ListStatusRequest;
import dev.metacluster.master.journal.JournalServer;
import dev.metacluster.master.namespace.Commands;
import dev.metacluster.master.namespace.LocalNamespace;
import dev.metacluster.master.namespace.NamespaceException;
import dev.metacluster.master.proto.CommandResult;
import dev.metacluster.master.proto.Inode;
import dev.metacluster.master.proto.ListRequest;
import dev.metacluster.master.proto.NamespaceCommand;
import dev.metacluster.master.proto.ReadReply;
import dev.metacluster.master.proto.ReadRequest;
import java.util.concurrent.ExecutionException;
import java.util.stream.Stream;

/**
 * What a benchmark runs its ops against: the engine alone, the engine behind the journal, or a
 * running cluster over gRPC. Every write is made as user {@value NamespaceWorkload#USER}.
 */
interface BenchTarget {
  /** What getStatus returned, enough to check it is the file asked for. */
  record Status(String name, boolean directory) {}

  /** createFile with missing parents. */
  void createFile(String path) throws Exception;

  /** completeFile with length 0. */
  void completeFile(String path) throws Exception;

  /** mkdir with missing parents. */
  void mkdirs(String path) throws Exception;

  void rename(String src, String dst) throws Exception;

  /** Non-recursive delete. */
  void delete(String path) throws Exception;

  Status getStatus(String path) throws Exception;

  boolean exists(String path) throws Exception;

  /** One listing of at most {@code limit} entries after {@code startAfter}; returns how many. */
  int listStatus(String path, String startAfter, int limit) throws Exception;

  /** A target that executes namespace commands in this process (the engine, or the journal). */
  abstract class InProcess implements BenchTarget {
    abstract Inode execute(NamespaceCommand.Builder command) throws Exception;

    @Override
    public void createFile(String path) throws Exception {
      execute(Commands.createFile(path, true, NamespaceWorkload.USER));
    }

    @Override
    public void completeFile(String path) throws Exception {
      execute(Commands.complete(path, 0));
    }

    @Override
    public void mkdirs(String path) throws Exception {
      execute(Commands.mkdir(path, true, NamespaceWorkload.USER));
    }

    @Override
    public void rename(String src, String dst) throws Exception {
      execute(Commands.rename(src, dst));
    }

    @Override
    public void delete(String path) throws Exception {
      execute(Commands.delete(path, false));
    }
  }

  /** The engine in this process, commands applied directly. */
  static BenchTarget of(LocalNamespace engine) {
    return new InProcess() {
      @Override
      Inode execute(NamespaceCommand.Builder command) throws NamespaceException {
        return engine.execute(command);
      }

      @Override
      public Status getStatus(String path) throws NamespaceException {
        Inode inode = engine.namespace().getStatus(path);
        return new Status(inode.getName(), inode.getDirectory());
      }

      @Override
      public boolean exists(String path) throws NamespaceException {
        return engine.namespace().exists(path);
      }

      @Override
      public int listStatus(String path, String startAfter, int limit) throws NamespaceException {
        return engine.namespace().listStatus(path, startAfter, limit).children().size();
      }
    };
  }

  /**
   * The leader of a journal in this process: writes are committed through Raft before they return,
   * reads are linearizable (Ratis ReadIndex / leader lease). No RPC of our own.
   */
  static BenchTarget of(JournalServer leader) {
    return new InProcess() {
      @Override
      Inode execute(NamespaceCommand.Builder command) throws Exception {
        command.setTimeMs(System.currentTimeMillis());
        CommandResult result = unwrap(leader.submit(command.build()));
        if (result.hasError()) {
          throw NamespaceException.fromProto(result.getError());
        }
        return result.getInode();
      }

      @Override
      public Status getStatus(String path) throws Exception {
        Inode inode = reply(ReadRequest.newBuilder().setGetStatus(path)).getInode();
        return new Status(inode.getName(), inode.getDirectory());
      }

      @Override
      public boolean exists(String path) throws Exception {
        return reply(ReadRequest.newBuilder().setExists(path)).getExists();
      }

      @Override
      public int listStatus(String path, String startAfter, int limit) throws Exception {
        ReadReply reply =
            reply(
                ReadRequest.newBuilder()
                    .setList(
                        ListRequest.newBuilder()
                            .setPath(path)
                            .setStartAfter(startAfter)
                            .setLimit(limit)));
        return reply.getList().getChildrenCount();
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

  /** A running cluster over gRPC, through the Java client (leader discovery, retries). */
  static BenchTarget of(MetadataClient client) {
    return new BenchTarget() {
      @Override
      public void createFile(String path) {
        client.createFile(
            CreateFileRequest.newBuilder()
                .setPath(path)
                .setRecursive(true)
                .setOwner(NamespaceWorkload.USER)
                .build());
      }

      @Override
      public void completeFile(String path) {
        client.completeFile(path, 0);
      }

      @Override
      public void mkdirs(String path) {
        client.createDirectory(
            CreateDirectoryRequest.newBuilder()
                .setPath(path)
                .setRecursive(true)
                .setOwner(NamespaceWorkload.USER)
                .build());
      }

      @Override
      public void rename(String src, String dst) {
        client.rename(src, dst);
      }

      @Override
      public void delete(String path) {
        client.delete(path, false);
      }

      @Override
      public Status getStatus(String path) {
        FileStatus status = client.getStatus(path);
        return new Status(status.getName(), status.getDirectory());
      }

      @Override
      public boolean exists(String path) {
        return client.exists(path);
      }

      @Override
      public int listStatus(String path, String startAfter, int limit) {
        ListStatusRequest request =
            ListStatusRequest.newBuilder()
                .setPath(path)
                .setStartAfter(startAfter)
                .setLimit(limit)
                .setPageSize(limit)
                .build();
        try (Stream<FileStatus> page = client.listStatus(request)) {
          return (int) page.count();
        }
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

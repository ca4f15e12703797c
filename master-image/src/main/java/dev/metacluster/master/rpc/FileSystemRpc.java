package dev.metacluster.master.rpc;

import dev.metacluster.api.fs.v1.CompleteFileRequest;
import dev.metacluster.api.fs.v1.CompleteFileResponse;
import dev.metacluster.api.fs.v1.CreateDirectoryRequest;
import dev.metacluster.api.fs.v1.CreateDirectoryResponse;
import dev.metacluster.api.fs.v1.CreateFileRequest;
import dev.metacluster.api.fs.v1.CreateFileResponse;
import dev.metacluster.api.fs.v1.DeleteRequest;
import dev.metacluster.api.fs.v1.DeleteResponse;
import dev.metacluster.api.fs.v1.ExistsRequest;
import dev.metacluster.api.fs.v1.ExistsResponse;
import dev.metacluster.api.fs.v1.FileSystemServiceGrpc;
import dev.metacluster.api.fs.v1.GetStatusRequest;
import dev.metacluster.api.fs.v1.GetStatusResponse;
import dev.metacluster.api.fs.v1.ListStatusRequest;
import dev.metacluster.api.fs.v1.ListStatusResponse;
import dev.metacluster.api.fs.v1.RenameRequest;
import dev.metacluster.api.fs.v1.RenameResponse;
import dev.metacluster.api.fs.v1.SetAttributeRequest;
import dev.metacluster.api.fs.v1.SetAttributeResponse;
import dev.metacluster.master.journal.JournalServer;
import dev.metacluster.master.namespace.Commands;
import dev.metacluster.master.namespace.NamespaceException;
import dev.metacluster.master.namespace.NamespacePath;
import dev.metacluster.master.proto.CompleteFile;
import dev.metacluster.master.proto.CreateDirectory;
import dev.metacluster.master.proto.CreateFile;
import dev.metacluster.master.proto.Delete;
import dev.metacluster.master.proto.Inode;
import dev.metacluster.master.proto.NamespaceCommand;
import dev.metacluster.master.proto.ReadReply;
import dev.metacluster.master.proto.ReadRequest;
import dev.metacluster.master.proto.Rename;
import dev.metacluster.master.proto.SetAttribute;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.apache.ratis.protocol.ClientId;

/**
 * {@code metacluster.fs.v1.FileSystemService}: checks each request's paths, turns writes into
 * journal commands (time fixed here, on the leader) and reads into journal reads, and maps the
 * outcome to the wire. Argument ranges are checked where the command is applied, identically on
 * every member, and come back as INVALID_ARGUMENT like a path error.
 */
final class FileSystemRpc extends FileSystemServiceGrpc.FileSystemServiceImplBase {
  /** Owner when a create names none (there is no authentication yet to say who called). */
  static final String DEFAULT_OWNER = "nobody";

  private final JournalServer journal;
  private final RpcErrors errors;
  private final Clock clock;
  private final RpcLimits limits;
  // Counts the subtree of each recursive delete on the leader (tooLargeToDelete), one at a time.
  private final Executor deleteCounts;

  /** Identity for writes that came without a client id: each such write is its own call. */
  private final ClientId anonymous = ClientId.randomId();

  private final AtomicLong anonymousCalls = new AtomicLong();

  FileSystemRpc(
      JournalServer journal,
      RpcErrors errors,
      Clock clock,
      RpcLimits limits,
      Executor deleteCounts) {
    this.journal = journal;
    this.deleteCounts = deleteCounts;
    this.errors = errors;
    this.clock = clock;
    this.limits = limits;
  }

  // ---- writes ------------------------------------------------------------------------------

  @Override
  public void createDirectory(
      CreateDirectoryRequest r, StreamObserver<CreateDirectoryResponse> out) {
    String owner = owner(r.getOwner());
    CreateDirectory.Builder c =
        CreateDirectory.newBuilder()
            .setPath(r.getPath())
            .setRecursive(r.getRecursive())
            .setMode(r.getMode() == 0 ? Commands.DEFAULT_DIRECTORY_MODE : r.getMode())
            .setOwner(owner)
            .setGroup(r.getGroup().isEmpty() ? owner : r.getGroup())
            .setTtlMs(r.getTtlMs());
    write(
        out,
        NamespaceCommand.newBuilder().setCreateDirectory(c),
        inode -> CreateDirectoryResponse.newBuilder().setStatus(status(r.getPath(), inode)).build(),
        r.getPath());
  }

  @Override
  public void createFile(CreateFileRequest r, StreamObserver<CreateFileResponse> out) {
    String owner = owner(r.getOwner());
    CreateFile.Builder c =
        CreateFile.newBuilder()
            .setPath(r.getPath())
            .setRecursive(r.getRecursive())
            .setMode(r.getMode() == 0 ? Commands.DEFAULT_FILE_MODE : r.getMode())
            .setOwner(owner)
            .setGroup(r.getGroup().isEmpty() ? owner : r.getGroup())
            .setBlockSize(r.getBlockSize() == 0 ? Commands.DEFAULT_BLOCK_SIZE : r.getBlockSize())
            .setTtlMs(r.getTtlMs());
    write(
        out,
        NamespaceCommand.newBuilder().setCreateFile(c),
        inode -> CreateFileResponse.newBuilder().setStatus(status(r.getPath(), inode)).build(),
        r.getPath());
  }

  @Override
  public void completeFile(CompleteFileRequest r, StreamObserver<CompleteFileResponse> out) {
    write(
        out,
        NamespaceCommand.newBuilder()
            .setCompleteFile(
                CompleteFile.newBuilder().setPath(r.getPath()).setLength(r.getLength())),
        inode -> CompleteFileResponse.newBuilder().setStatus(status(r.getPath(), inode)).build(),
        r.getPath());
  }

  @Override
  public void rename(RenameRequest r, StreamObserver<RenameResponse> out) {
    write(
        out,
        NamespaceCommand.newBuilder()
            .setRename(Rename.newBuilder().setSrc(r.getSrc()).setDst(r.getDst())),
        inode -> RenameResponse.newBuilder().setStatus(status(r.getDst(), inode)).build(),
        r.getSrc(),
        r.getDst());
  }

  @Override
  public void delete(DeleteRequest r, StreamObserver<DeleteResponse> out) {
    Runnable write =
        () ->
            write(
                out,
                NamespaceCommand.newBuilder()
                    .setDelete(
                        Delete.newBuilder().setPath(r.getPath()).setRecursive(r.getRecursive())),
                inode -> DeleteResponse.getDefaultInstance(),
                r.getPath());
    // A follower answers with the leader's address; the leader counts first (tooLargeToDelete).
    if (!r.getRecursive() || !journal.isLeader()) {
      write.run();
      return;
    }
    try {
      deleteCounts.execute(
          Context.current()
              .wrap(
                  () -> {
                    // A call given up meanwhile (deadline, client gone) is not journaled.
                    if (!Context.current().isCancelled()
                        && !tooLargeToDelete(r.getPath(), out)
                        && !Context.current().isCancelled()) {
                      write.run();
                    }
                  }));
    } catch (RejectedExecutionException e) {
      out.onError(
          Status.RESOURCE_EXHAUSTED
              .withDescription("too many recursive deletes are waiting to be counted; retry")
              .asRuntimeException());
    }
  }

  @Override
  public void setAttribute(SetAttributeRequest r, StreamObserver<SetAttributeResponse> out) {
    SetAttribute.Builder c =
        SetAttribute.newBuilder()
            .setPath(r.getPath())
            .putAllSetXattrs(r.getSetXattrsMap())
            .addAllRemoveXattrs(r.getRemoveXattrsList());
    if (r.hasMode()) {
      c.setMode(r.getMode());
    }
    if (r.hasOwner()) {
      c.setOwner(r.getOwner());
    }
    if (r.hasGroup()) {
      c.setGroup(r.getGroup());
    }
    if (r.hasModificationTimeMs()) {
      c.setModificationTimeMs(r.getModificationTimeMs());
    }
    if (r.hasTtlMs()) {
      c.setTtlMs(r.getTtlMs());
    }
    write(
        out,
        NamespaceCommand.newBuilder().setSetAttribute(c),
        inode -> SetAttributeResponse.newBuilder().setStatus(status(r.getPath(), inode)).build(),
        r.getPath());
  }

  private static String owner(String requested) {
    return requested.isEmpty() ? DEFAULT_OWNER : requested;
  }

  private <R> void write(
      StreamObserver<R> out,
      NamespaceCommand.Builder command,
      Function<Inode, R> response,
      String... paths) {
    if (!checkPaths(out, paths)) {
      return;
    }
    CallHeaders.Call call = CallHeaders.current();
    ClientId clientId = call.clientId() != null ? call.clientId() : anonymous;
    long callId = call.clientId() != null ? call.callId() : anonymousCalls.incrementAndGet();
    NamespaceCommand cmd = command.setTimeMs(clock.millis()).build();
    withDeadline(journal.submitWrite(clientId, callId, cmd))
        .whenComplete(
            (written, failure) -> {
              if (failure != null) {
                out.onError(errors.of(failure));
              } else if (written.result().hasError()) {
                out.onError(RpcErrors.of(written.result().getError()));
              } else {
                call.logIndex().set(written.logIndex());
                out.onNext(response.apply(written.result().getInode()));
                out.onCompleted();
              }
            });
  }

  // ---- reads -------------------------------------------------------------------------------

  @Override
  public void getStatus(GetStatusRequest r, StreamObserver<GetStatusResponse> out) {
    readOne(
        out,
        r.getPath(),
        ReadRequest.newBuilder().setGetStatus(r.getPath()).build(),
        reply ->
            GetStatusResponse.newBuilder()
                .setStatus(status(r.getPath(), reply.getInode()))
                .build());
  }

  @Override
  public void exists(ExistsRequest r, StreamObserver<ExistsResponse> out) {
    readOne(
        out,
        r.getPath(),
        ReadRequest.newBuilder().setExists(r.getPath()).build(),
        reply -> ExistsResponse.newBuilder().setExists(reply.getExists()).build());
  }

  @Override
  public void listStatus(ListStatusRequest r, StreamObserver<ListStatusResponse> out) {
    if (!checkPaths(out, r.getPath())) {
      return;
    }
    if (r.getLimit() < 0 || r.getPageSize() < 0) {
      out.onError(
          RpcErrors.invalid(
              "limit and page_size must be >= 0 (0 means no limit / the server's default), were "
                  + r.getLimit()
                  + " and "
                  + r.getPageSize()));
      return;
    }
    if (!r.getStartAfter().isEmpty()) {
      try {
        NamespacePath.checkName(
            r.getStartAfter(), dev.metacluster.master.proto.ErrorCode.INVALID_ARGUMENT);
      } catch (NamespaceException e) {
        out.onError(RpcErrors.invalid("start_after: " + e.getMessage()));
        return;
      }
    }
    new ListingStream(r, out, this::read, errors, limits).start();
  }

  /** A read as the call's headers ask: linearizable on the leader, or on this member. */
  CompletableFuture<ReadReply> read(ReadRequest request) {
    CallHeaders.Call call = CallHeaders.current();
    long minIndex = call.followerRead() ? call.minIndex() : -1;
    return withDeadline(journal.read(request, minIndex));
  }

  /** A one-message read of {@code path}: checked, read as the headers ask, answered. */
  private <R> void readOne(
      StreamObserver<R> out, String path, ReadRequest request, Function<ReadReply, R> response) {
    if (!checkPaths(out, path)) {
      return;
    }
    read(request)
        .whenComplete(
            (reply, failure) -> {
              if (failure != null) {
                out.onError(errors.of(failure));
              } else if (reply.hasError()) {
                out.onError(RpcErrors.of(reply.getError()));
              } else {
                out.onNext(response.apply(reply));
                out.onCompleted();
              }
            });
  }

  private static dev.metacluster.api.fs.v1.FileStatus status(String path, Inode inode) {
    return FileStatuses.of(path, inode);
  }

  /**
   * Refuses a recursive delete of more than {@code rpc.delete.max.entries} entries before it is
   * journaled: applying it builds the whole removal as one batch in memory on every member, and an
   * entry that cannot be applied would stop every member at the same place of the log. Runs on the
   * one {@code delete-counts} thread (a count of a million entries takes seconds; the file-system
   * pool must not block) and gives up when the call is cancelled. Anything but an oversized subtree
   * (a missing path, a file, the root, a bad path) is left to the write to answer, so that a retry
   * of a delete that was applied gets its answer from the retry cache. An estimate, not a
   * guarantee: the subtree can grow (or a subtree be renamed into it) between the count and the
   * apply, and a retry of a delete not applied yet may be refused if the subtree grew meanwhile.
   */
  private boolean tooLargeToDelete(String path, StreamObserver<?> out) {
    long limit = limits.maxDeleteEntries();
    long below;
    try {
      if (NamespacePath.parse(path).isRoot()) {
        return false;
      }
      below = journal.stateMachine().countBelow(path, limit, Context.current()::isCancelled);
    } catch (NamespaceException | RuntimeException e) {
      return false;
    }
    if (below <= limit) {
      return false;
    }
    out.onError(
        Status.FAILED_PRECONDITION
            .withDescription(
                String.format(
                    "%s has more than %,d entries below it, the most one delete may remove"
                        + " (rpc.delete.max.entries); delete it in parts, subdirectories first"
                        + " (metactl fs rm -r --in-parts)",
                    path, limit))
            .asRuntimeException());
    return true;
  }

  /** Refuses a request whose paths are malformed before it costs a journal entry. */
  private static boolean checkPaths(StreamObserver<?> out, String... paths) {
    for (String path : paths) {
      try {
        NamespacePath.parse(path);
      } catch (NamespaceException e) {
        out.onError(RpcErrors.of(e));
        return false;
      }
    }
    return true;
  }

  /** Bounds a journal future by the call's deadline. */
  static <T> CompletableFuture<T> withDeadline(CompletableFuture<T> future) {
    Deadline deadline = Context.current().getDeadline();
    if (deadline == null) {
      return future;
    }
    return future.orTimeout(
        Math.max(1, deadline.timeRemaining(TimeUnit.MILLISECONDS)), TimeUnit.MILLISECONDS);
  }
}

package dev.metacluster.master.rpc;

import dev.metacluster.api.fs.v1.ListStatusRequest;
import dev.metacluster.api.fs.v1.ListStatusResponse;
import dev.metacluster.master.proto.Inode;
import dev.metacluster.master.proto.ListReply;
import dev.metacluster.master.proto.ListRequest;
import dev.metacluster.master.proto.ReadReply;
import dev.metacluster.master.proto.ReadRequest;
import io.grpc.Context;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

/**
 * One ListStatus call: reads the directory a page at a time and sends each page when the client can
 * take it (gRPC flow control), so a huge directory never sits in memory at once. One page is read
 * at a time; the next starts after the last name sent.
 */
final class ListingStream {
  private final ListStatusRequest request;
  private final ServerCallStreamObserver<ListStatusResponse> out;
  private final Function<ReadRequest, CompletableFuture<ReadReply>> read;
  private final RpcErrors errors;
  private final int pageSize;
  private final Context context = Context.current();
  private final AtomicBoolean reading = new AtomicBoolean();
  private String startAfter;
  private long remaining;
  private volatile boolean done;

  ListingStream(
      ListStatusRequest request,
      StreamObserver<ListStatusResponse> out,
      Function<ReadRequest, CompletableFuture<ReadReply>> read,
      RpcErrors errors,
      RpcLimits limits) {
    this.request = request;
    this.out = (ServerCallStreamObserver<ListStatusResponse>) out;
    this.read = read;
    this.errors = errors;
    int asked = request.getPageSize() == 0 ? limits.listPageSize() : request.getPageSize();
    this.pageSize = Math.min(asked, limits.maxListPageSize());
    this.startAfter = request.getStartAfter();
    this.remaining = request.getLimit() == 0 ? Long.MAX_VALUE : request.getLimit();
  }

  void start() {
    out.setOnCancelHandler(() -> done = true);
    out.setOnReadyHandler(this::next);
    next();
  }

  /** Reads the next page if the client is ready for it and no page is being read. */
  private void next() {
    if (done || !out.isReady() || !reading.compareAndSet(false, true)) {
      return;
    }
    int limit = (int) Math.min(pageSize, remaining);
    ReadRequest page =
        ReadRequest.newBuilder()
            .setList(
                ListRequest.newBuilder()
                    .setPath(request.getPath())
                    .setStartAfter(startAfter)
                    .setLimit(limit))
            .build();
    // The read runs in the call's context: its headers (follower read) and its deadline.
    context.run(() -> read.apply(page).whenComplete(this::onPage));
  }

  private void onPage(ReadReply reply, Throwable failure) {
    if (done) {
      return;
    }
    if (failure != null || reply.hasError()) {
      done = true;
      out.onError(failure != null ? errors.of(failure) : RpcErrors.of(reply.getError()));
      return;
    }
    ListReply list = reply.getList();
    List<Inode> children = list.getChildrenList();
    if (!children.isEmpty()) {
      ListStatusResponse.Builder response = ListStatusResponse.newBuilder();
      for (Inode child : children) {
        response.addEntries(
            FileStatuses.of(FileStatuses.child(request.getPath(), child.getName()), child));
      }
      out.onNext(response.build());
      startAfter = children.get(children.size() - 1).getName();
      remaining -= children.size();
    }
    if (!list.getHasMore() || remaining <= 0) {
      done = true;
      out.onCompleted();
      return;
    }
    reading.set(false);
    next();
  }
}

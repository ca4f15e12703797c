package dev.metacluster.api.client;

import dev.metacluster.api.fs.v1.FileStatus;
import dev.metacluster.api.fs.v1.FileSystemServiceGrpc;
import dev.metacluster.api.fs.v1.ListStatusRequest;
import dev.metacluster.api.fs.v1.ListStatusResponse;
import io.grpc.Context;
import io.grpc.StatusRuntimeException;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * The children of a directory, read page by page from the server stream of ListStatus. When the
 * stream breaks (a member goes away, the leader changes, an attempt's deadline passes) the listing
 * opens a new stream with {@code start_after} = the last name received, so no entry is returned
 * twice and none is skipped. The retry budget and deadline apply to the time without progress:
 * every page received starts them afresh.
 *
 * <p>One reader at a time (not thread-safe). Close it when not read to the end: that cancels the
 * server stream.
 */
public final class DirectoryListing implements Iterator<FileStatus>, AutoCloseable {
  private final MetadataClient client;
  private final ListStatusRequest request;
  private Iterator<FileStatus> page = Collections.emptyIterator();
  private Iterator<ListStatusResponse> stream;
  private Context.CancellableContext context;
  private String streamAddress;
  private Attempts attempts;
  private String lastName;
  private long received;
  private boolean done;

  DirectoryListing(MetadataClient client, ListStatusRequest request) {
    this.client = client;
    this.request = request;
    this.lastName = request.getStartAfter();
    this.attempts = newAttempts();
  }

  @Override
  public boolean hasNext() {
    while (!page.hasNext()) {
      if (done) {
        return false;
      }
      if (request.getLimit() > 0 && received >= request.getLimit()) {
        close();
        return false;
      }
      fetchPage();
    }
    return true;
  }

  @Override
  public FileStatus next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    return page.next();
  }

  /** Cancels the server stream, if one is open; the listing ends. Idempotent. */
  @Override
  public void close() {
    done = true;
    page = Collections.emptyIterator();
    closeStream();
  }

  private void fetchPage() {
    while (true) {
      if (stream == null) {
        open();
      }
      try {
        if (!stream.hasNext()) {
          attempts.succeeded(streamAddress);
          close();
          return;
        }
        List<FileStatus> entries = stream.next().getEntriesList();
        if (request.getLimit() > 0 && received + entries.size() > request.getLimit()) {
          entries = entries.subList(0, (int) (request.getLimit() - received));
        }
        if (!entries.isEmpty()) {
          attempts.succeeded(streamAddress);
          attempts = newAttempts(); // progress: a fresh budget and deadline
          received += entries.size();
          lastName = entries.get(entries.size() - 1).getName();
          page = entries.iterator();
          return;
        }
      } catch (StatusRuntimeException e) {
        String address = streamAddress;
        closeStream();
        try {
          attempts.failed(address, e.getStatus(), e.getTrailers());
        } catch (RuntimeException fatal) {
          close();
          throw fatal;
        }
      }
    }
  }

  private void open() {
    String address;
    try {
      address = attempts.next();
    } catch (RuntimeException e) {
      close();
      throw e;
    }
    ListStatusRequest.Builder resumed = request.toBuilder().setStartAfter(lastName);
    if (request.getLimit() > 0) {
      resumed.setLimit((int) (request.getLimit() - received));
    }
    context = Context.current().withCancellation();
    streamAddress = address;
    stream =
        client.serverStream(
            context,
            address,
            FileSystemServiceGrpc.getListStatusMethod(),
            resumed.build(),
            client.readHeaders(),
            attempts.attemptDeadline());
  }

  private void closeStream() {
    if (context != null) {
      context.cancel(null);
      context = null;
    }
    stream = null;
  }

  private Attempts newAttempts() {
    return client.attempts(client.readRoute(), null, client.callTimeoutNanos());
  }
}

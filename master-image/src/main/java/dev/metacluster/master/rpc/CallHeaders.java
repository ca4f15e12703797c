package dev.metacluster.master.rpc;

import dev.metacluster.api.Headers;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.ratis.protocol.ClientId;

/**
 * The per-call metadata of the wire contract (api {@code Headers}): who is writing and which write
 * this is (for the journal's retry cache), how a read may be served, and the log index a write
 * returns in its response header.
 */
final class CallHeaders implements ServerInterceptor {
  /**
   * What the request's metadata says, parsed once per call, and where the call's write puts the log
   * index its response header carries (set it before the response is sent).
   */
  record Call(
      ClientId clientId, long callId, boolean followerRead, long minIndex, AtomicLong logIndex) {}

  static final Context.Key<Call> CALL = Context.key("metacluster-call");

  /** The current call's headers (inside a service method, or a task wrapped in its context). */
  static Call current() {
    return CALL.get();
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    Call parsed;
    try {
      parsed = parse(headers);
    } catch (IllegalArgumentException e) {
      call.close(Status.INVALID_ARGUMENT.withDescription(e.getMessage()), new Metadata());
      return new ServerCall.Listener<>() {};
    }
    AtomicLong logIndex = parsed.logIndex();
    ServerCall<Q, R> withIndex =
        new SimpleForwardingServerCall<>(call) {
          @Override
          public void sendHeaders(Metadata responseHeaders) {
            long index = logIndex.get();
            if (index >= 0) {
              responseHeaders.put(Headers.LOG_INDEX, Long.toString(index));
            }
            super.sendHeaders(responseHeaders);
          }
        };
    Context context = Context.current().withValue(CALL, parsed);
    return Contexts.interceptCall(context, withIndex, headers, next);
  }

  static Call parse(Metadata headers) {
    String client = headers.get(Headers.CLIENT_ID);
    String call = headers.get(Headers.CALL_ID);
    ClientId clientId = null;
    long callId = 0;
    if (client != null || call != null) {
      if (client == null || call == null) {
        throw new IllegalArgumentException(
            Headers.CLIENT_ID.name() + " and " + Headers.CALL_ID.name() + " go together");
      }
      try {
        clientId = ClientId.valueOf(UUID.fromString(client));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            Headers.CLIENT_ID.name() + " '" + abbreviate(client) + "' is not a UUID");
      }
      callId = positive(Headers.CALL_ID.name(), call);
    }
    String read = headers.get(Headers.READ);
    boolean follower = false;
    if (read != null) {
      if (!read.equals(Headers.READ_FOLLOWER)) {
        throw new IllegalArgumentException(
            Headers.READ.name()
                + " '"
                + abbreviate(read)
                + "' is not understood; the only value is '"
                + Headers.READ_FOLLOWER
                + "'");
      }
      follower = true;
    }
    String min = headers.get(Headers.MIN_INDEX);
    long minIndex = min == null ? 0 : positive(Headers.MIN_INDEX.name(), min);
    return new Call(clientId, callId, follower, minIndex, new AtomicLong(-1));
  }

  private static long positive(String name, String value) {
    long parsed;
    try {
      parsed = Long.parseLong(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          name + " '" + abbreviate(value) + "' is not a decimal number");
    }
    if (parsed < 1) {
      throw new IllegalArgumentException(name + " must be > 0, was " + parsed);
    }
    return parsed;
  }

  private static String abbreviate(String s) {
    return s.length() <= 64 ? s : s.substring(0, 64) + "...";
  }
}

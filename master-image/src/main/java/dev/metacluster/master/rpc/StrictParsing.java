package dev.metacluster.master.rpc;

import com.google.protobuf.Message;
import com.google.protobuf.UnknownFieldSet;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.InputStream;

/**
 * A request that is not valid protobuf (invalid UTF-8 in a string field, truncated bytes) is the
 * caller's mistake and gets INVALID_ARGUMENT; grpc-java alone would answer UNKNOWN ("application
 * error"). The parser cannot fail the call itself, so it hands on a marked empty message and the
 * call is closed when that message arrives.
 */
final class StrictParsing {
  /** A field number no request uses, carrying the mark. */
  private static final int UNPARSABLE_FIELD = 536_870_000;

  private static final UnknownFieldSet MARK =
      UnknownFieldSet.newBuilder()
          .addField(UNPARSABLE_FIELD, UnknownFieldSet.Field.newBuilder().addVarint(1).build())
          .build();

  private StrictParsing() {}

  static ServerServiceDefinition of(ServerServiceDefinition service) {
    ServerServiceDefinition.Builder b =
        ServerServiceDefinition.builder(service.getServiceDescriptor().getName());
    for (ServerMethodDefinition<?, ?> method : service.getMethods()) {
      b.addMethod(strict(method));
    }
    return b.build();
  }

  private static <Q, R> ServerMethodDefinition<Q, R> strict(ServerMethodDefinition<Q, R> method) {
    MethodDescriptor<Q, R> descriptor = method.getMethodDescriptor();
    MethodDescriptor.Marshaller<Q> parser = descriptor.getRequestMarshaller();
    @SuppressWarnings("unchecked")
    Q marked =
        (Q)
            ((Message) ((MethodDescriptor.PrototypeMarshaller<Q>) parser).getMessagePrototype())
                .toBuilder().setUnknownFields(MARK).build();
    MethodDescriptor.Marshaller<Q> checked =
        new MethodDescriptor.Marshaller<>() {
          @Override
          public InputStream stream(Q value) {
            return parser.stream(value);
          }

          @Override
          public Q parse(InputStream stream) {
            try {
              return parser.parse(stream);
            } catch (StatusRuntimeException e) {
              return marked;
            }
          }
        };
    ServerCallHandler<Q, R> handler = method.getServerCallHandler();
    ServerCallHandler<Q, R> refusing =
        (call, headers) -> new Refusing<>(handler.startCall(call, headers), call, descriptor);
    return ServerMethodDefinition.create(
        descriptor.toBuilder().setRequestMarshaller(checked).build(), refusing);
  }

  /** Closes the call with INVALID_ARGUMENT when the marked message arrives. */
  private static final class Refusing<Q, R> extends SimpleForwardingServerCallListener<Q> {
    private final ServerCall<Q, R> call;
    private final MethodDescriptor<Q, R> descriptor;
    private boolean refused;

    Refusing(ServerCall.Listener<Q> next, ServerCall<Q, R> call, MethodDescriptor<Q, R> d) {
      super(next);
      this.call = call;
      this.descriptor = d;
    }

    @Override
    public void onMessage(Q message) {
      if (refused) {
        return;
      }
      if (message instanceof Message m && m.getUnknownFields().hasField(UNPARSABLE_FIELD)) {
        refused = true;
        call.close(
            Status.INVALID_ARGUMENT.withDescription(
                "the request is not a valid "
                    + descriptor.getFullMethodName()
                    + " message (malformed protobuf, or invalid UTF-8 in a string field)"),
            new Metadata());
        return;
      }
      super.onMessage(message);
    }

    @Override
    public void onHalfClose() {
      if (!refused) {
        super.onHalfClose();
      }
    }
  }
}

package dev.metacluster.master.rpc;

import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/** Counts and times every call by method and status code ({@code metacluster_rpc_seconds}). */
final class RpcMetrics implements ServerInterceptor {
  private final MeterRegistry registry;

  RpcMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    String method = call.getMethodDescriptor().getBareMethodName();
    long start = System.nanoTime();
    ServerCall<Q, R> timed =
        new SimpleForwardingServerCall<>(call) {
          @Override
          public void close(Status status, Metadata trailers) {
            Timer.builder("metacluster.rpc")
                .description("gRPC calls served, by method and status code")
                .tag("method", method == null ? "unknown" : method)
                .tag("code", status.getCode().name())
                .publishPercentileHistogram()
                .register(registry)
                .record(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS);
            super.close(status, trailers);
          }
        };
    return next.startCall(timed, headers);
  }
}

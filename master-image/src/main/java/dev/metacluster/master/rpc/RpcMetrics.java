package dev.metacluster.master.rpc;

import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Counts and times every call by method and status code ({@code metacluster_rpc_seconds}). */
final class RpcMetrics implements ServerInterceptor {
  private final MeterRegistry registry;

  /**
   * One timer per method and code, built once: a call's close only looks it up (building the meter
   * id and asking the registry on every call is work on the hot path).
   */
  private final Map<String, Timer> timers = new ConcurrentHashMap<>();

  RpcMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  private Timer timer(String method, Status.Code code) {
    return timers.computeIfAbsent(
        method + "/" + code,
        k ->
            Timer.builder("metacluster.rpc")
                .description("gRPC calls served, by method and status code")
                .tag("method", method)
                .tag("code", code.name())
                .publishPercentileHistogram()
                .register(registry));
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
            timer(method == null ? "unknown" : method, status.getCode())
                .record(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS);
            super.close(status, trailers);
          }
        };
    return next.startCall(timed, headers);
  }
}

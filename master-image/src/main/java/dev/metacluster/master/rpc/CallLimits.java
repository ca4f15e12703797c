package dev.metacluster.master.rpc;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Back-pressure and deadlines: at most {@code maxInFlight} calls are served at once (the next one
 * gets RESOURCE_EXHAUSTED at once instead of queueing without bound), and a call without a deadline
 * gets the server's default one, so nothing waits forever.
 */
final class CallLimits implements ServerInterceptor {
  private final Semaphore permits;
  private final int maxInFlight;
  private final Duration defaultDeadline;
  private final ScheduledExecutorService timer;

  CallLimits(int maxInFlight, Duration defaultDeadline, ScheduledExecutorService timer) {
    this.permits = new Semaphore(maxInFlight);
    this.maxInFlight = maxInFlight;
    this.defaultDeadline = defaultDeadline;
    this.timer = timer;
  }

  int inFlight() {
    return maxInFlight - permits.availablePermits();
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    if (!permits.tryAcquire()) {
      call.close(
          Status.RESOURCE_EXHAUSTED.withDescription(
              "server busy: " + maxInFlight + " calls in flight; retry after a backoff"),
          new Metadata());
      return new ServerCall.Listener<>() {};
    }
    Context context = Context.current();
    // Cancelled when the call ends, so its deadline timer does not outlive it.
    Context.CancellableContext withDeadline =
        context.getDeadline() == null
            ? context.withDeadlineAfter(defaultDeadline.toMillis(), TimeUnit.MILLISECONDS, timer)
            : null;
    AtomicBoolean released = new AtomicBoolean();
    Runnable release =
        () -> {
          if (released.compareAndSet(false, true)) {
            permits.release();
            if (withDeadline != null) {
              withDeadline.cancel(null);
            }
          }
        };
    ServerCall<Q, R> releasing =
        new SimpleForwardingServerCall<>(call) {
          @Override
          public void close(Status status, Metadata trailers) {
            release.run();
            super.close(status, trailers);
          }
        };
    ServerCall.Listener<Q> listener;
    try {
      listener =
          Contexts.interceptCall(
              withDeadline != null ? withDeadline : context, releasing, headers, next);
    } catch (RuntimeException e) {
      release.run();
      throw e;
    }
    return new SimpleForwardingServerCallListener<>(listener) {
      @Override
      public void onCancel() {
        release.run();
        super.onCancel();
      }

      @Override
      public void onComplete() {
        release.run();
        super.onComplete();
      }
    };
  }
}

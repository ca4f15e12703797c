package dev.metacluster.cli.bench;

import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;
import java.util.function.LongFunction;

/**
 * Runs ops {@code 0..count-1} on a fixed set of threads, each thread taking one contiguous block of
 * indexes (as NNThroughputBenchmark does, so threads mostly work in different directories). Every
 * op's latency goes into its thread's {@link LatencyRecorder}; the phase's elapsed time is
 * wall-clock from releasing all threads at once until the last one finishes.
 */
final class ParallelRunner implements AutoCloseable {
  private static final long PROGRESS_EVERY_SECONDS = 10;

  /** The timed part of one op; any exception counts as an error of that op. */
  @FunctionalInterface
  interface Body<T> {
    void run(T input) throws Exception;
  }

  /**
   * The outcome of one phase.
   *
   * @param cpuNanos CPU time of this whole process during the phase (every thread, the JIT and GC
   *     included), or -1 where the JVM does not tell: steadier than ops/s on a shared machine
   */
  record Phase(LatencyRecorder latencies, long elapsedNanos, long cpuNanos) {
    double elapsedSeconds() {
      return elapsedNanos / 1e9;
    }

    double opsPerSec() {
      return elapsedNanos == 0 ? 0 : latencies.ops() / elapsedSeconds();
    }

    /** Process CPU µs per op (successful or not), or -1 if unknown. */
    double cpuUsPerOp() {
      long ops = latencies.ops() + latencies.errors();
      return cpuNanos < 0 || ops == 0 ? -1 : cpuNanos / 1e3 / ops;
    }
  }

  private final int threads;
  private final PrintWriter progress;
  private final ExecutorService workers;
  private final ScheduledExecutorService reporter;

  ParallelRunner(int threads, PrintWriter progress) {
    this.threads = threads;
    this.progress = progress;
    AtomicInteger n = new AtomicInteger();
    this.workers =
        Executors.newFixedThreadPool(
            threads, r -> daemon(r, "bench-worker-" + n.incrementAndGet()));
    this.reporter = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "bench-progress"));
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }

  /**
   * Runs {@code count} ops. {@code input} turns an index into the op's argument outside the timed
   * part (path names are built there); {@code body} is what is timed.
   */
  <T> Phase run(String name, long count, LongFunction<T> input, Body<T> body)
      throws InterruptedException {
    return run(name, count, null, input, body);
  }

  /**
   * Like {@link #run(String, long, LongFunction, Body)}, but each thread also stops once {@code
   * stop} says so (for loads that last as long as something else happens). With {@code stop} null
   * the run ends after {@code count} ops, and progress shows how far it is.
   */
  <T> Phase run(String name, long count, BooleanSupplier stop, LongFunction<T> input, Body<T> body)
      throws InterruptedException {
    CountDownLatch start = new CountDownLatch(1);
    LongAdder done = new LongAdder();
    List<Future<LatencyRecorder>> futures = new ArrayList<>(threads);
    for (int t = 0; t < threads; t++) {
      long from = count * t / threads;
      long to = count * (t + 1) / threads;
      futures.add(
          workers.submit(
              () -> {
                LatencyRecorder recorder = new LatencyRecorder();
                start.await();
                for (long i = from; i < to && (stop == null || !stop.getAsBoolean()); i++) {
                  T in = input.apply(i);
                  long t0 = System.nanoTime();
                  try {
                    body.run(in);
                    recorder.success(System.nanoTime() - t0);
                  } catch (Exception e) {
                    recorder.failure(i, e);
                  }
                  done.increment();
                }
                return recorder;
              }));
    }
    long startCpu = processCpuNanos();
    long startNanos = System.nanoTime();
    ScheduledFuture<?> report =
        reporter.scheduleAtFixedRate(
            () -> {
              double seconds = (System.nanoTime() - startNanos) / 1e9;
              if (stop == null) {
                progress.printf(
                    "  %s: %,d of %,d ops after %.0f s%n", name, done.sum(), count, seconds);
              } else {
                progress.printf("  %s: %,d ops after %.0f s%n", name, done.sum(), seconds);
              }
              progress.flush();
            },
            PROGRESS_EVERY_SECONDS,
            PROGRESS_EVERY_SECONDS,
            TimeUnit.SECONDS);
    start.countDown();
    List<LatencyRecorder> recorders = new ArrayList<>(threads);
    try {
      for (Future<LatencyRecorder> f : futures) {
        recorders.add(f.get());
      }
    } catch (ExecutionException e) {
      // Only an Error (e.g. OutOfMemoryError) gets here: op exceptions are counted, not thrown.
      throw new IllegalStateException(name + " worker died: " + e.getCause(), e.getCause());
    } finally {
      report.cancel(false);
    }
    long elapsed = System.nanoTime() - startNanos;
    long endCpu = processCpuNanos();
    LatencyRecorder merged = new LatencyRecorder();
    recorders.forEach(merged::merge);
    return new Phase(merged, elapsed, startCpu < 0 || endCpu < 0 ? -1 : endCpu - startCpu);
  }

  private static long processCpuNanos() {
    return ManagementFactory.getOperatingSystemMXBean()
            instanceof com.sun.management.OperatingSystemMXBean os
        ? os.getProcessCpuTime()
        : -1;
  }

  @Override
  public void close() {
    workers.shutdownNow();
    reporter.shutdownNow();
  }
}

package dev.metacluster.cli.bench;

import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * Latencies (µs, HdrHistogram with 3 significant digits) and error count of one thread's ops;
 * merged into one after the threads finish. Not thread-safe: one per thread.
 */
final class LatencyRecorder {
  private final Histogram histogram = new Histogram(3); // auto-resizing
  private long ops;
  private long errors;
  private String firstError;

  /** One op that succeeded after {@code nanos}. */
  void success(long nanos) {
    ops++;
    histogram.recordValue(TimeUnit.NANOSECONDS.toMicros(nanos));
  }

  /** One op that failed; its latency is not recorded. */
  void failure(long index, Exception e) {
    ops++;
    errors++;
    if (firstError == null) {
      firstError = "op #" + index + ": " + e;
    }
  }

  void merge(LatencyRecorder other) {
    histogram.add(other.histogram);
    ops += other.ops;
    errors += other.errors;
    if (firstError == null) {
      firstError = other.firstError;
    }
  }

  long ops() {
    return ops;
  }

  long errors() {
    return errors;
  }

  /** A message of the first failure, or {@code null}. */
  String firstError() {
    return firstError;
  }

  /** The latency at {@code percentile} (0..100) in µs; 0 when nothing succeeded. */
  long percentileUs(double percentile) {
    return histogram.getTotalCount() == 0 ? 0 : histogram.getValueAtPercentile(percentile);
  }

  double meanUs() {
    return histogram.getTotalCount() == 0 ? 0 : histogram.getMean();
  }

  long maxUs() {
    return histogram.getTotalCount() == 0 ? 0 : histogram.getMaxValue();
  }
}

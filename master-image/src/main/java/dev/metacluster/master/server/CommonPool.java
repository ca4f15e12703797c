package dev.metacluster.master.server;

/**
 * Keeps {@code CompletableFuture}'s default async executor a pool on small machines.
 *
 * <p>With fewer than 3 CPUs the JDK's common {@code ForkJoinPool} has a parallelism of 1, and then
 * {@code CompletableFuture} runs every {@code *Async} stage given no executor on a <em>new
 * thread</em> ({@code CompletableFuture.ThreadPerTaskExecutor}). Ratis 3.2.2 uses such stages on
 * the log worker and the follower append path, so on a 2-CPU machine every follower append and many
 * log completions started a thread (about 7% of the log worker's time, and 3-member creates
 * 1.4-1.6x slower, docs/BENCHMARKS.md). The property must be set before the common pool is first
 * used: call this first thing in {@code main}. An explicit {@code -D} setting wins.
 */
public final class CommonPool {
  static final String PARALLELISM = "java.util.concurrent.ForkJoinPool.common.parallelism";

  private CommonPool() {}

  /** Sets the common pool's parallelism to at least 2 unless the command line set it. */
  public static void ensureParallelism() {
    if (System.getProperty(PARALLELISM) == null) {
      int cpus = Runtime.getRuntime().availableProcessors();
      System.setProperty(PARALLELISM, Integer.toString(Math.max(2, cpus - 1)));
    }
  }
}

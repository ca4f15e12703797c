package dev.metacluster.cli.bench;

import java.io.PrintWriter;
import java.util.List;

/**
 * One way of running the benchmark ({@code --mode}): against the engine in-process, against a local
 * server, through a failover, ... Each mode is one class implementing this.
 */
public interface BenchMode {
  /** The value of {@code --mode}, also written to every result. */
  String name();

  /**
   * Runs the benchmark and returns one result per op (or one "fill" result in fill mode).
   *
   * @param progress where to say what is happening (phases, progress of long phases)
   * @throws Exception when the benchmark itself cannot run (the store does not open, inputs cannot
   *     be prepared); failures of individual timed ops are counted in the results instead
   */
  List<BenchResult> run(BenchOptions options, PrintWriter progress) throws Exception;
}

package dev.metacluster.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.junit.jupiter.api.Test;

class ParallelRunnerTest {
  @Test
  void runsEveryIndexOnceAndCountsFailures() throws Exception {
    ConcurrentMap<Long, String> seen = new ConcurrentHashMap<>();
    ParallelRunner.Phase phase;
    try (ParallelRunner runner = new ParallelRunner(3, new PrintWriter(new StringWriter()))) {
      phase =
          runner.run(
              "test",
              100,
              i -> i,
              i -> {
                assertThat(seen.put(i, Thread.currentThread().getName())).isNull();
                if (i % 10 == 3) {
                  throw new IllegalArgumentException("no " + i);
                }
              });
    }

    assertThat(seen).hasSize(100);
    assertThat(phase.latencies().ops()).isEqualTo(100);
    assertThat(phase.latencies().errors()).isEqualTo(10);
    assertThat(phase.latencies().firstError()).contains("IllegalArgumentException", "no ");
    // contiguous blocks: the first and the last index ran on different threads
    assertThat(seen.get(0L)).isNotEqualTo(seen.get(99L));
  }

  @Test
  void moreThreadsThanOpsIsFine() throws Exception {
    try (ParallelRunner runner = new ParallelRunner(8, new PrintWriter(new StringWriter()))) {
      ParallelRunner.Phase phase = runner.run("test", 3, i -> i, i -> {});
      assertThat(phase.latencies().ops()).isEqualTo(3);
      assertThat(phase.latencies().errors()).isZero();
    }
  }
}

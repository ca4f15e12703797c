package dev.metacluster.master.namespace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Many threads doing random operations on overlapping subtrees of a small tree, so renames of
 * directories across each other, recursive deletes and creates collide all the time. They must all
 * finish (a hang is reported with a thread dump) and leave a sound tree.
 */
class NamespaceConcurrencyIT {
  private static final int THREADS = 8;
  private static final long RUN_MILLIS = 4_000;
  private static final long OPS_PER_THREAD = 200_000;
  private static final String[] NAMES = {"a", "b", "c", "d"};

  @TempDir Path dir;

  @Test
  void randomOperationsOnOverlappingSubtreesFinishAndKeepTheTreeSound() throws Exception {
    long seed = System.nanoTime();
    AtomicLong succeeded = new AtomicLong();
    AtomicLong refused = new AtomicLong();
    ConcurrentLinkedQueue<Throwable> unexpected = new ConcurrentLinkedQueue<>();
    try (LocalNamespace ns =
        new LocalNamespace(
            NamespaceTestSupport.openStore(dir, 64), NamespaceTestSupport.FIXED_CLOCK)) {
      ExecutorService pool = Executors.newFixedThreadPool(THREADS);
      long deadline = System.currentTimeMillis() + RUN_MILLIS;
      for (int t = 0; t < THREADS; t++) {
        Random random = new Random(seed + t);
        pool.execute(
            () -> {
              for (long i = 0; i < OPS_PER_THREAD && System.currentTimeMillis() < deadline; i++) {
                try {
                  randomOperation(ns, random);
                  succeeded.incrementAndGet();
                } catch (NamespaceException e) {
                  refused.incrementAndGet();
                } catch (Throwable e) {
                  unexpected.add(e);
                  return;
                }
              }
            });
      }
      pool.shutdown();
      if (!pool.awaitTermination(RUN_MILLIS + 60_000, TimeUnit.MILLISECONDS)) {
        String dump = threadDump();
        pool.shutdownNow();
        fail("operations did not finish (seed " + seed + "): deadlock?\n" + dump);
      }
      assertThat(unexpected).as("unexpected failures, seed %d", seed).isEmpty();
      assertThat(succeeded.get()).as("operations that succeeded").isGreaterThan(1000);
      assertThat(refused.get()).as("operations refused (collisions happened)").isPositive();
      assertThat(ns.namespace().pooledLocks()).as("locks left in the pool").isZero();
      assertThat(NamespaceTree.verify(ns.namespace().store())).as("seed %d", seed).isEmpty();
    }
    try (LocalNamespace reopened = NamespaceTestSupport.open(dir)) {
      assertThat(NamespaceTree.verify(reopened.namespace().store())).isEmpty();
    }
  }

  private static void randomOperation(LocalNamespace ns, Random random) throws NamespaceException {
    String path = randomPath(random);
    switch (random.nextInt(10)) {
      case 0 -> ns.execute(Commands.mkdir(path, random.nextBoolean(), "u"));
      case 1 -> ns.execute(Commands.createFile(path, random.nextBoolean(), "u"));
      case 2 -> ns.execute(Commands.rename(path, randomPath(random)));
      case 3 -> ns.execute(Commands.delete(path, random.nextInt(4) == 0));
      case 4 -> ns.execute(Commands.setMode(path, random.nextInt(01000)));
      case 5 -> ns.execute(Commands.complete(path, random.nextInt(1000)));
      case 6 -> ns.namespace().listStatus(path, "", 1 + random.nextInt(3));
      case 7 -> ns.namespace().exists(path);
      default -> ns.namespace().getStatus(path);
    }
  }

  private static String randomPath(Random random) {
    int depth = 1 + random.nextInt(4);
    StringBuilder path = new StringBuilder();
    for (int i = 0; i < depth; i++) {
      path.append('/').append(NAMES[random.nextInt(NAMES.length)]);
    }
    return path.toString();
  }

  private static String threadDump() {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    List<String> lines = new ArrayList<>();
    long[] deadlocked = threads.findDeadlockedThreads();
    lines.add("deadlocked thread ids: " + (deadlocked == null ? "none" : deadlocked.length));
    for (ThreadInfo info : threads.dumpAllThreads(true, true)) {
      lines.add(info.toString());
    }
    return String.join("\n", lines);
  }
}

package dev.metacluster.master.journal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LeaderChangesTest {
  private final ExecutorService resumeOn =
      Executors.newSingleThreadExecutor(r -> new Thread(r, "resume"));
  private final LeaderChanges changes = new LeaderChanges(resumeOn);

  @AfterEach
  void stop() {
    resumeOn.shutdownNow();
  }

  @Test
  void anEventAfterTheFutureWasTakenEndsTheWait() throws Exception {
    CompletableFuture<Void> event = changes.next();
    changes.changed(); // before the caller even starts to wait: not missed
    changes.await(event, TimeUnit.SECONDS.toNanos(30)).get(5, TimeUnit.SECONDS);
    assertThat(changes.next()).as("a fresh future for the next event").isNotDone();
  }

  @Test
  void aWaitResumesOnTheExecutorNotOnTheThreadThatSignalled() throws Exception {
    CompletableFuture<Void> event = changes.next();
    AtomicReference<String> resumedOn = new AtomicReference<>();
    CompletableFuture<Void> waited =
        changes
            .await(event, TimeUnit.SECONDS.toNanos(30))
            .thenRun(() -> resumedOn.set(Thread.currentThread().getName()));
    changes.changed();
    waited.get(5, TimeUnit.SECONDS);
    assertThat(resumedOn.get()).isEqualTo("resume");
  }

  @Test
  void aWaitWithoutAnEventEndsAtItsTimeoutAndLeavesTheSharedFutureAlone() throws Exception {
    CompletableFuture<Void> event = changes.next();
    changes.await(event, TimeUnit.MILLISECONDS.toNanos(10)).get(5, TimeUnit.SECONDS);
    assertThat(event).as("other waiters still wait for the real event").isNotDone();
    assertThat(changes.next()).isSameAs(event);
  }
}

package dev.metacluster.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.metacluster.operator.crd.StorageSpec;
import dev.metacluster.operator.testing.DayTwoHarness;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * spec.storage.deletionPolicy through the operator's finalizer: deleting a MetadataCluster deletes
 * its volume claims with Delete and keeps them with Retain (the default); either way the
 * MetadataCluster then goes. The API stand-in has no garbage collector and no kubelet runs here, so
 * only the operator can have deleted a claim.
 */
class DeletionPolicyIT {
  static DayTwoHarness h;

  @BeforeAll
  static void start() {
    h = new DayTwoHarness().startOperator();
    h.runningCluster(
        "delete-policy",
        m -> m.getSpec().storage.deletionPolicy = StorageSpec.DeletionPolicy.Delete,
        pod -> {});
    h.runningCluster("retain-policy", m -> {}, pod -> {});
    h.stopKubelets();
  }

  @AfterAll
  static void stop() {
    if (h != null) {
      h.close();
    }
  }

  @Test
  void deleteRemovesTheVolumeClaimsWithTheCluster() {
    String ns = "delete-policy";
    assertThat(h.get(ns).getMetadata().getFinalizers())
        .containsExactly("metadataclusters.metacluster.dev/finalizer");
    assertThat(h.claims(ns)).hasSize(6);
    h.client.resource(h.get(ns)).delete();
    await()
        .atMost(DayTwoHarness.WAIT)
        .untilAsserted(
            () -> {
              assertThat(h.get(ns)).isNull();
              assertThat(h.claims(ns)).isEmpty();
            });
  }

  @Test
  void retainKeepsThemByDefault() {
    String ns = "retain-policy";
    assertThat(h.get(ns).getMetadata().getFinalizers())
        .containsExactly("metadataclusters.metacluster.dev/finalizer");
    var before = h.claims(ns);
    assertThat(before).hasSize(6);
    h.client.resource(h.get(ns)).delete();
    await().atMost(DayTwoHarness.WAIT).until(() -> h.get(ns) == null);
    await()
        .during(Duration.ofSeconds(1))
        .atMost(Duration.ofSeconds(5))
        .until(() -> h.claims(ns).equals(before));
  }
}

package dev.metacluster.operator.status;

import static org.assertj.core.api.Assertions.assertThat;

import dev.metacluster.operator.crd.MetadataCluster;
import dev.metacluster.operator.model.StatefulSetModel;
import dev.metacluster.operator.testing.Examples;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import org.junit.jupiter.api.Test;

class SpecValidatorTest {
  private final MetadataCluster mdc = Examples.example("production", "ns");

  @Test
  void theExamplesAreValid() {
    assertThat(SpecValidator.validate(mdc, null)).isEmpty();
    assertThat(SpecValidator.validate(Examples.example("minimal", "ns"), null)).isEmpty();
  }

  @Test
  void evenReplicasAreRefusedAsTheCelRuleWould() {
    mdc.getSpec().replicas = 4;
    assertThat(SpecValidator.validate(mdc, null))
        .containsExactly("spec.replicas is 4; it must be 1, 3, 5 or 7");
  }

  @Test
  void heapMustFitUnderTheMemoryLimit() {
    mdc.getSpec().resources =
        new ResourceRequirementsBuilder().addToLimits("memory", new Quantity("2Gi")).build();
    mdc.getSpec().jvm.heap = "2g";
    assertThat(SpecValidator.validate(mdc, null))
        .singleElement()
        .asString()
        .contains("spec.jvm.heap 2g does not fit in the memory limit 2Gi");
  }

  @Test
  void electionTimeoutsBelowTheSchemaMinimumAreRefused() {
    mdc.getSpec().raft.electionTimeoutMinMillis = 10;
    assertThat(SpecValidator.validate(mdc, null))
        .singleElement()
        .asString()
        .contains("electionTimeoutMinMillis (10) must be at least 100");
  }

  @Test
  void snapshotAndPurgeSettingsBelowOneAreRefused() {
    mdc.getSpec().raft.snapshotThreshold = 0L;
    mdc.getSpec().raft.logPurgeGap = -5;
    assertThat(SpecValidator.validate(mdc, null))
        .containsExactly(
            "spec.raft.snapshotThreshold (0) must be at least 1",
            "spec.raft.logPurgeGap (-5) must be at least 1");
  }

  @Test
  void aNegativeReplacementBoundIsRefused() {
    mdc.getSpec().maxReplacementsPerHour = -1;
    assertThat(SpecValidator.validate(mdc, null))
        .containsExactly(
            "spec.maxReplacementsPerHour (-1) must be 0 (no automatic replacement) or more");
  }

  @Test
  void electionTimeoutsMustBeOrdered() {
    mdc.getSpec().raft.electionTimeoutMinMillis = 900;
    mdc.getSpec().raft.electionTimeoutMaxMillis = 900;
    assertThat(SpecValidator.validate(mdc, null))
        .singleElement()
        .asString()
        .contains("electionTimeoutMinMillis (900) must be below electionTimeoutMaxMillis (900)");
  }

  @Test
  void storageAndSizeAreFixedOnceTheStatefulSetExists() {
    StatefulSet existing = StatefulSetModel.desired(mdc);
    assertThat(SpecValidator.validate(mdc, existing)).isEmpty();
    mdc.getSpec().storage.journal.storageClassName = "slow";
    mdc.getSpec().storage.metastore.size = "200Gi";
    assertThat(SpecValidator.validate(mdc, existing))
        .anyMatch(p -> p.contains("spec.storage.journal.storageClassName cannot change"))
        .anyMatch(p -> p.contains("spec.storage.metastore.size cannot change from 100Gi to 200Gi"));
  }

  @Test
  void aSizeChangeIsNoProblem() {
    // scaling is the planner's business (Raft membership changes, one member at a time)
    StatefulSet existing = StatefulSetModel.desired(mdc);
    mdc.getSpec().replicas = 3;
    assertThat(SpecValidator.validate(mdc, existing)).isEmpty();
  }
}

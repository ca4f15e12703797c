package dev.metacluster.operator.plan;

import static org.assertj.core.api.Assertions.assertThat;

import dev.metacluster.operator.plan.PlannerTest.World;
import org.junit.jupiter.api.Test;

/** An upgrade backs up first when the cluster has a backup target (spec.backup.beforeUpgrade). */
class PlannerBackupTest {
  static final String NAME = "meta-pre-new";

  static Plan plan(World w, BackupView backup) {
    ClusterView v = w.view();
    return Planner.decide(
        new ClusterView(
            v.name(),
            v.specReplicas(),
            v.stsReplicas(),
            v.updateRevision(),
            v.pods(),
            v.claimOrdinals(),
            v.observation(),
            v.inFlight(),
            v.groupFormed(),
            v.maxLag(),
            v.replacementsLastHour(),
            v.maxReplacementsPerHour(),
            backup,
            v.recordedStoreIds()));
  }

  @Test
  void theFirstStepOfAnUpgradeIsTheBackupWithItsIntentInStatus() {
    World w = new World(3, 3, 3).outdated(0, 1, 2);
    Plan p = plan(w, new BackupView(NAME, null, null));
    assertThat(p.step()).isEqualTo(new Step.Backup(NAME));
    assertThat(p.reason()).isEqualTo(Planner.BACKING_UP);
    assertThat(p.operation().type).isEqualTo("Upgrade");
    assertThat(p.operation().step).contains("taking backup " + NAME);
  }

  @Test
  void noRestartUntilTheBackupSucceededThenFollowersFirst() {
    World w = new World(3, 3, 3).outdated(0, 1, 2);
    w.op = plan(w, new BackupView(NAME, null, null)).operation();
    for (String phase : new String[] {"Pending", "Running"}) {
      Plan waiting = plan(w, new BackupView(NAME, phase, null));
      assertThat(waiting.step()).isEqualTo(Step.NONE);
      assertThat(waiting.reason()).isEqualTo(Planner.BACKING_UP);
      assertThat(waiting.message()).contains("waiting for backup " + NAME + " (" + phase + ")");
    }
    Plan go = plan(w, new BackupView(NAME, "Succeeded", null));
    assertThat(go.step()).isEqualTo(new Step.RestartPod("meta-2"));
    assertThat(go.reason()).isEqualTo(Planner.UPGRADING);
    // the succeeded backup is not taken again once members run the new revision
    w.pods.put(2, new PodView(2, PlannerTest.REV, true, false));
    assertThat(plan(w, new BackupView(NAME, "Succeeded", null)).step())
        .isEqualTo(new Step.RestartPod("meta-1"));
  }

  @Test
  void aFailedBackupStopsTheRolloutAndSaysHowToGoOn() {
    World w = new World(3, 3, 3).outdated(0, 1, 2);
    Plan p = plan(w, new BackupView(NAME, "Failed", "no leader"));
    assertThat(p.step()).isEqualTo(Step.NONE);
    assertThat(p.reason()).isEqualTo(Planner.BACKING_UP);
    assertThat(p.message())
        .contains("backup " + NAME + " failed (no leader)")
        .contains("spec.backup.beforeUpgrade=false");
  }

  @Test
  void withoutABackupWantedTheUpgradeRestartsAtOnce() {
    World w = new World(3, 3, 3).outdated(0, 1, 2);
    assertThat(plan(w, null).step()).isEqualTo(new Step.RestartPod("meta-2"));
  }

  @Test
  void aMemberAlreadyDownIsRestartedBeforeTheBackupAndNoBackupWithoutQuorum() {
    World w = new World(3, 3, 3).outdated(0, 1, 2).notReady(2);
    w.down.add("meta-2");
    assertThat(plan(w, new BackupView(NAME, null, null)).step())
        .isEqualTo(new Step.RestartPod("meta-2"));

    World lost = new World(3, 3, 3).outdated(0, 1, 2);
    lost.down.add("meta-1");
    lost.down.add("meta-2");
    Plan p = plan(lost, new BackupView(NAME, null, null));
    assertThat(p.step()).isNotEqualTo(new Step.Backup(NAME));
  }

  @Test
  void aSteadyClusterTakesNoBackup() {
    assertThat(plan(new World(3, 3, 3), new BackupView(NAME, null, null)).step())
        .isEqualTo(Step.NONE);
  }
}

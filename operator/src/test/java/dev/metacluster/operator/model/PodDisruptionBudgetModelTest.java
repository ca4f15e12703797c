package dev.metacluster.operator.model;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PodDisruptionBudgetModelTest {
  @Test
  void drainsNeverTakeAMajority() {
    assertThat(PodDisruptionBudgetModel.maxUnavailable(1)).isZero();
    assertThat(PodDisruptionBudgetModel.maxUnavailable(3)).isEqualTo(1);
    assertThat(PodDisruptionBudgetModel.maxUnavailable(5)).isEqualTo(2);
    assertThat(PodDisruptionBudgetModel.maxUnavailable(7)).isEqualTo(3);
  }
}

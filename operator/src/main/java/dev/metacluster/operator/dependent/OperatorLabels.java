package dev.metacluster.operator.dependent;

import dev.metacluster.operator.model.Names;

/** Label selectors of the operator's informers: only objects the operator created. */
public final class OperatorLabels {
  public static final String MANAGED_SELECTOR = Names.LABEL_MANAGED_BY + "=" + Names.MANAGER;

  private OperatorLabels() {}
}

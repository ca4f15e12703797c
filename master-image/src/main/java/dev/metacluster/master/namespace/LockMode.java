package dev.metacluster.master.namespace;

/** Shared or exclusive. */
public enum LockMode {
  READ,
  WRITE;

  LockMode max(LockMode other) {
    return this == WRITE || other == WRITE ? WRITE : READ;
  }
}

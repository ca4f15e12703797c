package dev.metacluster.operator.plan;

/**
 * The backup an upgrade takes before its first restart, as the API server shows it.
 *
 * @param name the MetadataBackup's name (one per StatefulSet revision)
 * @param phase Pending, Running, Succeeded or Failed; null while it does not exist
 * @param message why it failed, null otherwise
 */
public record BackupView(String name, String phase, String message) {
  public static final String SUCCEEDED = "Succeeded";
  public static final String FAILED = "Failed";

  public boolean exists() {
    return phase != null;
  }

  public boolean succeeded() {
    return SUCCEEDED.equals(phase);
  }

  public boolean failed() {
    return FAILED.equals(phase);
  }
}

package dev.metacluster.master.store;

/**
 * The data on this member's volume cannot be used by it, whatever the image or the configuration:
 * it is corrupt, or it belongs to another cluster. Only new volumes bring the member back (the
 * operator replaces it; docs/OPERATIONS.md).
 */
public class UnusableStoreException extends StoreException {
  public UnusableStoreException(String message, Throwable cause) {
    super(message, cause);
  }

  public UnusableStoreException(String message) {
    super(message);
  }
}

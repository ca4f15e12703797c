package dev.metacluster.master.store;

/** The metastore failed (I/O, corruption, mismatched layout). Not a namespace error. */
public class StoreException extends RuntimeException {
  public StoreException(String message, Throwable cause) {
    super(message, cause);
  }

  public StoreException(String message) {
    super(message);
  }
}

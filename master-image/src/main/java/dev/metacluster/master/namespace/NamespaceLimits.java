package dev.metacluster.master.namespace;

/** The fixed bounds of the namespace; requests beyond them are refused with a clear error. */
public final class NamespaceLimits {
  /** Longest name (one path component), in UTF-8 bytes, as in POSIX NAME_MAX. */
  public static final int MAX_NAME_BYTES = 255;

  /** Longest path, in UTF-8 bytes, as in POSIX PATH_MAX. */
  public static final int MAX_PATH_BYTES = 4096;

  /** Deepest path, in components. */
  public static final int MAX_DEPTH = 1024;

  /** Most entries in one listing page. */
  public static final int MAX_LIST_LIMIT = 10_000;

  /** Extended attributes per inode. */
  public static final int MAX_XATTRS = 32;

  /** Bytes of one extended attribute value. */
  public static final int MAX_XATTR_VALUE_BYTES = 16 * 1024;

  /** Bytes of all extended attribute names and values of one inode together. */
  public static final int MAX_XATTR_TOTAL_BYTES = 32 * 1024;

  /** Largest permission bits value (setuid, setgid, sticky and rwx for three classes). */
  public static final int MAX_MODE = 07777;

  private NamespaceLimits() {}
}

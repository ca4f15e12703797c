package dev.metacluster.master.namespace;

import static dev.metacluster.master.namespace.NamespaceLimits.MAX_MODE;
import static dev.metacluster.master.namespace.NamespaceLimits.MAX_XATTR_VALUE_BYTES;

import dev.metacluster.master.proto.ErrorCode;
import java.util.Map;

/**
 * Checks the arguments of a command that do not depend on the namespace's state. Run before any
 * lock is taken, so a malformed command is refused the same way on every replica.
 */
final class CommandValidator {
  private CommandValidator() {}

  static void checkMode(int mode) throws NamespaceException {
    if (mode < 0 || mode > MAX_MODE) {
      throw invalid("mode " + Integer.toOctalString(mode) + " is out of range 0..7777 (octal)");
    }
  }

  static void checkPrincipal(String what, String name) throws NamespaceException {
    if (name.isEmpty()) {
      throw invalid(what + " is empty");
    }
    try {
      NamespacePath.checkName(name, ErrorCode.INVALID_ARGUMENT);
    } catch (NamespaceException e) {
      throw invalid(what + ": " + e.getMessage());
    }
  }

  static void checkTtl(long ttlMs) throws NamespaceException {
    if (ttlMs < 0) {
      throw invalid("ttl " + ttlMs + " ms is negative (0 means no TTL)");
    }
  }

  static void checkBlockSize(long blockSize) throws NamespaceException {
    if (blockSize <= 0) {
      throw invalid("block size " + blockSize + " must be positive");
    }
  }

  static void checkLength(long length) throws NamespaceException {
    if (length < 0) {
      throw invalid("length " + length + " is negative");
    }
  }

  static void checkXattrs(Map<String, com.google.protobuf.ByteString> set, Iterable<String> remove)
      throws NamespaceException {
    for (Map.Entry<String, com.google.protobuf.ByteString> e : set.entrySet()) {
      checkXattrName(e.getKey());
      if (e.getValue().size() > MAX_XATTR_VALUE_BYTES) {
        throw new NamespaceException(
            ErrorCode.LIMIT_EXCEEDED,
            "extended attribute '"
                + NamespacePath.abbreviate(e.getKey())
                + "' value is "
                + e.getValue().size()
                + " bytes, the limit is "
                + MAX_XATTR_VALUE_BYTES);
      }
    }
    for (String name : remove) {
      checkXattrName(name);
    }
  }

  private static void checkXattrName(String name) throws NamespaceException {
    try {
      NamespacePath.checkName(name, ErrorCode.INVALID_ARGUMENT);
    } catch (NamespaceException e) {
      throw invalid("extended attribute " + e.getMessage());
    }
  }

  static NamespaceException invalid(String message) {
    return new NamespaceException(ErrorCode.INVALID_ARGUMENT, message);
  }
}

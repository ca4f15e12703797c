package dev.metacluster.master.namespace;

import static dev.metacluster.master.namespace.NamespaceLimits.MAX_DEPTH;
import static dev.metacluster.master.namespace.NamespaceLimits.MAX_NAME_BYTES;
import static dev.metacluster.master.namespace.NamespaceLimits.MAX_PATH_BYTES;

import dev.metacluster.master.proto.ErrorCode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A validated absolute, normalized path: "/" or "/name(/name)*" with no empty, "." or ".."
 * components. Parsing is the only way to make one, so holding one means the syntax is right.
 */
public final class NamespacePath {
  public static final NamespacePath ROOT = new NamespacePath("/", new String[0]);

  private final String path;
  private final String[] components;

  private NamespacePath(String path, String[] components) {
    this.path = path;
    this.components = components;
  }

  public static NamespacePath parse(String path) throws NamespaceException {
    if (path == null || path.isEmpty()) {
      throw invalid("path is empty");
    }
    if (path.charAt(0) != '/') {
      throw invalid("path '" + abbreviate(path) + "' is not absolute: it must start with '/'");
    }
    if (path.length() == 1) {
      return ROOT;
    }
    if (path.length() > MAX_PATH_BYTES) {
      throw invalid("path is " + path.length() + " characters long, the limit is " + limitText());
    }
    List<String> parts = new ArrayList<>();
    int pathBytes = 1;
    int start = 1;
    while (start <= path.length()) {
      int end = path.indexOf('/', start);
      if (end < 0) {
        end = path.length();
      }
      String name = path.substring(start, end);
      if (name.isEmpty()) {
        throw invalid(
            "path '"
                + abbreviate(path)
                + "' is not normalized: "
                + (end == path.length() ? "it ends with '/'" : "it contains '//'"));
      }
      if (name.equals(".") || name.equals("..")) {
        throw invalid(
            "path '" + abbreviate(path) + "' is not normalized: it contains '" + name + "'");
      }
      pathBytes += checkName(name, ErrorCode.INVALID_PATH) + 1;
      parts.add(name);
      if (parts.size() > MAX_DEPTH) {
        throw invalid("path is deeper than " + MAX_DEPTH + " levels");
      }
      start = end + 1;
    }
    pathBytes--; // no '/' after the last name
    if (pathBytes > MAX_PATH_BYTES) {
      throw invalid("path is " + pathBytes + " UTF-8 bytes long, the limit is " + limitText());
    }
    return new NamespacePath(path, parts.toArray(new String[0]));
  }

  /**
   * Checks one name (a path component, a listing cursor) and returns its UTF-8 length: not empty,
   * at most {@link NamespaceLimits#MAX_NAME_BYTES} bytes, no '/', no NUL, valid UTF-16.
   */
  public static int checkName(String name, ErrorCode code) throws NamespaceException {
    if (name.isEmpty()) {
      throw new NamespaceException(code, "name is empty");
    }
    int bytes = 0;
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c == '/') {
        throw new NamespaceException(code, "name '" + abbreviate(name) + "' contains '/'");
      }
      if (c == 0) {
        throw new NamespaceException(code, "name '" + abbreviate(name) + "' contains NUL");
      }
      if (c < 0x80) {
        bytes += 1;
      } else if (c < 0x800) {
        bytes += 2;
      } else if (Character.isHighSurrogate(c)
          && i + 1 < name.length()
          && Character.isLowSurrogate(name.charAt(i + 1))) {
        bytes += 4;
        i++;
      } else if (Character.isSurrogate(c)) {
        throw new NamespaceException(code, "name contains an unpaired surrogate (not valid UTF-8)");
      } else {
        bytes += 3;
      }
    }
    if (bytes > MAX_NAME_BYTES) {
      throw new NamespaceException(
          code,
          "name '"
              + abbreviate(name)
              + "' is "
              + bytes
              + " UTF-8 bytes long, the limit is "
              + MAX_NAME_BYTES);
    }
    return bytes;
  }

  private static String limitText() {
    return MAX_PATH_BYTES + " bytes";
  }

  private static NamespaceException invalid(String message) {
    return new NamespaceException(ErrorCode.INVALID_PATH, message);
  }

  static String abbreviate(String text) {
    return text.length() <= 80 ? text : text.substring(0, 77) + "...";
  }

  public boolean isRoot() {
    return components.length == 0;
  }

  /** Number of components; 0 for the root. */
  public int depth() {
    return components.length;
  }

  /** The component at {@code index} (0-based: the child of the root is 0). */
  public String component(int index) {
    return components[index];
  }

  /** The last component; "" for the root. */
  public String name() {
    return isRoot() ? "" : components[components.length - 1];
  }

  /** The first {@code depth} components as a path. */
  public NamespacePath prefix(int depth) {
    if (depth == components.length) {
      return this;
    }
    if (depth == 0) {
      return ROOT;
    }
    String[] parts = Arrays.copyOf(components, depth);
    return new NamespacePath("/" + String.join("/", parts), parts);
  }

  public NamespacePath parent() {
    return prefix(Math.max(0, components.length - 1));
  }

  /** True if {@code other} lies strictly below this path. */
  public boolean isStrictAncestorOf(NamespacePath other) {
    if (other.components.length <= components.length) {
      return false;
    }
    for (int i = 0; i < components.length; i++) {
      if (!components[i].equals(other.components[i])) {
        return false;
      }
    }
    return true;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof NamespacePath other && path.equals(other.path);
  }

  @Override
  public int hashCode() {
    return path.hashCode();
  }

  @Override
  public String toString() {
    return path;
  }
}

package dev.metacluster.master.namespace;

import dev.metacluster.master.proto.Inode;

/**
 * How far a path resolved under its locks: the inodes of its existing prefix, and why resolution
 * stopped if it did not reach the end (a missing name, or a file where a directory was needed).
 */
final class ResolvedPath {
  private final NamespacePath path;
  private final Inode[] inodes;
  private int depth = -1;

  ResolvedPath(NamespacePath path) {
    this.path = path;
    this.inodes = new Inode[path.depth() + 1];
  }

  void set(int depth, Inode inode) {
    inodes[depth] = inode;
    this.depth = depth;
  }

  NamespacePath path() {
    return path;
  }

  /** The deepest depth that resolved (0 = only the root). */
  int depth() {
    return depth;
  }

  boolean exists() {
    return depth == path.depth();
  }

  /** True if resolution stopped at a file that has more components below it. */
  boolean blockedByFile() {
    return depth < path.depth() && !inodes[depth].getDirectory();
  }

  Inode inode(int depth) {
    return inodes[depth];
  }

  Inode leaf() {
    return inodes[path.depth()];
  }

  Inode parent() {
    return inodes[path.depth() - 1];
  }

  /**
   * Throws the error a caller gets when the path does not exist: NOT_A_DIRECTORY if a file stands
   * in the way, else NOT_FOUND naming the first missing component.
   */
  NamespaceException missing() {
    return missingBelow(path.depth());
  }

  /** Like {@link #missing()} but for the prefix of the path down to {@code targetDepth}. */
  NamespaceException missingBelow(int targetDepth) {
    if (depth < targetDepth && !inodes[depth].getDirectory()) {
      return new NamespaceException(
          dev.metacluster.master.proto.ErrorCode.NOT_A_DIRECTORY,
          path.prefix(depth) + " is a file, not a directory (resolving " + path + ")");
    }
    NamespacePath firstMissing = path.prefix(depth + 1);
    String what = firstMissing.depth() == path.depth() ? path.toString() : firstMissing.toString();
    String message =
        firstMissing.depth() == path.depth()
            ? what + " does not exist"
            : what + " does not exist (resolving " + path + ")";
    return new NamespaceException(dev.metacluster.master.proto.ErrorCode.NOT_FOUND, message);
  }
}

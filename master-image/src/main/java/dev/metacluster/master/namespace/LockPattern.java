package dev.metacluster.master.namespace;

/**
 * Which locks an operation takes along one path of n components. Positions are inode 0 (the root),
 * edge 1, inode 1, ..., edge n, inode n; everything not named below is read-locked.
 */
enum LockPattern {
  /** Reads: getStatus, listStatus, exists. */
  READ,
  /** Changes the last inode only: completeFile, setAttribute. */
  WRITE_INODE,
  /** Adds the last edge: create, the destination of rename. Writes the parent (child count). */
  WRITE_EDGE,
  /** Removes the last edge and its inode: delete, the source of rename. */
  WRITE_EDGE_AND_INODE;

  LockMode inodeMode(int depth, int n) {
    boolean write =
        switch (this) {
          case READ -> false;
          case WRITE_INODE -> depth == n;
          case WRITE_EDGE -> depth == n - 1;
          case WRITE_EDGE_AND_INODE -> depth >= n - 1;
        };
    return write ? LockMode.WRITE : LockMode.READ;
  }

  LockMode edgeMode(int depth, int n) {
    boolean write = (this == WRITE_EDGE || this == WRITE_EDGE_AND_INODE) && depth == n;
    return write ? LockMode.WRITE : LockMode.READ;
  }
}

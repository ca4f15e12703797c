package dev.metacluster.master.namespace;

import dev.metacluster.master.proto.Inode;
import dev.metacluster.master.store.EdgeKey;
import dev.metacluster.master.store.InodeStore;
import dev.metacluster.master.store.StoreException;
import java.util.List;

/**
 * Resolves paths while taking their inode and edge locks, top-down.
 *
 * <p>Deadlock freedom: every operation acquires locks in one global order, the pre-order of the
 * tree with siblings sorted by {@link NameOrder} (a parent before its edges, an edge before the
 * inode it leads to, a smaller name's subtree before a larger one's). One path is locked root to
 * leaf, which is that order. Two paths (rename) share their common prefix, locked once with the
 * stronger mode, then the branch whose first differing name is smaller, then the other. Locks are
 * never upgraded: each position is locked once, in the mode the pattern asks for.
 */
final class PathLocker {
  private final InodeStore store;
  private final LockPool<Object> pool = new LockPool<>();

  PathLocker(InodeStore store) {
    this.store = store;
  }

  /** The locks and resolution of one or two paths; closing releases the locks. */
  static final class LockedPaths implements AutoCloseable {
    private final HeldLocks held;
    private final ResolvedPath first;
    private final ResolvedPath second;

    private LockedPaths(LockPool<?> pool, ResolvedPath first, ResolvedPath second) {
      this.held = new HeldLocks(pool);
      this.first = first;
      this.second = second;
    }

    ResolvedPath first() {
      return first;
    }

    ResolvedPath second() {
      return second;
    }

    @Override
    public void close() {
      held.close();
    }
  }

  private record Request(ResolvedPath resolved, LockPattern pattern) {}

  LockedPaths lock(NamespacePath path, LockPattern pattern) {
    LockedPaths locked = new LockedPaths(pool, new ResolvedPath(path), null);
    try {
      walk(locked.held, List.of(new Request(locked.first, pattern)), 0, path.depth());
    } catch (RuntimeException | Error e) {
      locked.close();
      throw e;
    }
    return locked;
  }

  LockedPaths lock(NamespacePath a, LockPattern pa, NamespacePath b, LockPattern pb) {
    LockedPaths locked = new LockedPaths(pool, new ResolvedPath(a), new ResolvedPath(b));
    try {
      Request ra = new Request(locked.first, pa);
      Request rb = new Request(locked.second, pb);
      int common = 0;
      while (common < a.depth()
          && common < b.depth()
          && a.component(common).equals(b.component(common))) {
        common++;
      }
      if (walk(locked.held, List.of(ra, rb), 0, common)) {
        boolean aFirst =
            common < a.depth()
                && (common == b.depth()
                    || NameOrder.compare(a.component(common), b.component(common)) < 0);
        Request first = aFirst ? ra : rb;
        Request second = aFirst ? rb : ra;
        walk(locked.held, List.of(first), common + 1, first.resolved.path().depth());
        walk(locked.held, List.of(second), common + 1, second.resolved.path().depth());
      }
    } catch (RuntimeException | Error e) {
      locked.close();
      throw e;
    }
    return locked;
  }

  /**
   * Locks and resolves depths {@code from..to} for requests that share those components. Returns
   * false when resolution stopped early (a missing name or a file in the way).
   */
  private boolean walk(HeldLocks held, List<Request> group, int from, int to) {
    NamespacePath path = group.get(0).resolved.path();
    for (int depth = from; depth <= to; depth++) {
      long id;
      if (depth == 0) {
        id = Namespace.ROOT_ID;
      } else {
        Inode parent = group.get(0).resolved.inode(depth - 1);
        if (!parent.getDirectory()) {
          return false;
        }
        EdgeKey edge = new EdgeKey(parent.getId(), path.component(depth - 1));
        LockMode edgeMode = LockMode.READ;
        for (Request r : group) {
          edgeMode = edgeMode.max(r.pattern.edgeMode(depth, r.resolved.path().depth()));
        }
        held.add(pool.acquire(edge, edgeMode));
        id = store.getChildId(edge.parentId(), edge.name());
        if (id == InodeStore.NO_INODE) {
          return false;
        }
      }
      LockMode inodeMode = LockMode.READ;
      for (Request r : group) {
        inodeMode = inodeMode.max(r.pattern.inodeMode(depth, r.resolved.path().depth()));
      }
      held.add(pool.acquire(id, inodeMode));
      Inode inode = store.getInode(id);
      if (inode == null) {
        throw new StoreException("edge " + path.prefix(depth) + " points to missing inode " + id);
      }
      for (Request r : group) {
        r.resolved.set(depth, inode);
      }
    }
    return true;
  }

  /** Locks currently pooled: held or waited on. */
  int pooledLocks() {
    return pool.size();
  }
}

package dev.metacluster.master.namespace;

import static dev.metacluster.master.namespace.NamespaceLimits.MAX_LIST_LIMIT;
import static dev.metacluster.master.namespace.NamespaceLimits.MAX_XATTRS;
import static dev.metacluster.master.namespace.NamespaceLimits.MAX_XATTR_TOTAL_BYTES;

import com.google.protobuf.ByteString;
import dev.metacluster.master.namespace.PathLocker.LockedPaths;
import dev.metacluster.master.proto.CommandResult;
import dev.metacluster.master.proto.CompleteFile;
import dev.metacluster.master.proto.CreateDirectory;
import dev.metacluster.master.proto.CreateFile;
import dev.metacluster.master.proto.Delete;
import dev.metacluster.master.proto.ErrorCode;
import dev.metacluster.master.proto.Inode;
import dev.metacluster.master.proto.NamespaceCommand;
import dev.metacluster.master.proto.Rename;
import dev.metacluster.master.proto.SetAttribute;
import dev.metacluster.master.store.Edge;
import dev.metacluster.master.store.InodeStore;
import dev.metacluster.master.store.StoreBatch;
import dev.metacluster.master.store.StoreException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/**
 * The inode tree: reads, and {@link #apply} of deterministic {@link NamespaceCommand}s, each turned
 * into one atomic {@link StoreBatch} that also records the applied index.
 *
 * <p>Thread-safe: operations on different subtrees run in parallel under the {@link PathLocker}'s
 * per-inode and per-edge locks; there is no lock over the whole tree. Every command is validated
 * again in apply, so applying a command that no longer fits the tree changes nothing and returns
 * the error, the same on every replica.
 */
public final class Namespace {
  public static final long ROOT_ID = 1;
  static final int PARENT_DIRECTORY_MODE = 0755;

  private final InodeStore store;
  private final PathLocker locker;
  private final AtomicLong nextInodeId;

  public Namespace(InodeStore store) {
    this.store = store;
    this.locker = new PathLocker(store);
    this.nextInodeId = new AtomicLong(Math.max(store.nextInodeId(), ROOT_ID + 1));
    if (store.getInode(ROOT_ID) == null) {
      // Identical on every replica: no clock, fixed owner, index 0.
      Inode root =
          Inode.newBuilder()
              .setId(ROOT_ID)
              .setDirectory(true)
              .setMode(PARENT_DIRECTORY_MODE)
              .setOwner("root")
              .setGroup("root")
              .build();
      store.commit(
          new StoreBatch(store.appliedTerm(), store.appliedIndex(), nextInodeId.get())
              .putInode(root));
    }
  }

  /** The store underneath (for verification and statistics). */
  public InodeStore store() {
    return store;
  }

  // ---- reads -------------------------------------------------------------------------------

  public Inode getStatus(String path) throws NamespaceException {
    NamespacePath p = NamespacePath.parse(path);
    try (LockedPaths locked = locker.lock(p, LockPattern.READ)) {
      ResolvedPath r = locked.first();
      if (!r.exists()) {
        throw r.missing();
      }
      return r.leaf();
    }
  }

  public boolean exists(String path) throws NamespaceException {
    NamespacePath p = NamespacePath.parse(path);
    try (LockedPaths locked = locker.lock(p, LockPattern.READ)) {
      return locked.first().exists();
    }
  }

  /**
   * Up to {@code limit} children of the directory at {@code path} whose names sort after {@code
   * startAfter} ("" for the first page).
   */
  public Listing listStatus(String path, String startAfter, int limit) throws NamespaceException {
    NamespacePath p = NamespacePath.parse(path);
    if (!startAfter.isEmpty()) {
      NamespacePath.checkName(startAfter, ErrorCode.INVALID_ARGUMENT);
    }
    if (limit < 1 || limit > MAX_LIST_LIMIT) {
      throw CommandValidator.invalid(
          "listing limit " + limit + " is out of range 1.." + MAX_LIST_LIMIT);
    }
    try (LockedPaths locked = locker.lock(p, LockPattern.READ)) {
      ResolvedPath r = locked.first();
      if (!r.exists()) {
        throw r.missing();
      }
      Inode dir = r.leaf();
      if (!dir.getDirectory()) {
        throw new NamespaceException(
            ErrorCode.NOT_A_DIRECTORY, path + " is a file; only directories can be listed");
      }
      List<Edge> edges = store.listChildren(dir.getId(), startAfter, limit + 1);
      boolean hasMore = edges.size() > limit;
      List<Inode> children = new ArrayList<>(Math.min(edges.size(), limit));
      for (int i = 0; i < edges.size() && i < limit; i++) {
        // No lock per child: our read lock on the directory keeps its entries fixed, and a child
        // record is read whole, without filling the cache (see CachingInodeStore).
        children.add(child(edges.get(i)));
      }
      return new Listing(children, hasMore);
    }
  }

  /**
   * How many entries lie below {@code path} at any depth, counting no further than {@code limit +
   * 1}: enough to tell whether a recursive delete would remove more than {@code limit}. 0 for a
   * file or a missing path. Locks only the path itself while resolving it, so the figure is an
   * estimate (the subtree may change meanwhile): it is for refusing oversized deletes before they
   * are journaled, never part of applying one. Stops early (with the count so far) once {@code
   * giveUp} says so.
   */
  public long countBelow(String path, long limit, BooleanSupplier giveUp)
      throws NamespaceException {
    NamespacePath p = NamespacePath.parse(path);
    Inode target;
    try (LockedPaths locked = locker.lock(p, LockPattern.READ)) {
      ResolvedPath r = locked.first();
      if (!r.exists()) {
        return 0;
      }
      target = r.leaf();
    }
    if (!target.getDirectory() || target.getChildCount() == 0) {
      return 0;
    }
    long[] counted = {0};
    walkBelow(target.getId(), edge -> !giveUp.getAsBoolean() && ++counted[0] <= limit);
    return counted[0];
  }

  private Inode child(Edge edge) {
    Inode child = store.peekInode(edge.childId());
    if (child == null) {
      throw new StoreException(
          "edge "
              + edge.parentId()
              + "/"
              + edge.name()
              + " points to missing inode "
              + edge.childId());
    }
    return child;
  }

  /**
   * Records that the journal has applied everything up to {@code term}/{@code index} (entries that
   * change nothing, like configuration changes, are not otherwise written). Called before a
   * snapshot so that the checkpoint carries exactly the snapshot's position.
   */
  public void recordAppliedPosition(long term, long index) {
    store.commit(new StoreBatch(term, index, nextInodeId.get()));
  }

  /** Locks currently pooled (held or waited on); bounded by operations in flight. */
  public int pooledLocks() {
    return locker.pooledLocks();
  }

  // ---- mutations ---------------------------------------------------------------------------

  /**
   * Applies a command as the journal entry at {@code term} and {@code index}: the changed or
   * created inode, or the error that refused it (in which case nothing changed).
   */
  public CommandResult apply(NamespaceCommand command, long term, long index) {
    try {
      return CommandResult.newBuilder().setInode(applyOrThrow(command, term, index)).build();
    } catch (NamespaceException e) {
      return CommandResult.newBuilder().setError(e.toProto()).build();
    }
  }

  /** Like {@link #apply} but throws the refusal. */
  public Inode applyOrThrow(NamespaceCommand command, long term, long index)
      throws NamespaceException {
    Entry at = new Entry(command.getTimeMs(), term, index);
    return switch (command.getOpCase()) {
      case CREATE_DIRECTORY -> createDirectory(command.getCreateDirectory(), at);
      case CREATE_FILE -> createFile(command.getCreateFile(), at);
      case COMPLETE_FILE -> completeFile(command.getCompleteFile(), at);
      case RENAME -> rename(command.getRename(), at);
      case DELETE -> delete(command.getDelete(), at);
      case SET_ATTRIBUTE -> setAttribute(command.getSetAttribute(), at);
      case OP_NOT_SET -> throw CommandValidator.invalid("command has no operation");
    };
  }

  /** The journal entry being applied: its fixed time and its log position. */
  private record Entry(long timeMs, long term, long index) {
    StoreBatch batch(long nextInodeId) {
      return new StoreBatch(term, index, nextInodeId);
    }
  }

  private Inode createDirectory(CreateDirectory c, Entry at) throws NamespaceException {
    NamespacePath path = NamespacePath.parse(c.getPath());
    CommandValidator.checkMode(c.getMode());
    CommandValidator.checkPrincipal("owner", c.getOwner());
    CommandValidator.checkPrincipal("group", c.getGroup());
    CommandValidator.checkTtl(c.getTtlMs());
    Inode template =
        Inode.newBuilder()
            .setDirectory(true)
            .setMode(c.getMode())
            .setOwner(c.getOwner())
            .setGroup(c.getGroup())
            .setCreationTimeMs(at.timeMs())
            .setModificationTimeMs(at.timeMs())
            .build();
    Inode leaf = template.toBuilder().setTtlMs(c.getTtlMs()).build();
    return create(path, c.getRecursive(), leaf, template, at);
  }

  private Inode createFile(CreateFile c, Entry at) throws NamespaceException {
    NamespacePath path = NamespacePath.parse(c.getPath());
    CommandValidator.checkMode(c.getMode());
    CommandValidator.checkPrincipal("owner", c.getOwner());
    CommandValidator.checkPrincipal("group", c.getGroup());
    CommandValidator.checkBlockSize(c.getBlockSize());
    CommandValidator.checkTtl(c.getTtlMs());
    Inode leaf =
        Inode.newBuilder()
            .setMode(c.getMode())
            .setOwner(c.getOwner())
            .setGroup(c.getGroup())
            .setCreationTimeMs(at.timeMs())
            .setModificationTimeMs(at.timeMs())
            .setBlockSize(c.getBlockSize())
            .setTtlMs(c.getTtlMs())
            .build();
    Inode parentTemplate =
        Inode.newBuilder()
            .setDirectory(true)
            .setMode(PARENT_DIRECTORY_MODE)
            .setOwner(c.getOwner())
            .setGroup(c.getGroup())
            .setCreationTimeMs(at.timeMs())
            .setModificationTimeMs(at.timeMs())
            .build();
    return create(path, c.getRecursive(), leaf, parentTemplate, at);
  }

  /**
   * Creates {@code leaf} at {@code path}, and with {@code recursive} the missing directories above
   * it from {@code parentTemplate}. Holds the write locks on the deepest existing directory and on
   * its edge for the first missing name: everything created below is invisible until commit.
   */
  private Inode create(
      NamespacePath path, boolean recursive, Inode leaf, Inode parentTemplate, Entry at)
      throws NamespaceException {
    if (path.isRoot()) {
      // Under the read lock like any read: getInode may fill the cache.
      try (LockedPaths locked = locker.lock(path, LockPattern.READ)) {
        return existing(path, locked.first().leaf(), recursive, leaf);
      }
    }
    NamespacePath target = path;
    while (true) {
      try (LockedPaths locked = locker.lock(target, LockPattern.WRITE_EDGE)) {
        ResolvedPath r = locked.first();
        if (r.blockedByFile()) {
          throw r.missingBelow(path.depth());
        }
        if (r.exists()) {
          if (target == path) {
            return existing(path, r.leaf(), recursive, leaf);
          }
          target = path; // someone created our missing ancestor meanwhile: lock deeper
          continue;
        }
        int missingDepth = r.depth() + 1;
        if (missingDepth < target.depth()) {
          if (!recursive) {
            throw new NamespaceException(
                ErrorCode.NOT_FOUND,
                "parent directory "
                    + path.parent()
                    + " does not exist (use recursive to create it)");
          }
          target = path.prefix(missingDepth); // lock exactly the first missing edge
          continue;
        }
        // We hold the write locks on the parent at depth r.depth() and on the missing edge.
        return commitCreate(path, r.inode(r.depth()), r.depth(), leaf, parentTemplate, at);
      }
    }
  }

  private Inode existing(NamespacePath path, Inode found, boolean recursive, Inode wanted)
      throws NamespaceException {
    // Like mkdir -p: asking recursively for a directory that is already there succeeds.
    if (recursive && wanted.getDirectory() && found.getDirectory()) {
      return found;
    }
    throw new NamespaceException(
        ErrorCode.ALREADY_EXISTS,
        path + " already exists as a " + (found.getDirectory() ? "directory" : "file"));
  }

  private Inode commitCreate(
      NamespacePath path,
      Inode parent,
      int parentDepth,
      Inode leaf,
      Inode parentTemplate,
      Entry at) {
    int toCreate = path.depth() - parentDepth;
    long firstId = nextInodeId.getAndAdd(toCreate);
    StoreBatch batch = at.batch(firstId + toCreate);
    batch.putInode(
        parent.toBuilder()
            .setChildCount(parent.getChildCount() + 1)
            .setModificationTimeMs(at.timeMs())
            .build());
    long parentId = parent.getId();
    Inode created = null;
    for (int depth = parentDepth + 1; depth <= path.depth(); depth++) {
      long id = firstId + (depth - parentDepth - 1);
      String name = path.component(depth - 1);
      boolean isLeaf = depth == path.depth();
      created =
          (isLeaf ? leaf : parentTemplate)
              .toBuilder()
                  .setId(id)
                  .setParentId(parentId)
                  .setName(name)
                  .setChildCount(isLeaf ? 0 : 1)
                  .build();
      batch.putEdge(parentId, name, id).putInode(created);
      parentId = id;
    }
    store.commit(batch);
    return created;
  }

  private Inode completeFile(CompleteFile c, Entry at) throws NamespaceException {
    NamespacePath path = NamespacePath.parse(c.getPath());
    CommandValidator.checkLength(c.getLength());
    try (LockedPaths locked = locker.lock(path, LockPattern.WRITE_INODE)) {
      ResolvedPath r = locked.first();
      if (!r.exists()) {
        throw r.missing();
      }
      Inode file = r.leaf();
      if (file.getDirectory()) {
        throw new NamespaceException(
            ErrorCode.IS_A_DIRECTORY, path + " is a directory; only files can be completed");
      }
      if (file.getCompleted()) {
        throw new NamespaceException(
            ErrorCode.FILE_ALREADY_COMPLETED, path + " is already completed");
      }
      Inode done =
          file.toBuilder()
              .setLength(c.getLength())
              .setCompleted(true)
              .setModificationTimeMs(at.timeMs())
              .build();
      store.commit(at.batch(nextInodeId.get()).putInode(done));
      return done;
    }
  }

  private Inode rename(Rename c, Entry at) throws NamespaceException {
    NamespacePath src = NamespacePath.parse(c.getSrc());
    NamespacePath dst = NamespacePath.parse(c.getDst());
    if (src.isRoot() || dst.isRoot()) {
      throw new NamespaceException(ErrorCode.INVALID_RENAME, "the root cannot be renamed");
    }
    if (src.isStrictAncestorOf(dst)) {
      throw new NamespaceException(
          ErrorCode.INVALID_RENAME, "cannot move " + src + " under itself (" + dst + ")");
    }
    try (LockedPaths locked =
        locker.lock(src, LockPattern.WRITE_EDGE_AND_INODE, dst, LockPattern.WRITE_EDGE)) {
      ResolvedPath s = locked.first();
      ResolvedPath d = locked.second();
      if (!s.exists()) {
        throw s.missing();
      }
      if (d.depth() < dst.depth() - 1 || d.blockedByFile()) {
        // The full depth, so that a file as the destination's parent is NOT_A_DIRECTORY.
        throw d.missingBelow(dst.depth());
      }
      if (d.exists()) {
        throw new NamespaceException(
            ErrorCode.ALREADY_EXISTS, "rename destination " + dst + " already exists");
      }
      Inode moved = s.leaf();
      Inode srcParent = s.parent();
      Inode dstParent = d.parent();
      StoreBatch batch = at.batch(nextInodeId.get());
      batch.removeEdge(srcParent.getId(), moved.getName());
      batch.putEdge(dstParent.getId(), dst.name(), moved.getId());
      batch.putInode(moved.toBuilder().setParentId(dstParent.getId()).setName(dst.name()).build());
      if (srcParent.getId() == dstParent.getId()) {
        batch.putInode(srcParent.toBuilder().setModificationTimeMs(at.timeMs()).build());
      } else {
        batch.putInode(
            srcParent.toBuilder()
                .setChildCount(srcParent.getChildCount() - 1)
                .setModificationTimeMs(at.timeMs())
                .build());
        batch.putInode(
            dstParent.toBuilder()
                .setChildCount(dstParent.getChildCount() + 1)
                .setModificationTimeMs(at.timeMs())
                .build());
      }
      store.commit(batch);
      return moved.toBuilder().setParentId(dstParent.getId()).setName(dst.name()).build();
    }
  }

  private Inode delete(Delete c, Entry at) throws NamespaceException {
    NamespacePath path = NamespacePath.parse(c.getPath());
    if (path.isRoot()) {
      throw CommandValidator.invalid("the root directory cannot be deleted");
    }
    try (LockedPaths locked = locker.lock(path, LockPattern.WRITE_EDGE_AND_INODE)) {
      ResolvedPath r = locked.first();
      if (!r.exists()) {
        throw r.missing();
      }
      Inode target = r.leaf();
      if (target.getDirectory() && target.getChildCount() > 0 && !c.getRecursive()) {
        throw new NamespaceException(
            ErrorCode.DIRECTORY_NOT_EMPTY,
            path + " is a directory with " + target.getChildCount() + " entries; use recursive");
      }
      Inode parent = r.parent();
      StoreBatch batch = at.batch(nextInodeId.get());
      batch.removeEdge(parent.getId(), target.getName()).removeInode(target.getId());
      if (target.getDirectory() && target.getChildCount() > 0) {
        removeSubtree(target.getId(), batch);
      }
      batch.putInode(
          parent.toBuilder()
              .setChildCount(parent.getChildCount() - 1)
              .setModificationTimeMs(at.timeMs())
              .build());
      store.commit(batch);
      return target;
    }
  }

  /**
   * Adds the removal of everything below directory {@code id} to the batch. No locks below: the
   * write lock on the subtree's root excludes every other operation inside it.
   */
  private void removeSubtree(long id, StoreBatch batch) {
    walkBelow(
        id,
        edge -> {
          batch.removeEdge(edge.parentId(), edge.name()).removeInode(edge.childId());
          return true;
        });
  }

  /** Decides, entry by entry, whether a walk goes on. */
  @FunctionalInterface
  private interface EntryVisitor {
    boolean visit(Edge edge);
  }

  /** Visits every entry below directory {@code id}, depth first, until the visitor says stop. */
  private void walkBelow(long id, EntryVisitor visitor) {
    Deque<Long> directories = new ArrayDeque<>();
    directories.push(id);
    while (!directories.isEmpty()) {
      long dir = directories.pop();
      String after = "";
      while (true) {
        List<Edge> page = store.listChildren(dir, after, 1024);
        for (Edge edge : page) {
          if (!visitor.visit(edge)) {
            return;
          }
          // Peek: a walk below a directory visits each inode once; caching them is wasted work.
          Inode child = store.peekInode(edge.childId());
          if (child != null && child.getDirectory() && child.getChildCount() > 0) {
            directories.push(child.getId());
          }
        }
        if (page.size() < 1024) {
          break;
        }
        after = page.get(page.size() - 1).name();
      }
    }
  }

  private Inode setAttribute(SetAttribute c, Entry at) throws NamespaceException {
    NamespacePath path = NamespacePath.parse(c.getPath());
    if (c.hasMode()) {
      CommandValidator.checkMode(c.getMode());
    }
    if (c.hasOwner()) {
      CommandValidator.checkPrincipal("owner", c.getOwner());
    }
    if (c.hasGroup()) {
      CommandValidator.checkPrincipal("group", c.getGroup());
    }
    if (c.hasTtlMs()) {
      CommandValidator.checkTtl(c.getTtlMs());
    }
    CommandValidator.checkXattrs(c.getSetXattrsMap(), c.getRemoveXattrsList());
    try (LockedPaths locked = locker.lock(path, LockPattern.WRITE_INODE)) {
      ResolvedPath r = locked.first();
      if (!r.exists()) {
        throw r.missing();
      }
      Inode.Builder changed = r.leaf().toBuilder();
      if (c.hasMode()) {
        changed.setMode(c.getMode());
      }
      if (c.hasOwner()) {
        changed.setOwner(c.getOwner());
      }
      if (c.hasGroup()) {
        changed.setGroup(c.getGroup());
      }
      if (c.hasModificationTimeMs()) {
        changed.setModificationTimeMs(c.getModificationTimeMs());
      }
      if (c.hasTtlMs()) {
        changed.setTtlMs(c.getTtlMs());
      }
      for (String name : c.getRemoveXattrsList()) {
        changed.removeXattrs(name);
      }
      changed.putAllXattrs(c.getSetXattrsMap());
      checkXattrTotals(path, changed.getXattrsMap());
      Inode result = changed.build();
      store.commit(at.batch(nextInodeId.get()).putInode(result));
      return result;
    }
  }

  private static void checkXattrTotals(NamespacePath path, Map<String, ByteString> xattrs)
      throws NamespaceException {
    if (xattrs.size() > MAX_XATTRS) {
      throw new NamespaceException(
          ErrorCode.LIMIT_EXCEEDED,
          path
              + " would have "
              + xattrs.size()
              + " extended attributes, the limit is "
              + MAX_XATTRS);
    }
    long total = 0;
    for (Map.Entry<String, ByteString> e : xattrs.entrySet()) {
      total += ByteString.copyFromUtf8(e.getKey()).size() + e.getValue().size();
    }
    if (total > MAX_XATTR_TOTAL_BYTES) {
      throw new NamespaceException(
          ErrorCode.LIMIT_EXCEEDED,
          path
              + " would have "
              + total
              + " bytes of extended attributes, the limit is "
              + MAX_XATTR_TOTAL_BYTES);
    }
  }
}

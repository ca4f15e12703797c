package dev.metacluster.master.store;

import dev.metacluster.master.proto.Inode;
import java.util.List;
import java.util.function.Consumer;

/**
 * Where inodes and edges live. Callers (the namespace) hold the inode or edge lock of whatever they
 * read or write, except through {@link #peekInode}: the cache layer relies on that to never keep a
 * stale entry.
 */
public interface InodeStore extends AutoCloseable {
  /** Returned by {@link #getChildId} when there is no such entry. */
  long NO_INODE = -1;

  /** The inode with this id, or {@code null}. The caller holds a lock on it (it may be cached). */
  Inode getInode(long id);

  /**
   * The inode with this id, or {@code null}, without filling any cache: for callers that hold no
   * lock on it, e.g. a listing reading the children of a directory it has read-locked.
   */
  Inode peekInode(long id);

  /** The id of the child {@code name} of directory {@code parentId}, or {@link #NO_INODE}. */
  long getChildId(long parentId, String name);

  /**
   * Up to {@code limit} children of {@code parentId} whose names sort after {@code startAfter} (""
   * for the first page), in the byte order of their UTF-8 names.
   */
  List<Edge> listChildren(long parentId, String startAfter, int limit);

  /** Writes the batch atomically (data, applied index and next inode id together). */
  void commit(StoreBatch batch);

  /** The term of the entry at {@link #appliedIndex()} (0 for a new store or outside Raft). */
  long appliedTerm();

  /** The applied index recorded by the last committed batch (0 for a new store). */
  long appliedIndex();

  /**
   * The lowest inode id that is safe to allocate: above every id the store has ever held that a
   * committed batch recorded, and above every id present.
   */
  long nextInodeId();

  /** Visits every inode in id order. No locks: for verification and offline tools. */
  void scanInodes(Consumer<Inode> visitor);

  /** Visits every edge in (parent id, name) order. No locks: for verification and offline tools. */
  void scanEdges(Consumer<Edge> visitor);

  @Override
  void close();
}

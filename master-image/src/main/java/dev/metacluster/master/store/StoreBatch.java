package dev.metacluster.master.store;

import dev.metacluster.master.proto.Inode;
import java.util.ArrayList;
import java.util.List;

/**
 * The changes of one namespace command, committed atomically together with the applied journal
 * index and the next free inode id. Built by the namespace, written by an {@link InodeStore}.
 */
public final class StoreBatch {
  /** One change; the store layers replay these in order. */
  public sealed interface Change {}

  public record PutInode(Inode inode) implements Change {}

  public record RemoveInode(long id) implements Change {}

  public record PutEdge(long parentId, String name, long childId) implements Change {}

  public record RemoveEdge(long parentId, String name) implements Change {}

  private final List<Change> changes = new ArrayList<>(4);
  private final long appliedTerm;
  private final long appliedIndex;
  private final long nextInodeId;

  /**
   * @param appliedTerm term of the journal entry this batch applies (0 outside Raft)
   * @param appliedIndex index of that entry
   * @param nextInodeId the inode id allocator's position after this batch
   */
  public StoreBatch(long appliedTerm, long appliedIndex, long nextInodeId) {
    this.appliedTerm = appliedTerm;
    this.appliedIndex = appliedIndex;
    this.nextInodeId = nextInodeId;
  }

  public StoreBatch putInode(Inode inode) {
    changes.add(new PutInode(inode));
    return this;
  }

  public StoreBatch removeInode(long id) {
    changes.add(new RemoveInode(id));
    return this;
  }

  public StoreBatch putEdge(long parentId, String name, long childId) {
    changes.add(new PutEdge(parentId, name, childId));
    return this;
  }

  public StoreBatch removeEdge(long parentId, String name) {
    changes.add(new RemoveEdge(parentId, name));
    return this;
  }

  public List<Change> changes() {
    return changes;
  }

  public long appliedTerm() {
    return appliedTerm;
  }

  public long appliedIndex() {
    return appliedIndex;
  }

  public long nextInodeId() {
    return nextInodeId;
  }
}

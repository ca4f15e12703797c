package dev.metacluster.master.namespace;

import com.google.protobuf.CodedOutputStream;
import dev.metacluster.master.proto.Inode;
import dev.metacluster.master.store.Edge;
import dev.metacluster.master.store.InodeStore;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * Whole-tree views over a store that nobody is changing: a walk in path order, a checksum that is
 * equal on two stores exactly when their trees are, and a check of the tree's invariants. These
 * take no locks; run them on a quiescent namespace (tests, offline tools, after a restore).
 */
public final class NamespaceTree {
  private static final int PAGE = 1024;

  private NamespaceTree() {}

  /** Visits every inode with its path, depth first, children in {@link NameOrder}. */
  public static void walk(InodeStore store, BiConsumer<String, Inode> visitor) {
    Inode root = store.getInode(Namespace.ROOT_ID);
    if (root == null) {
      return;
    }
    record Frame(String path, Inode inode) {}
    Deque<Frame> stack = new ArrayDeque<>();
    stack.push(new Frame("/", root));
    Set<Long> seen = new java.util.HashSet<>();
    while (!stack.isEmpty()) {
      Frame frame = stack.pop();
      visitor.accept(frame.path, frame.inode);
      if (!frame.inode.getDirectory() || !seen.add(frame.inode.getId())) {
        continue;
      }
      List<Frame> children = new ArrayList<>();
      String prefix = frame.path.equals("/") ? "/" : frame.path + "/";
      forEachChild(
          store,
          frame.inode.getId(),
          edge -> {
            Inode child = store.getInode(edge.childId());
            if (child != null) {
              children.add(new Frame(prefix + edge.name(), child));
            }
          });
      for (int i = children.size() - 1; i >= 0; i--) {
        stack.push(children.get(i));
      }
    }
  }

  /** SHA-256 over every path and inode record, in walk order. */
  public static String checksum(InodeStore store) {
    MessageDigest digest;
    try {
      digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    walk(
        store,
        (path, inode) -> {
          buffer.reset();
          try {
            CodedOutputStream out = CodedOutputStream.newInstance(buffer);
            out.useDeterministicSerialization();
            out.writeStringNoTag(path);
            out.writeMessageNoTag(inode);
            out.flush();
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
          digest.update(buffer.toByteArray());
        });
    return HexFormat.of().formatHex(digest.digest());
  }

  /**
   * Checks the invariants: every inode reachable from the root exactly once, every edge pointing at
   * an inode that names it back, child counts equal to edges, no cycles, no orphan inodes or edges.
   * Returns the violations found (empty when the tree is sound).
   */
  public static List<String> verify(InodeStore store) {
    List<String> problems = new ArrayList<>();
    Inode root = store.getInode(Namespace.ROOT_ID);
    if (root == null || !root.getDirectory()) {
      problems.add("root inode " + Namespace.ROOT_ID + " is missing or not a directory");
      return problems;
    }
    Set<Long> reached = new java.util.HashSet<>();
    reached.add(root.getId());
    Deque<Inode> pending = new ArrayDeque<>();
    pending.push(root);
    while (!pending.isEmpty()) {
      Inode dir = pending.pop();
      long[] edges = {0};
      forEachChild(
          store,
          dir.getId(),
          edge -> {
            edges[0]++;
            Inode child = store.getInode(edge.childId());
            String where = "edge " + dir.getId() + "/" + edge.name() + " -> " + edge.childId();
            if (child == null) {
              problems.add(where + ": inode missing");
              return;
            }
            if (child.getParentId() != dir.getId() || !child.getName().equals(edge.name())) {
              problems.add(
                  where
                      + ": inode says parent "
                      + child.getParentId()
                      + " name '"
                      + child.getName()
                      + "'");
            }
            if (!reached.add(child.getId())) {
              problems.add(where + ": inode reached twice (cycle or hard link)");
              return;
            }
            if (child.getDirectory()) {
              pending.push(child);
            }
          });
      if (!dir.getDirectory() && edges[0] > 0) {
        problems.add("file " + dir.getId() + " has " + edges[0] + " children");
      }
      if (dir.getChildCount() != edges[0]) {
        problems.add(
            "directory "
                + dir.getId()
                + " child count "
                + dir.getChildCount()
                + " but "
                + edges[0]
                + " edges");
      }
    }
    store.scanInodes(
        inode -> {
          if (!reached.contains(inode.getId())) {
            problems.add("inode " + inode.getId() + " ('" + inode.getName() + "') is unreachable");
          }
        });
    store.scanEdges(
        edge -> {
          if (!reached.contains(edge.parentId())) {
            problems.add(
                "edge " + edge.parentId() + "/" + edge.name() + " hangs under no reachable inode");
          }
        });
    return problems;
  }

  private static void forEachChild(
      InodeStore store, long parentId, java.util.function.Consumer<Edge> action) {
    String after = "";
    while (true) {
      List<Edge> page = store.listChildren(parentId, after, PAGE);
      page.forEach(action);
      if (page.size() < PAGE) {
        return;
      }
      after = page.get(page.size() - 1).name();
    }
  }
}

package dev.metacluster.master.namespace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.google.protobuf.ByteString;
import com.google.protobuf.TextFormat;
import dev.metacluster.master.proto.CompleteFile;
import dev.metacluster.master.proto.CreateDirectory;
import dev.metacluster.master.proto.CreateFile;
import dev.metacluster.master.proto.Delete;
import dev.metacluster.master.proto.ErrorCode;
import dev.metacluster.master.proto.Inode;
import dev.metacluster.master.proto.NamespaceCommand;
import dev.metacluster.master.proto.Rename;
import dev.metacluster.master.proto.SetAttribute;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Model-based test: long random sequences of operations run against the real namespace (RocksDB +
 * cache) and against a small, independent in-memory model of the specified semantics; every result
 * (success or error code, and the returned inode) and, periodically, the whole tree must agree,
 * also after closing and reopening the store.
 *
 * <p>Reproduce a failure with the seed and cache size printed in its message: {@code mvn test
 * -Dtest=NamespaceModelTest -Dmodel.seeds=SEED -Dmodel.ops=N} (cache sizes 16 and 100000 both run).
 */
class NamespaceModelTest {
  /**
   * A small alphabet so that paths collide often. "ä" is two UTF-8 bytes, "ｚ" (U+FF5A) three and
   * "𝄞" (U+1D11E) four: "ｚ" sorts before "𝄞" by code point and UTF-8 bytes but after it in
   * UTF-16, so a listing in Java's String order would disagree with the model.
   */
  private static final String[] NAMES = {"a", "b", "c", "ab", "ä", "ｚ", "𝄞", "x𝄞"};

  private static final String[] OWNERS = {"alice", "bob", "ünïcödé", "𝄞user"};

  private static final String[] BAD_PATHS = {
    "",
    "a",
    "a/b",
    "/a/",
    "//a",
    "/a//b",
    "/a/./b",
    "/a/../b",
    "/.",
    "/a\0b",
    "/a\uD834",
    "/" + "n".repeat(256),
    "/" + "é".repeat(128)
  };

  private static final int DEFAULT_OPS = 3000;
  private static final int COMPARE_EVERY = 200;
  private static final int REOPEN_EVERY = 1000;

  private static final Comparator<String> UTF8_ORDER =
      (a, b) ->
          Arrays.compareUnsigned(
              a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));

  static Stream<Arguments> runs() {
    String seeds = System.getProperty("model.seeds", "1,2,3");
    List<Arguments> runs = new ArrayList<>();
    for (String seed : seeds.split(",")) {
      for (int cache : new int[] {16, 100_000}) {
        runs.add(Arguments.of(Long.parseLong(seed.trim()), cache));
      }
    }
    return runs.stream();
  }

  @ParameterizedTest(name = "seed {0}, cache {1} entries")
  @MethodSource("runs")
  void agreesWithTheModel(long seed, int cacheEntries, @TempDir Path dir) throws Exception {
    int ops = Integer.getInteger("model.ops", DEFAULT_OPS);
    new Run(seed, cacheEntries, dir).run(ops);
  }

  // ---- the model ---------------------------------------------------------------------------

  /** One inode of the model. Ids are learned from the store the first time a node is seen. */
  static final class Node {
    final boolean directory;
    long id = -1;
    Node parent;
    String name;
    int mode;
    String owner;
    String group;
    long creationTime;
    long modificationTime;
    long length;
    long blockSize;
    boolean completed;
    long ttl;
    final TreeMap<String, ByteString> xattrs = new TreeMap<>();
    final TreeMap<String, Node> children = new TreeMap<>(UTF8_ORDER);

    Node(boolean directory) {
      this.directory = directory;
    }

    String path() {
      if (parent == null) {
        return "/";
      }
      String p = parent.path();
      return p.equals("/") ? "/" + name : p + "/" + name;
    }
  }

  /** What the model says an operation returns: a node (and where it was), or an error. */
  record Outcome(ErrorCode error, Node node, Node parent, String name) {
    static Outcome error(ErrorCode code) {
      return new Outcome(code, null, null, null);
    }

    static Outcome of(Node node) {
      return new Outcome(null, node, node.parent, node.name);
    }
  }

  /** An independent implementation of the specified semantics over a plain in-memory tree. */
  static final class Model {
    final Node root = new Node(true);

    Model(Inode realRoot) {
      root.id = Namespace.ROOT_ID;
      root.name = "";
      root.mode = realRoot.getMode();
      root.owner = realRoot.getOwner();
      root.group = realRoot.getGroup();
      root.creationTime = realRoot.getCreationTimeMs();
      root.modificationTime = realRoot.getModificationTimeMs();
    }

    // -- syntax

    static boolean validName(String name) {
      if (name.isEmpty() || name.indexOf('/') >= 0 || name.indexOf('\0') >= 0) {
        return false;
      }
      for (int i = 0; i < name.length(); i++) {
        char c = name.charAt(i);
        if (Character.isHighSurrogate(c)
            && i + 1 < name.length()
            && Character.isLowSurrogate(name.charAt(i + 1))) {
          i++;
        } else if (Character.isSurrogate(c)) {
          return false;
        }
      }
      return name.getBytes(StandardCharsets.UTF_8).length <= 255;
    }

    /** The components of a valid path, or null if the path is invalid. */
    static String[] components(String path) {
      if (path.isEmpty() || path.charAt(0) != '/') {
        return null;
      }
      if (path.equals("/")) {
        return new String[0];
      }
      String[] parts = path.substring(1).split("/", -1);
      if (parts.length > 1024) {
        return null;
      }
      for (String part : parts) {
        if (part.equals(".") || part.equals("..") || !validName(part)) {
          return null;
        }
      }
      return path.getBytes(StandardCharsets.UTF_8).length <= 4096 ? parts : null;
    }

    // -- resolution

    /** Walks {@code count} components top-down: the node there, or the first problem. */
    Object resolve(String[] comps, int count) {
      Node cur = root;
      for (int i = 0; i < count; i++) {
        if (!cur.directory) {
          return ErrorCode.NOT_A_DIRECTORY;
        }
        Node child = cur.children.get(comps[i]);
        if (child == null) {
          return ErrorCode.NOT_FOUND;
        }
        cur = child;
      }
      return cur;
    }

    static boolean validPrincipal(String name) {
      return validName(name);
    }

    // -- mutations

    Outcome apply(NamespaceCommand c) {
      long t = c.getTimeMs();
      return switch (c.getOpCase()) {
        case CREATE_DIRECTORY -> createDirectory(c.getCreateDirectory(), t);
        case CREATE_FILE -> createFile(c.getCreateFile(), t);
        case COMPLETE_FILE -> complete(c.getCompleteFile(), t);
        case RENAME -> rename(c.getRename(), t);
        case DELETE -> delete(c.getDelete(), t);
        case SET_ATTRIBUTE -> setAttribute(c.getSetAttribute());
        case OP_NOT_SET -> Outcome.error(ErrorCode.INVALID_ARGUMENT);
      };
    }

    private Outcome createDirectory(CreateDirectory c, long t) {
      String[] comps = components(c.getPath());
      if (comps == null) {
        return Outcome.error(ErrorCode.INVALID_PATH);
      }
      if (c.getMode() < 0
          || c.getMode() > 07777
          || !validPrincipal(c.getOwner())
          || !validPrincipal(c.getGroup())
          || c.getTtlMs() < 0) {
        return Outcome.error(ErrorCode.INVALID_ARGUMENT);
      }
      Node leaf = new Node(true);
      leaf.mode = c.getMode();
      leaf.owner = c.getOwner();
      leaf.group = c.getGroup();
      leaf.ttl = c.getTtlMs();
      return create(comps, c.getRecursive(), leaf, c.getMode(), t);
    }

    private Outcome createFile(CreateFile c, long t) {
      String[] comps = components(c.getPath());
      if (comps == null) {
        return Outcome.error(ErrorCode.INVALID_PATH);
      }
      if (c.getMode() < 0
          || c.getMode() > 07777
          || !validPrincipal(c.getOwner())
          || !validPrincipal(c.getGroup())
          || c.getBlockSize() <= 0
          || c.getTtlMs() < 0) {
        return Outcome.error(ErrorCode.INVALID_ARGUMENT);
      }
      Node leaf = new Node(false);
      leaf.mode = c.getMode();
      leaf.owner = c.getOwner();
      leaf.group = c.getGroup();
      leaf.blockSize = c.getBlockSize();
      leaf.ttl = c.getTtlMs();
      return create(comps, c.getRecursive(), leaf, 0755, t);
    }

    private Outcome create(String[] comps, boolean recursive, Node leaf, int parentMode, long t) {
      int n = comps.length;
      if (n == 0) {
        return leaf.directory && recursive
            ? Outcome.of(root)
            : Outcome.error(ErrorCode.ALREADY_EXISTS);
      }
      Node cur = root;
      int i = 0;
      for (; i < n; i++) {
        if (!cur.directory) {
          return Outcome.error(ErrorCode.NOT_A_DIRECTORY);
        }
        Node child = cur.children.get(comps[i]);
        if (child == null) {
          break;
        }
        cur = child;
      }
      if (i == n) {
        return leaf.directory && recursive && cur.directory
            ? Outcome.of(cur)
            : Outcome.error(ErrorCode.ALREADY_EXISTS);
      }
      if (i < n - 1 && !recursive) {
        return Outcome.error(ErrorCode.NOT_FOUND);
      }
      cur.modificationTime = t;
      for (int j = i; j < n; j++) {
        Node node;
        if (j == n - 1) {
          node = leaf;
        } else {
          node = new Node(true);
          node.mode = parentMode;
          node.owner = leaf.owner;
          node.group = leaf.group;
        }
        node.creationTime = t;
        node.modificationTime = t;
        attach(cur, comps[j], node);
        cur = node;
      }
      return Outcome.of(leaf);
    }

    private Outcome complete(CompleteFile c, long t) {
      String[] comps = components(c.getPath());
      if (comps == null) {
        return Outcome.error(ErrorCode.INVALID_PATH);
      }
      if (c.getLength() < 0) {
        return Outcome.error(ErrorCode.INVALID_ARGUMENT);
      }
      Object r = resolve(comps, comps.length);
      if (r instanceof ErrorCode e) {
        return Outcome.error(e);
      }
      Node file = (Node) r;
      if (file.directory) {
        return Outcome.error(ErrorCode.IS_A_DIRECTORY);
      }
      if (file.completed) {
        return Outcome.error(ErrorCode.FILE_ALREADY_COMPLETED);
      }
      file.length = c.getLength();
      file.completed = true;
      file.modificationTime = t;
      return Outcome.of(file);
    }

    private Outcome rename(Rename c, long t) {
      String[] src = components(c.getSrc());
      String[] dst = components(c.getDst());
      if (src == null || dst == null) {
        return Outcome.error(ErrorCode.INVALID_PATH);
      }
      if (src.length == 0 || dst.length == 0) {
        return Outcome.error(ErrorCode.INVALID_RENAME);
      }
      if (dst.length > src.length && Arrays.equals(src, Arrays.copyOf(dst, src.length))) {
        return Outcome.error(ErrorCode.INVALID_RENAME);
      }
      Object s = resolve(src, src.length);
      if (s instanceof ErrorCode e) {
        return Outcome.error(e);
      }
      Object dp = resolve(dst, dst.length - 1);
      if (dp instanceof ErrorCode e) {
        return Outcome.error(e);
      }
      Node dstParent = (Node) dp;
      if (!dstParent.directory) {
        return Outcome.error(ErrorCode.NOT_A_DIRECTORY);
      }
      String dstName = dst[dst.length - 1];
      if (dstParent.children.containsKey(dstName)) {
        return Outcome.error(ErrorCode.ALREADY_EXISTS);
      }
      Node moved = (Node) s;
      Node srcParent = moved.parent;
      srcParent.children.remove(moved.name);
      srcParent.modificationTime = t;
      dstParent.modificationTime = t;
      attach(dstParent, dstName, moved);
      return Outcome.of(moved);
    }

    private Outcome delete(Delete c, long t) {
      String[] comps = components(c.getPath());
      if (comps == null) {
        return Outcome.error(ErrorCode.INVALID_PATH);
      }
      if (comps.length == 0) {
        return Outcome.error(ErrorCode.INVALID_ARGUMENT);
      }
      Object r = resolve(comps, comps.length);
      if (r instanceof ErrorCode e) {
        return Outcome.error(e);
      }
      Node target = (Node) r;
      if (target.directory && !target.children.isEmpty() && !c.getRecursive()) {
        return Outcome.error(ErrorCode.DIRECTORY_NOT_EMPTY);
      }
      Outcome outcome = Outcome.of(target); // the inode as it was
      target.parent.children.remove(target.name);
      target.parent.modificationTime = t;
      target.parent = null;
      return outcome;
    }

    private Outcome setAttribute(SetAttribute c) {
      String[] comps = components(c.getPath());
      if (comps == null) {
        return Outcome.error(ErrorCode.INVALID_PATH);
      }
      if ((c.hasMode() && (c.getMode() < 0 || c.getMode() > 07777))
          || (c.hasOwner() && !validPrincipal(c.getOwner()))
          || (c.hasGroup() && !validPrincipal(c.getGroup()))
          || (c.hasTtlMs() && c.getTtlMs() < 0)
          || !c.getSetXattrsMap().keySet().stream().allMatch(Model::validName)
          || !c.getRemoveXattrsList().stream().allMatch(Model::validName)) {
        return Outcome.error(ErrorCode.INVALID_ARGUMENT);
      }
      if (c.getSetXattrsMap().values().stream().anyMatch(v -> v.size() > 16 * 1024)) {
        return Outcome.error(ErrorCode.LIMIT_EXCEEDED);
      }
      Object r = resolve(comps, comps.length);
      if (r instanceof ErrorCode e) {
        return Outcome.error(e);
      }
      Node node = (Node) r;
      TreeMap<String, ByteString> xattrs = new TreeMap<>(node.xattrs);
      c.getRemoveXattrsList().forEach(xattrs::remove);
      xattrs.putAll(c.getSetXattrsMap());
      long total = 0;
      for (Map.Entry<String, ByteString> e : xattrs.entrySet()) {
        total += e.getKey().getBytes(StandardCharsets.UTF_8).length + e.getValue().size();
      }
      if (xattrs.size() > 32 || total > 32 * 1024) {
        return Outcome.error(ErrorCode.LIMIT_EXCEEDED);
      }
      if (c.hasMode()) {
        node.mode = c.getMode();
      }
      if (c.hasOwner()) {
        node.owner = c.getOwner();
      }
      if (c.hasGroup()) {
        node.group = c.getGroup();
      }
      if (c.hasModificationTimeMs()) {
        node.modificationTime = c.getModificationTimeMs();
      }
      if (c.hasTtlMs()) {
        node.ttl = c.getTtlMs();
      }
      node.xattrs.clear();
      node.xattrs.putAll(xattrs);
      return Outcome.of(node);
    }

    private static void attach(Node parent, String name, Node child) {
      child.parent = parent;
      child.name = name;
      parent.children.put(name, child);
    }

    // -- reads

    Outcome getStatus(String path) {
      String[] comps = components(path);
      if (comps == null) {
        return Outcome.error(ErrorCode.INVALID_PATH);
      }
      Object r = resolve(comps, comps.length);
      return r instanceof ErrorCode e ? Outcome.error(e) : Outcome.of((Node) r);
    }

    /** A listing page, or an error code. */
    Object list(String path, String startAfter, int limit) {
      String[] comps = components(path);
      if (comps == null) {
        return ErrorCode.INVALID_PATH;
      }
      if ((!startAfter.isEmpty() && !validName(startAfter)) || limit < 1 || limit > 10_000) {
        return ErrorCode.INVALID_ARGUMENT;
      }
      Object r = resolve(comps, comps.length);
      if (r instanceof ErrorCode e) {
        return e;
      }
      Node dir = (Node) r;
      if (!dir.directory) {
        return ErrorCode.NOT_A_DIRECTORY;
      }
      List<Node> after = new ArrayList<>(dir.children.tailMap(startAfter, false).values());
      boolean hasMore = after.size() > limit;
      return new Page(after.subList(0, Math.min(limit, after.size())), hasMore);
    }

    /** Every node with its path, depth first, children in UTF-8 order. */
    LinkedHashMap<String, Node> flatten() {
      LinkedHashMap<String, Node> all = new LinkedHashMap<>();
      flatten("/", root, all);
      return all;
    }

    private static void flatten(String path, Node node, Map<String, Node> out) {
      out.put(path, node);
      String prefix = path.equals("/") ? "/" : path + "/";
      for (Map.Entry<String, Node> e : node.children.entrySet()) {
        flatten(prefix + e.getKey(), e.getValue(), out);
      }
    }
  }

  record Page(List<Node> children, boolean hasMore) {}

  // ---- one run: generator, comparison, reopen ----------------------------------------------

  private static final class Run {
    final long seed;
    final int cacheEntries;
    final Path dir;
    final Random random;
    final Map<Long, Node> byId = new HashMap<>();
    LocalNamespace ns;
    Model model;
    long time = 1_000_000;
    int op;
    String what = "start";
    String kind = "";

    Run(long seed, int cacheEntries, Path dir) {
      this.seed = seed;
      this.cacheEntries = cacheEntries;
      this.dir = dir;
      this.random = new Random(seed);
    }

    String ctx() {
      return "seed=" + seed + " cache=" + cacheEntries + " op#" + op + " " + what;
    }

    void open() {
      ns =
          new LocalNamespace(
              NamespaceTestSupport.openStore(dir, cacheEntries), NamespaceTestSupport.FIXED_CLOCK);
    }

    void reopen() {
      ns.close();
      open();
      what = "after reopen";
      compareTree();
    }

    void run(int ops) throws Exception {
      open();
      try {
        model = new Model(ns.namespace().getStatus("/"));
        byId.put(Namespace.ROOT_ID, model.root);
        for (op = 1; op <= ops; op++) {
          step();
          if (op % COMPARE_EVERY == 0) {
            compareTree();
          }
          if (op % REOPEN_EVERY == 0) {
            reopen();
          }
        }
        what = "end";
        compareTree();
        reopen();
        // Keep going on the reopened store, then check once more.
        for (int i = 0; i < COMPARE_EVERY; i++, op++) {
          step();
        }
        what = "end after reopen";
        compareTree();
        if (ops >= DEFAULT_OPS) {
          assertCoverage();
        }
        assertThat(model.flatten().size())
            .as("%s: the tree should not stay trivial", ctx())
            .isGreaterThan(10);
      } finally {
        ns.close();
      }
    }

    // -- generation

    String randomName() {
      return NAMES[random.nextInt(NAMES.length)];
    }

    String child(String parent, String name) {
      return parent.equals("/") ? "/" + name : parent + "/" + name;
    }

    List<Node> nodes; // the model's nodes, computed at most once per step

    List<Node> nodes() {
      if (nodes == null) {
        nodes = new ArrayList<>(model.flatten().values());
      }
      return nodes;
    }

    /** A random node of the model that passes {@code filter}; the root if none does. */
    Node randomNode(Predicate<Node> filter) {
      List<Node> matching = nodes().stream().filter(filter).toList();
      return matching.isEmpty() ? model.root : matching.get(random.nextInt(matching.size()));
    }

    /** With probability {@code percent}, an existing path that passes {@code filter}. */
    String existingOrRandom(int percent, Predicate<Node> filter) {
      return random.nextInt(100) < percent ? randomNode(filter).path() : randomPath();
    }

    /** With probability {@code percent}, a (likely new) name in an existing directory. */
    String newOrRandom(int percent) {
      return random.nextInt(100) < percent
          ? child(randomNode(n -> n.directory).path(), randomName())
          : randomPath();
    }

    /** Mostly paths near existing nodes, so that operations hit, collide and mismatch types. */
    String randomPath() {
      int r = random.nextInt(100);
      if (r < 2) {
        return BAD_PATHS[random.nextInt(BAD_PATHS.length)];
      }
      if (r < 5) {
        return "/";
      }
      if (r < 60) {
        Node node = randomNode(n -> true);
        String p = node.path();
        return node.parent == null || random.nextInt(3) == 0 ? child(p, randomName()) : p;
      }
      int depth = 1 + random.nextInt(4);
      String p = "/";
      for (int i = 0; i < depth; i++) {
        p = child(p, randomName());
      }
      return p;
    }

    String randomOwner() {
      return OWNERS[random.nextInt(OWNERS.length)];
    }

    long randomTtl() {
      return random.nextInt(4) == 0 ? random.nextInt(1_000_000) : 0;
    }

    /**
     * A bad argument in about 3% of the commands, never together with a bad path: the spec orders
     * both before state checks but not against each other.
     */
    boolean badArgument(String path) {
      return random.nextInt(100) < 3 && Model.components(path) != null;
    }

    NamespaceCommand.Builder randomCommand() {
      int r = random.nextInt(100);
      if (r < 18) {
        CreateDirectory.Builder c =
            CreateDirectory.newBuilder()
                .setPath(newOrRandom(40))
                .setRecursive(random.nextBoolean())
                .setMode(random.nextInt(07777 + 1))
                .setOwner(randomOwner())
                .setGroup(randomOwner())
                .setTtlMs(randomTtl());
        if (badArgument(c.getPath())) {
          switch (random.nextInt(4)) {
            case 0 -> c.setMode(010000 + random.nextInt(100));
            case 1 -> c.setOwner("");
            case 2 -> c.setGroup("g/h");
            default -> c.setTtlMs(-1 - random.nextInt(10));
          }
        }
        return NamespaceCommand.newBuilder().setCreateDirectory(c);
      }
      if (r < 36) {
        CreateFile.Builder c =
            CreateFile.newBuilder()
                .setPath(newOrRandom(40))
                .setRecursive(random.nextInt(5) < 2)
                .setMode(random.nextInt(07777 + 1))
                .setOwner(randomOwner())
                .setGroup(randomOwner())
                .setBlockSize(1 + random.nextInt(1 << 26))
                .setTtlMs(randomTtl());
        if (badArgument(c.getPath())) {
          switch (random.nextInt(4)) {
            case 0 -> c.setMode(-1);
            case 1 -> c.setBlockSize(-random.nextInt(3));
            case 2 -> c.setOwner("a\0");
            default -> c.setTtlMs(Long.MIN_VALUE);
          }
        }
        return NamespaceCommand.newBuilder().setCreateFile(c);
      }
      if (r < 46) {
        String path = existingOrRandom(50, n -> !n.directory);
        long length = badArgument(path) ? -1 : random.nextInt(1 << 30);
        return NamespaceCommand.newBuilder()
            .setCompleteFile(CompleteFile.newBuilder().setPath(path).setLength(length));
      }
      if (r < 64) {
        String src = existingOrRandom(60, n -> n.parent != null);
        String dst;
        int d = random.nextInt(100);
        if (d < 8 && !src.equals("/")) {
          dst = child(src, randomName()); // under itself
        } else if (d < 60) {
          dst = child(randomNode(n -> n.directory).path(), randomName()); // into some directory
        } else {
          dst = randomPath();
        }
        return NamespaceCommand.newBuilder().setRename(Rename.newBuilder().setSrc(src).setDst(dst));
      }
      if (r < 76) {
        return NamespaceCommand.newBuilder()
            .setDelete(
                Delete.newBuilder()
                    .setPath(existingOrRandom(30, n -> n.parent != null))
                    .setRecursive(random.nextInt(5) < 2));
      }
      return NamespaceCommand.newBuilder().setSetAttribute(randomSetAttribute());
    }

    SetAttribute.Builder randomSetAttribute() {
      SetAttribute.Builder c = SetAttribute.newBuilder().setPath(existingOrRandom(60, n -> true));
      if (random.nextInt(10) < 3) {
        c.setMode(random.nextInt(07777 + 1));
      }
      if (random.nextInt(10) < 2) {
        c.setOwner(randomOwner());
      }
      if (random.nextInt(10) < 2) {
        c.setGroup(randomOwner());
      }
      if (random.nextInt(10) < 2) {
        c.setModificationTimeMs(random.nextInt(Integer.MAX_VALUE));
      }
      if (random.nextInt(10) < 2) {
        c.setTtlMs(randomTtl());
      }
      if (random.nextInt(10) < 5) {
        int count = random.nextInt(8) == 0 ? 10 + random.nextInt(20) : 1 + random.nextInt(4);
        for (int i = 0; i < count; i++) {
          int size = random.nextInt(8) == 0 ? 6_000 + random.nextInt(10_385) : random.nextInt(64);
          byte[] value = new byte[size];
          random.nextBytes(value);
          c.putSetXattrs("user.k" + random.nextInt(40), ByteString.copyFrom(value));
        }
      }
      if (random.nextInt(10) < 3) {
        for (int i = random.nextInt(4); i >= 0; i--) {
          c.addRemoveXattrs("user.k" + random.nextInt(40));
        }
      }
      if (badArgument(c.getPath())) {
        switch (random.nextInt(5)) {
          case 0 -> c.setMode(07777 + 1);
          case 1 -> c.setOwner("");
          case 2 -> c.setTtlMs(-1);
          case 3 -> c.putSetXattrs("user/bad", ByteString.EMPTY);
          default -> c.putSetXattrs("user.huge", ByteString.copyFrom(new byte[16 * 1024 + 1]));
        }
      }
      return c;
    }

    // -- one step

    void step() throws Exception {
      nodes = null;
      time += 1 + random.nextInt(10);
      int r = random.nextInt(100);
      if (r < 58) {
        mutate(randomCommand().setTimeMs(time));
      } else if (r < 70) {
        String path = randomPath();
        what = "getStatus " + path;
        kind = "GET_STATUS";
        expect(model.getStatus(path), () -> ns.namespace().getStatus(path));
      } else if (r < 78) {
        String path = randomPath();
        what = "exists " + path;
        kind = "EXISTS";
        exists(path);
      } else {
        list();
      }
    }

    void mutate(NamespaceCommand.Builder command) throws Exception {
      what = describe(command);
      kind = command.getOpCase().toString();
      Outcome expected = model.apply(command.build());
      if (expected.error() != null) {
        // Every refusal must leave the applied index alone (nothing was committed); every few
        // also compare the whole tree's checksum (a full walk: too slow for every one).
        long index = ns.namespace().store().appliedIndex();
        String before = ++refusals % 5 == 0 ? NamespaceTree.checksum(ns.namespace().store()) : null;
        expect(expected, () -> ns.execute(command));
        assertThat(ns.namespace().store().appliedIndex())
            .as("%s: a refused command must commit nothing", ctx())
            .isEqualTo(index);
        if (before != null) {
          assertThat(NamespaceTree.checksum(ns.namespace().store()))
              .as("%s: a refused command must change nothing", ctx())
              .isEqualTo(before);
        }
      } else {
        expect(expected, () -> ns.execute(command));
      }
    }

    interface Call {
      Inode run() throws NamespaceException;
    }

    /** Outcomes seen, by operation ("LIST", "RENAME", ...) and error code ("OK" for success). */
    final Map<String, Integer> outcomes = new TreeMap<>();

    int refusals;

    void count(ErrorCode error) {
      outcomes.merge(kind + " " + (error == null ? "OK" : error.name()), 1, Integer::sum);
    }

    /** Guards the generator: every operation succeeds sometimes, and every error code occurs. */
    void assertCoverage() {
      for (String k :
          List.of(
              "CREATE_DIRECTORY",
              "CREATE_FILE",
              "COMPLETE_FILE",
              "RENAME",
              "DELETE",
              "SET_ATTRIBUTE",
              "GET_STATUS",
              "EXISTS",
              "LIST")) {
        assertThat(outcomes)
            .as("seed=%d: %s never succeeded: %s", seed, k, outcomes)
            .containsKey(k + " OK");
      }
      for (ErrorCode code : ErrorCode.values()) {
        if (code != ErrorCode.ERROR_CODE_UNSPECIFIED && code != ErrorCode.UNRECOGNIZED) {
          assertThat(outcomes.keySet())
              .as("seed=%d: %s never occurred: %s", seed, code, outcomes)
              .anyMatch(k -> k.endsWith(" " + code.name()));
        }
      }
    }

    void expect(Outcome expected, Call call) {
      count(expected.error());
      Inode actual;
      try {
        actual = call.run();
      } catch (NamespaceException e) {
        if (expected.error() == null) {
          fail("%s: expected success with %s but got %s", ctx(), expected.node().path(), e);
        }
        assertThat(e.code())
            .as("%s: error code (message: %s)", ctx(), e.getMessage())
            .isEqualTo(expected.error());
        assertThat(e.getMessage()).as("%s: error message", ctx()).isNotBlank();
        return;
      }
      if (expected.error() != null) {
        fail(
            "%s: expected %s but it succeeded with %s",
            ctx(), expected.error(), TextFormat.shortDebugString(actual));
      }
      assertInode(actual, expected.node(), expected.parent(), expected.name());
    }

    void exists(String path) {
      Outcome expected = model.getStatus(path);
      count(expected.error() == ErrorCode.INVALID_PATH ? ErrorCode.INVALID_PATH : null);
      boolean actual;
      try {
        actual = ns.namespace().exists(path);
      } catch (NamespaceException e) {
        assertThat(expected.error()).as("%s: %s", ctx(), e).isEqualTo(ErrorCode.INVALID_PATH);
        assertThat(e.code()).as(ctx()).isEqualTo(ErrorCode.INVALID_PATH);
        return;
      }
      assertThat(expected.error())
          .as("%s: exists answered", ctx())
          .isNotEqualTo(ErrorCode.INVALID_PATH);
      assertThat(actual).as("%s: exists", ctx()).isEqualTo(expected.error() == null);
    }

    void list() {
      String path;
      if (random.nextInt(10) < 8) {
        path = randomNode(random.nextInt(10) < 8 ? n -> n.directory : n -> true).path();
      } else {
        path = randomPath();
      }
      String startAfter = "";
      int c = random.nextInt(10);
      if (c < 3) {
        startAfter = randomName();
      } else if (c < 5) {
        Outcome o = model.getStatus(path);
        if (o.node() != null && !o.node().children.isEmpty()) {
          List<String> names = new ArrayList<>(o.node().children.keySet());
          startAfter = names.get(random.nextInt(names.size()));
        }
      } else if (c == 5) {
        startAfter = random.nextBoolean() ? "aa" : "zzz";
      }
      int limit = random.nextInt(20) == 0 ? 10_000 : 1 + random.nextInt(5);
      if (random.nextInt(100) < 2) {
        limit = random.nextBoolean() ? 0 : 10_001;
      } else if (random.nextInt(100) < 1) {
        startAfter = "a/b";
      }
      String from = startAfter;
      int max = limit;
      what = "listStatus " + path + " after '" + from + "' limit " + max;
      kind = "LIST";
      Object expected = model.list(path, from, max);
      count(expected instanceof ErrorCode e ? e : null);
      Listing actual;
      try {
        actual = ns.namespace().listStatus(path, from, max);
      } catch (NamespaceException e) {
        assertThat(expected).as("%s: got %s", ctx(), e).isInstanceOf(ErrorCode.class);
        assertThat(e.code()).as("%s: %s", ctx(), e.getMessage()).isEqualTo(expected);
        assertThat(e.getMessage()).as(ctx()).isNotBlank();
        return;
      }
      assertThat(expected).as("%s: listing succeeded", ctx()).isInstanceOf(Page.class);
      Page page = (Page) expected;
      assertThat(actual.children().stream().map(Inode::getName).toList())
          .as("%s: names", ctx())
          .containsExactlyElementsOf(page.children().stream().map(n -> n.name).toList());
      assertThat(actual.hasMore()).as("%s: hasMore", ctx()).isEqualTo(page.hasMore());
      for (int i = 0; i < page.children().size(); i++) {
        Node n = page.children().get(i);
        assertInode(actual.children().get(i), n, n.parent, n.name);
      }
    }

    // -- comparison

    void assertInode(Inode actual, Node node, Node parent, String name) {
      String c = ctx() + ": " + (parent == null ? "/" : child(parent.path(), name));
      assertThat(actual.getName()).as("%s name", c).isEqualTo(name);
      assertThat(actual.getDirectory()).as("%s directory", c).isEqualTo(node.directory);
      assertThat(actual.getMode()).as("%s mode", c).isEqualTo(node.mode);
      assertThat(actual.getOwner()).as("%s owner", c).isEqualTo(node.owner);
      assertThat(actual.getGroup()).as("%s group", c).isEqualTo(node.group);
      assertThat(actual.getCreationTimeMs()).as("%s creation time", c).isEqualTo(node.creationTime);
      assertThat(actual.getModificationTimeMs())
          .as("%s modification time", c)
          .isEqualTo(node.modificationTime);
      assertThat(actual.getLength()).as("%s length", c).isEqualTo(node.length);
      assertThat(actual.getBlockSize()).as("%s block size", c).isEqualTo(node.blockSize);
      assertThat(actual.getCompleted()).as("%s completed", c).isEqualTo(node.completed);
      assertThat(actual.getChildCount()).as("%s child count", c).isEqualTo(node.children.size());
      assertThat(actual.getTtlMs()).as("%s ttl", c).isEqualTo(node.ttl);
      assertThat(new TreeMap<>(actual.getXattrsMap())).as("%s xattrs", c).isEqualTo(node.xattrs);
      // Identity: an inode keeps its id through renames and reopens; ids are never reused.
      if (node.id < 0) {
        Node other = byId.putIfAbsent(actual.getId(), node);
        assertThat(other)
            .as("%s: id %d already belonged to another inode", c, actual.getId())
            .isNull();
        node.id = actual.getId();
      }
      assertThat(actual.getId()).as("%s id", c).isEqualTo(node.id);
      if (parent == null) {
        assertThat(actual.getParentId()).as("%s parent id", c).isZero();
      } else {
        if (parent.id < 0) {
          Node other = byId.putIfAbsent(actual.getParentId(), parent);
          assertThat(other)
              .as("%s: parent id %d belonged to another inode", c, actual.getParentId())
              .isNull();
          parent.id = actual.getParentId();
        }
        assertThat(actual.getParentId()).as("%s parent id", c).isEqualTo(parent.id);
      }
    }

    void compareTree() {
      LinkedHashMap<String, Inode> actual = new LinkedHashMap<>();
      NamespaceTree.walk(ns.namespace().store(), actual::put);
      LinkedHashMap<String, Node> expected = model.flatten();
      assertThat(new ArrayList<>(actual.keySet()))
          .as("%s: the paths of the whole tree, in order", ctx())
          .containsExactlyElementsOf(expected.keySet());
      for (Map.Entry<String, Node> e : expected.entrySet()) {
        Node n = e.getValue();
        assertInode(actual.get(e.getKey()), n, n.parent, n.parent == null ? "" : n.name);
      }
      assertThat(NamespaceTree.verify(ns.namespace().store())).as("%s: verify", ctx()).isEmpty();
    }

    static String describe(NamespaceCommand.Builder command) {
      // Values of big xattrs would drown the message; their sizes are enough.
      NamespaceCommand.Builder shown = command.clone();
      if (shown.hasSetAttribute()) {
        SetAttribute.Builder s = shown.getSetAttributeBuilder();
        Map<String, ByteString> sizes = new TreeMap<>();
        s.getSetXattrsMap()
            .forEach((k, v) -> sizes.put(k, ByteString.copyFromUtf8(v.size() + " bytes")));
        s.clearSetXattrs().putAllSetXattrs(sizes);
      }
      return TextFormat.printer()
          .emittingSingleLine(true)
          .escapingNonAscii(false)
          .printToString(shown);
    }
  }
}

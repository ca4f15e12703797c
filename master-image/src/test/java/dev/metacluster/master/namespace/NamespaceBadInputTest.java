package dev.metacluster.master.namespace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.protobuf.ByteString;
import dev.metacluster.master.proto.ErrorCode;
import dev.metacluster.master.proto.NamespaceCommand;
import dev.metacluster.master.proto.SetAttribute;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every kind of bad input is refused with the exact error code, a message that names the problem,
 * and no change to the tree. Also pins the boundaries (the largest accepted value of each limit).
 */
class NamespaceBadInputTest {
  /** Something done to the namespace that is expected to be refused. */
  @FunctionalInterface
  interface Op {
    void run(LocalNamespace ns) throws NamespaceException;
  }

  /**
   * One bad input: what is set up first (accepted), what is then refused, the code it must get and
   * a text the message must contain. Setups are idempotent so that cases can run one after another.
   */
  record Case(String name, Op setup, Op op, ErrorCode code, String fragment) {
    Case(String name, Op op, ErrorCode code, String fragment) {
      this(name, n -> {}, op, code, fragment);
    }

    @Override
    public String toString() {
      return name;
    }
  }

  private static final int MAX_VALUE = NamespaceLimits.MAX_XATTR_VALUE_BYTES;

  @TempDir Path dir;
  LocalNamespace ns;

  /**
   * The tree every case runs against:
   *
   * <pre>
   * /d          directory
   * /d/sub      directory
   * /d/sub/g    file
   * /d/x        file with two extended attributes
   * /f          file, not completed
   * /done       file, completed
   * </pre>
   */
  @BeforeEach
  void open() throws NamespaceException {
    ns = NamespaceTestSupport.open(dir);
    ns.execute(Commands.mkdir("/d/sub", true, "u"));
    ns.execute(Commands.createFile("/d/sub/g", false, "u"));
    ns.execute(Commands.createFile("/d/x", false, "u"));
    ns.execute(Commands.setXattr("/d/x", "user.one", bytes(10)));
    ns.execute(Commands.setXattr("/d/x", "user.two", bytes(10)));
    ns.execute(Commands.createFile("/f", false, "u"));
    ns.execute(Commands.createFile("/done", false, "u"));
    ns.execute(Commands.complete("/done", 7));
  }

  @AfterEach
  void close() {
    ns.close();
  }

  // ---- helpers -----------------------------------------------------------------------------

  private static byte[] bytes(int n) {
    return new byte[n];
  }

  private static String repeat(String s, int n) {
    return s.repeat(n);
  }

  private static int utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8).length;
  }

  private String checksum() {
    return NamespaceTree.checksum(ns.namespace().store());
  }

  /** Runs {@code op}, asserts it is refused with {@code code} and changes nothing. */
  private NamespaceException assertRefused(Case c) throws NamespaceException {
    c.setup().run(ns);
    return assertRefused(c.name(), c.op(), c.code(), c.fragment());
  }

  private NamespaceException assertRefused(String what, Op op, ErrorCode code, String fragment) {
    String before = checksum();
    NamespaceException e = catchThrowableOfType(NamespaceException.class, () -> op.run(ns));
    assertThat(e).as("%s must be refused", what).isNotNull();
    assertThat(e.code()).as("%s: code (message: %s)", what, e.getMessage()).isEqualTo(code);
    assertThat(e.getMessage()).as("%s: message", what).isNotBlank().contains(fragment);
    assertThat(checksum()).as("%s: the tree must not change", what).isEqualTo(before);
    assertThat(NamespaceTree.verify(ns.namespace().store())).as(what).isEmpty();
    return e;
  }

  private static NamespaceCommand.Builder setAttribute(String path, SetAttribute.Builder attrs) {
    return NamespaceCommand.newBuilder().setSetAttribute(attrs.setPath(path));
  }

  // ---- path syntax: every operation refuses a bad path with INVALID_PATH -------------------

  /** A syntactically bad path, and a text its error message must contain. */
  record BadPath(String name, String path, String fragment) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<BadPath> badPaths() {
    String longName = repeat("x", 256);
    String longMultiByteName = repeat("é", 128); // 128 characters, 256 UTF-8 bytes
    // 17 names of 255 bytes: 17 * 256 = 4352 bytes.
    String longAsciiPath = repeat("/" + repeat("y", 255), 17);
    // 17 names of 127 'é' (254 bytes): 4335 bytes but only 2193 characters.
    String longMultiBytePath = repeat("/" + repeat("é", 127), 17);
    String deepPath = repeat("/a", NamespaceLimits.MAX_DEPTH + 1);
    return Stream.of(
        new BadPath("empty path", "", "empty"),
        new BadPath("relative path", "a/b", "not absolute"),
        new BadPath("relative name", "a", "not absolute"),
        new BadPath("trailing slash", "/a/", "ends with '/'"),
        new BadPath("leading double slash", "//a", "'//'"),
        new BadPath("empty name in the middle", "/a//b", "'//'"),
        new BadPath("only slashes", "//", "'//'"),
        new BadPath("dot component", "/a/./b", "'.'"),
        new BadPath("dot at the end", "/a/.", "'.'"),
        new BadPath("dot-dot component", "/a/../b", "'..'"),
        new BadPath("dot-dot at the top", "/..", "'..'"),
        new BadPath("name of 256 ASCII bytes", "/d/" + longName, "256 UTF-8 bytes"),
        new BadPath("name of 128 x 'é' = 256 bytes", "/d/" + longMultiByteName, "256 UTF-8 bytes"),
        new BadPath("NUL in a name", "/d/a\0b", "NUL"),
        new BadPath("unpaired high surrogate", "/d/a\uD834b", "surrogate"),
        new BadPath("unpaired low surrogate", "/d/\uDD1E", "surrogate"),
        new BadPath("high surrogate at the end", "/d/a\uD834", "surrogate"),
        new BadPath("path over 4096 bytes", longAsciiPath, "4096"),
        new BadPath("path over 4096 UTF-8 bytes in fewer characters", longMultiBytePath, "4096"),
        new BadPath("path over 1024 levels", deepPath, "1024"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badPaths")
  void everyOperationRefusesABadPath(BadPath bad) {
    String p = bad.path();
    List<Case> ops = new ArrayList<>();
    ops.add(new Case("getStatus", n -> n.namespace().getStatus(p), null, null));
    ops.add(new Case("exists", n -> n.namespace().exists(p), null, null));
    ops.add(new Case("listStatus", n -> n.namespace().listStatus(p, "", 10), null, null));
    ops.add(new Case("mkdir", n -> n.execute(Commands.mkdir(p, false, "u")), null, null));
    ops.add(new Case("mkdir -p", n -> n.execute(Commands.mkdir(p, true, "u")), null, null));
    ops.add(new Case("createFile", n -> n.execute(Commands.createFile(p, true, "u")), null, null));
    ops.add(new Case("complete", n -> n.execute(Commands.complete(p, 1)), null, null));
    ops.add(new Case("rename src", n -> n.execute(Commands.rename(p, "/d/new")), null, null));
    ops.add(new Case("rename dst", n -> n.execute(Commands.rename("/f", p)), null, null));
    ops.add(new Case("delete", n -> n.execute(Commands.delete(p, true)), null, null));
    ops.add(new Case("setAttribute", n -> n.execute(Commands.setMode(p, 0700)), null, null));
    for (Case op : ops) {
      assertRefused(
          op.name() + "(" + bad.name() + ")", op.op(), ErrorCode.INVALID_PATH, bad.fragment());
    }
  }

  @Test
  void pathSyntaxIsCheckedBeforeArguments() {
    NamespaceCommand.Builder mkdir = Commands.mkdir("/a/", false, "u");
    mkdir.getCreateDirectoryBuilder().setMode(0_10000);
    assertRefused("bad path and bad mode", n -> n.execute(mkdir), ErrorCode.INVALID_PATH, "'/'");
  }

  // ---- limits: the largest accepted value of each bound ------------------------------------

  @Test
  void acceptsTheLargestNameAndPath() throws NamespaceException {
    String name255 = repeat("é", 127) + "x";
    assertThat(utf8(name255)).isEqualTo(NamespaceLimits.MAX_NAME_BYTES);
    ns.execute(Commands.createFile("/d/" + name255, false, "u"));
    assertThat(ns.namespace().getStatus("/d/" + name255).getName()).isEqualTo(name255);

    // 16 names of 255 bytes: exactly 4096 bytes.
    String path4096 = repeat("/" + repeat("z", 255), 16);
    assertThat(utf8(path4096)).isEqualTo(NamespaceLimits.MAX_PATH_BYTES);
    ns.execute(Commands.createFile(path4096, true, "u"));
    assertThat(ns.namespace().exists(path4096)).isTrue();

    String deepest = repeat("/a", NamespaceLimits.MAX_DEPTH);
    ns.execute(Commands.mkdir(deepest, true, "u"));
    assertThat(ns.namespace().getStatus(deepest).getDirectory()).isTrue();
    assertThat(ns.namespace().listStatus(deepest, "", 1).children()).isEmpty();
    assertThat(NamespaceTree.verify(ns.namespace().store())).isEmpty();
  }

  @Test
  void acceptsTheLargestListingLimitAndXattrs() throws NamespaceException {
    assertThat(ns.namespace().listStatus("/d", "", 1).children()).hasSize(1);
    assertThat(ns.namespace().listStatus("/d", "", NamespaceLimits.MAX_LIST_LIMIT).children())
        .hasSize(2);
    ns.execute(Commands.setXattr("/f", "user.max", bytes(NamespaceLimits.MAX_XATTR_VALUE_BYTES)));
    SetAttribute.Builder many = SetAttribute.newBuilder();
    for (int i = 1; i < NamespaceLimits.MAX_XATTRS; i++) {
      many.putSetXattrs("user.k" + i, ByteString.EMPTY);
    }
    ns.execute(setAttribute("/f", many));
    assertThat(ns.namespace().getStatus("/f").getXattrsCount())
        .isEqualTo(NamespaceLimits.MAX_XATTRS);
  }

  // ---- everything else: one case per bad input ---------------------------------------------

  static Stream<Case> cases() {
    List<Case> c = new ArrayList<>();

    // A missing parent or target.
    c.add(
        new Case(
            "mkdir under a missing parent",
            n -> n.execute(Commands.mkdir("/nope/x", false, "u")),
            ErrorCode.NOT_FOUND,
            "/nope"));
    c.add(
        new Case(
            "createFile under a missing parent",
            n -> n.execute(Commands.createFile("/d/nope/x", false, "u")),
            ErrorCode.NOT_FOUND,
            "/d/nope"));
    c.add(
        new Case(
            "getStatus of a missing path",
            n -> n.namespace().getStatus("/nope"),
            ErrorCode.NOT_FOUND,
            "/nope"));
    c.add(
        new Case(
            "getStatus under a missing parent",
            n -> n.namespace().getStatus("/nope/deeper/still"),
            ErrorCode.NOT_FOUND,
            "/nope"));
    c.add(
        new Case(
            "listStatus of a missing directory",
            n -> n.namespace().listStatus("/d/nope", "", 10),
            ErrorCode.NOT_FOUND,
            "/d/nope"));
    c.add(
        new Case(
            "complete under a missing parent",
            n -> n.execute(Commands.complete("/nope/f", 1)),
            ErrorCode.NOT_FOUND,
            "/nope"));
    c.add(
        new Case(
            "delete of a missing path",
            n -> n.execute(Commands.delete("/d/nope", true)),
            ErrorCode.NOT_FOUND,
            "/d/nope"));
    c.add(
        new Case(
            "setAttribute of a missing path",
            n -> n.execute(Commands.setMode("/nope", 0700)),
            ErrorCode.NOT_FOUND,
            "/nope"));
    c.add(
        new Case(
            "rename of a missing source",
            n -> n.execute(Commands.rename("/nope", "/d/y")),
            ErrorCode.NOT_FOUND,
            "/nope"));
    c.add(
        new Case(
            "rename into a missing directory",
            n -> n.execute(Commands.rename("/f", "/nope/f")),
            ErrorCode.NOT_FOUND,
            "/nope"));
    c.add(
        new Case(
            "rename into a missing directory two levels down",
            n -> n.execute(Commands.rename("/f", "/d/nope/deeper/f")),
            ErrorCode.NOT_FOUND,
            "/d/nope"));

    // A file where a directory is needed.
    c.add(
        new Case(
            "listing a file",
            n -> n.namespace().listStatus("/f", "", 10),
            ErrorCode.NOT_A_DIRECTORY,
            "/f"));
    c.add(
        new Case(
            "getStatus under a file",
            n -> n.namespace().getStatus("/d/sub/g/x"),
            ErrorCode.NOT_A_DIRECTORY,
            "/d/sub/g"));
    c.add(
        new Case(
            "listing under a file",
            n -> n.namespace().listStatus("/f/x", "", 10),
            ErrorCode.NOT_A_DIRECTORY,
            "/f"));
    c.add(
        new Case(
            "mkdir under a file",
            n -> n.execute(Commands.mkdir("/f/x", false, "u")),
            ErrorCode.NOT_A_DIRECTORY,
            "/f"));
    c.add(
        new Case(
            "mkdir -p under a file",
            n -> n.execute(Commands.mkdir("/f/x/y", true, "u")),
            ErrorCode.NOT_A_DIRECTORY,
            "/f"));
    c.add(
        new Case(
            "createFile under a file",
            n -> n.execute(Commands.createFile("/f/x", false, "u")),
            ErrorCode.NOT_A_DIRECTORY,
            "/f"));
    c.add(
        new Case(
            "createFile recursive under a file",
            n -> n.execute(Commands.createFile("/d/sub/g/x/y", true, "u")),
            ErrorCode.NOT_A_DIRECTORY,
            "/d/sub/g"));
    c.add(
        new Case(
            "complete under a file",
            n -> n.execute(Commands.complete("/f/x", 1)),
            ErrorCode.NOT_A_DIRECTORY,
            "/f"));
    c.add(
        new Case(
            "delete under a file",
            n -> n.execute(Commands.delete("/f/x", true)),
            ErrorCode.NOT_A_DIRECTORY,
            "/f"));
    c.add(
        new Case(
            "setAttribute under a file",
            n -> n.execute(Commands.setMode("/f/x", 0700)),
            ErrorCode.NOT_A_DIRECTORY,
            "/f"));
    c.add(
        new Case(
            "rename of a source under a file",
            n -> n.execute(Commands.rename("/f/x", "/d/y")),
            ErrorCode.NOT_A_DIRECTORY,
            "/f"));
    c.add(
        new Case(
            "rename into a file (the destination's parent is a file)",
            n -> n.execute(Commands.rename("/d/sub/g", "/f/g")),
            ErrorCode.NOT_A_DIRECTORY,
            "/f"));
    c.add(
        new Case(
            "rename to below a file",
            n -> n.execute(Commands.rename("/d/sub/g", "/f/x/g")),
            ErrorCode.NOT_A_DIRECTORY,
            "/f"));
    c.add(
        new Case(
            "a missing source wins over a destination under a file",
            n -> n.execute(Commands.rename("/d/nope", "/f/x")),
            ErrorCode.NOT_FOUND,
            "/d/nope"));

    // Already there.
    c.add(
        new Case(
            "mkdir of an existing directory",
            n -> n.execute(Commands.mkdir("/d", false, "u")),
            ErrorCode.ALREADY_EXISTS,
            "/d"));
    c.add(
        new Case(
            "mkdir -p over an existing file",
            n -> n.execute(Commands.mkdir("/f", true, "u")),
            ErrorCode.ALREADY_EXISTS,
            "/f"));
    c.add(
        new Case(
            "createFile over an existing directory",
            n -> n.execute(Commands.createFile("/d/sub", true, "u")),
            ErrorCode.ALREADY_EXISTS,
            "/d/sub"));
    c.add(
        new Case(
            "createFile over an existing file",
            n -> n.execute(Commands.createFile("/f", false, "u")),
            ErrorCode.ALREADY_EXISTS,
            "/f"));
    c.add(
        new Case(
            "mkdir of the root",
            n -> n.execute(Commands.mkdir("/", false, "u")),
            ErrorCode.ALREADY_EXISTS,
            "/"));
    c.add(
        new Case(
            "createFile of the root",
            n -> n.execute(Commands.createFile("/", true, "u")),
            ErrorCode.ALREADY_EXISTS,
            "/"));
    c.add(
        new Case(
            "rename onto itself",
            n -> n.execute(Commands.rename("/d", "/d")),
            ErrorCode.ALREADY_EXISTS,
            "/d"));
    c.add(
        new Case(
            "rename onto its own parent",
            n -> n.execute(Commands.rename("/d/sub", "/d")),
            ErrorCode.ALREADY_EXISTS,
            "/d"));
    c.add(
        new Case(
            "rename onto an existing file",
            n -> n.execute(Commands.rename("/f", "/d/sub/g")),
            ErrorCode.ALREADY_EXISTS,
            "/d/sub/g"));

    // Rename of the root, and of a directory under itself.
    c.add(
        new Case(
            "renaming the root",
            n -> n.execute(Commands.rename("/", "/r")),
            ErrorCode.INVALID_RENAME,
            "root"));
    c.add(
        new Case(
            "renaming onto the root",
            n -> n.execute(Commands.rename("/d", "/")),
            ErrorCode.INVALID_RENAME,
            "root"));
    c.add(
        new Case(
            "moving a directory under itself",
            n -> n.execute(Commands.rename("/d", "/d/sub/d")),
            ErrorCode.INVALID_RENAME,
            "under itself"));
    c.add(
        new Case(
            "moving a directory into itself",
            n -> n.execute(Commands.rename("/d", "/d/d")),
            ErrorCode.INVALID_RENAME,
            "under itself"));
    c.add(
        new Case(
            "moving a missing path under itself (checked before existence)",
            n -> n.execute(Commands.rename("/nope", "/nope/x")),
            ErrorCode.INVALID_RENAME,
            "under itself"));
    c.add(
        new Case(
            "moving a file under itself",
            n -> n.execute(Commands.rename("/f", "/f/x")),
            ErrorCode.INVALID_RENAME,
            "under itself"));

    // Delete and complete.
    c.add(
        new Case(
            "deleting the root",
            n -> n.execute(Commands.delete("/", true)),
            ErrorCode.INVALID_ARGUMENT,
            "root"));
    c.add(
        new Case(
            "deleting a non-empty directory without recursive",
            n -> n.execute(Commands.delete("/d", false)),
            ErrorCode.DIRECTORY_NOT_EMPTY,
            "/d"));
    c.add(
        new Case(
            "completing a directory",
            n -> n.execute(Commands.complete("/d", 1)),
            ErrorCode.IS_A_DIRECTORY,
            "/d"));
    c.add(
        new Case(
            "completing the root",
            n -> n.execute(Commands.complete("/", 1)),
            ErrorCode.IS_A_DIRECTORY,
            "/"));
    c.add(
        new Case(
            "completing a completed file",
            n -> n.execute(Commands.complete("/done", 9)),
            ErrorCode.FILE_ALREADY_COMPLETED,
            "/done"));

    // Arguments out of range.
    c.add(
        new Case(
            "mkdir with mode 010000",
            n -> {
              NamespaceCommand.Builder b = Commands.mkdir("/d/new", false, "u");
              b.getCreateDirectoryBuilder().setMode(0_10000);
              n.execute(b);
            },
            ErrorCode.INVALID_ARGUMENT,
            "mode"));
    c.add(
        new Case(
            "mkdir with mode 0xFFFFFFFF (negative as a Java int)",
            n -> {
              NamespaceCommand.Builder b = Commands.mkdir("/d/new", false, "u");
              b.getCreateDirectoryBuilder().setMode(-1);
              n.execute(b);
            },
            ErrorCode.INVALID_ARGUMENT,
            "mode"));
    c.add(
        new Case(
            "createFile with mode 010000",
            n -> {
              NamespaceCommand.Builder b = Commands.createFile("/d/new", false, "u");
              b.getCreateFileBuilder().setMode(0_10000);
              n.execute(b);
            },
            ErrorCode.INVALID_ARGUMENT,
            "mode"));
    c.add(
        new Case(
            "setAttribute with mode 010000",
            n -> n.execute(Commands.setMode("/f", 0_10000)),
            ErrorCode.INVALID_ARGUMENT,
            "mode"));
    c.add(
        new Case(
            "createFile with block size 0",
            n -> {
              NamespaceCommand.Builder b = Commands.createFile("/d/new", false, "u");
              b.getCreateFileBuilder().setBlockSize(0);
              n.execute(b);
            },
            ErrorCode.INVALID_ARGUMENT,
            "block size"));
    c.add(
        new Case(
            "createFile with a negative block size",
            n -> {
              NamespaceCommand.Builder b = Commands.createFile("/d/new", false, "u");
              b.getCreateFileBuilder().setBlockSize(-1);
              n.execute(b);
            },
            ErrorCode.INVALID_ARGUMENT,
            "block size"));
    c.add(
        new Case(
            "complete with a negative length",
            n -> n.execute(Commands.complete("/f", -1)),
            ErrorCode.INVALID_ARGUMENT,
            "length"));
    c.add(
        new Case(
            "mkdir with a negative ttl",
            n -> {
              NamespaceCommand.Builder b = Commands.mkdir("/d/new", false, "u");
              b.getCreateDirectoryBuilder().setTtlMs(-1);
              n.execute(b);
            },
            ErrorCode.INVALID_ARGUMENT,
            "ttl"));
    c.add(
        new Case(
            "createFile with a negative ttl",
            n -> {
              NamespaceCommand.Builder b = Commands.createFile("/d/new", false, "u");
              b.getCreateFileBuilder().setTtlMs(-5);
              n.execute(b);
            },
            ErrorCode.INVALID_ARGUMENT,
            "ttl"));
    c.add(
        new Case(
            "setAttribute with a negative ttl",
            n -> n.execute(setAttribute("/f", SetAttribute.newBuilder().setTtlMs(-1))),
            ErrorCode.INVALID_ARGUMENT,
            "ttl"));
    c.add(
        new Case(
            "mkdir with an empty owner",
            n -> n.execute(Commands.mkdir("/d/new", false, "")),
            ErrorCode.INVALID_ARGUMENT,
            "owner"));
    c.add(
        new Case(
            "createFile with an empty group",
            n -> {
              NamespaceCommand.Builder b = Commands.createFile("/d/new", false, "u");
              b.getCreateFileBuilder().setGroup("");
              n.execute(b);
            },
            ErrorCode.INVALID_ARGUMENT,
            "group"));
    c.add(
        new Case(
            "setAttribute with an empty owner",
            n -> n.execute(Commands.setOwner("/f", "", "g")),
            ErrorCode.INVALID_ARGUMENT,
            "owner"));
    c.add(
        new Case(
            "setAttribute with '/' in the group",
            n -> n.execute(Commands.setOwner("/f", "u", "a/b")),
            ErrorCode.INVALID_ARGUMENT,
            "group"));
    c.add(
        new Case(
            "owner with NUL",
            n -> n.execute(Commands.mkdir("/d/new", false, "a\0b")),
            ErrorCode.INVALID_ARGUMENT,
            "owner"));
    c.add(
        new Case(
            "owner over 255 bytes",
            n -> n.execute(Commands.createFile("/d/new", false, repeat("o", 256))),
            ErrorCode.INVALID_ARGUMENT,
            "owner"));
    c.add(
        new Case(
            "command with no operation",
            n -> n.execute(NamespaceCommand.newBuilder()),
            ErrorCode.INVALID_ARGUMENT,
            "no operation"));

    // Argument checks come before state checks.
    c.add(
        new Case(
            "bad mode under a missing parent",
            n -> {
              NamespaceCommand.Builder b = Commands.mkdir("/nope/x", false, "u");
              b.getCreateDirectoryBuilder().setMode(0_10000);
              n.execute(b);
            },
            ErrorCode.INVALID_ARGUMENT,
            "mode"));
    c.add(
        new Case(
            "bad block size over an existing file",
            n -> {
              NamespaceCommand.Builder b = Commands.createFile("/f", false, "u");
              b.getCreateFileBuilder().setBlockSize(0);
              n.execute(b);
            },
            ErrorCode.INVALID_ARGUMENT,
            "block size"));
    c.add(
        new Case(
            "negative length on a directory",
            n -> n.execute(Commands.complete("/d", -1)),
            ErrorCode.INVALID_ARGUMENT,
            "length"));
    c.add(
        new Case(
            "negative ttl under a file",
            n -> n.execute(setAttribute("/f/x", SetAttribute.newBuilder().setTtlMs(-1))),
            ErrorCode.INVALID_ARGUMENT,
            "ttl"));
    c.add(
        new Case(
            "oversized xattr value on a missing path",
            n ->
                n.execute(
                    Commands.setXattr(
                        "/nope", "user.v", bytes(NamespaceLimits.MAX_XATTR_VALUE_BYTES + 1))),
            ErrorCode.LIMIT_EXCEEDED,
            "user.v"));

    // Extended attributes.
    c.add(
        new Case(
            "xattr with an empty name",
            n -> n.execute(Commands.setXattr("/f", "", bytes(1))),
            ErrorCode.INVALID_ARGUMENT,
            "extended attribute"));
    c.add(
        new Case(
            "xattr name with '/'",
            n -> n.execute(Commands.setXattr("/f", "user/a", bytes(1))),
            ErrorCode.INVALID_ARGUMENT,
            "extended attribute"));
    c.add(
        new Case(
            "xattr name over 255 bytes",
            n -> n.execute(Commands.setXattr("/f", repeat("n", 256), bytes(1))),
            ErrorCode.INVALID_ARGUMENT,
            "extended attribute"));
    c.add(
        new Case(
            "removing an xattr with an invalid name",
            n -> n.execute(setAttribute("/d/x", SetAttribute.newBuilder().addRemoveXattrs("a\0"))),
            ErrorCode.INVALID_ARGUMENT,
            "extended attribute"));
    c.add(
        new Case(
            "xattr value of 16 KiB + 1",
            n ->
                n.execute(
                    Commands.setXattr(
                        "/f", "user.big", bytes(NamespaceLimits.MAX_XATTR_VALUE_BYTES + 1))),
            ErrorCode.LIMIT_EXCEEDED,
            String.valueOf(NamespaceLimits.MAX_XATTR_VALUE_BYTES)));
    c.add(
        new Case(
            "33 xattrs in one command",
            n -> {
              SetAttribute.Builder b = SetAttribute.newBuilder();
              for (int i = 0; i <= NamespaceLimits.MAX_XATTRS; i++) {
                b.putSetXattrs("user.k" + i, ByteString.EMPTY);
              }
              n.execute(setAttribute("/f", b));
            },
            ErrorCode.LIMIT_EXCEEDED,
            "33 extended attributes"));
    c.add(
        new Case(
            "a 33rd xattr next to 32 existing ones",
            n -> {
              SetAttribute.Builder b = SetAttribute.newBuilder();
              for (int i = 0; i < NamespaceLimits.MAX_XATTRS - 2; i++) {
                b.putSetXattrs("user.k" + i, ByteString.EMPTY);
              }
              n.execute(setAttribute("/d/x", b)); // 2 + 30 = 32: accepted
            },
            n -> n.execute(Commands.setXattr("/d/x", "user.more", bytes(1))),
            ErrorCode.LIMIT_EXCEEDED,
            "33 extended attributes"));
    c.add(
        new Case(
            "xattrs over 32 KiB in one command",
            n -> {
              SetAttribute.Builder b = SetAttribute.newBuilder();
              for (int i = 0; i < 3; i++) {
                b.putSetXattrs("user.k" + i, ByteString.copyFrom(bytes(11_000)));
              }
              n.execute(setAttribute("/f", b));
            },
            ErrorCode.LIMIT_EXCEEDED,
            String.valueOf(NamespaceLimits.MAX_XATTR_TOTAL_BYTES)));
    c.add(
        new Case(
            "xattrs over 32 KiB together with existing ones",
            // Each value is at the per-value limit; together with the names they pass 32 KiB.
            n -> n.execute(Commands.setXattr("/done", "user.a", bytes(MAX_VALUE))),
            n -> n.execute(Commands.setXattr("/done", "user.b", bytes(MAX_VALUE))),
            ErrorCode.LIMIT_EXCEEDED,
            String.valueOf(NamespaceLimits.MAX_XATTR_TOTAL_BYTES)));

    // Listing arguments.
    c.add(
        new Case(
            "listing limit 0",
            n -> n.namespace().listStatus("/d", "", 0),
            ErrorCode.INVALID_ARGUMENT,
            "limit 0"));
    c.add(
        new Case(
            "listing limit 10001",
            n -> n.namespace().listStatus("/d", "", NamespaceLimits.MAX_LIST_LIMIT + 1),
            ErrorCode.INVALID_ARGUMENT,
            "limit 10001"));
    c.add(
        new Case(
            "negative listing limit",
            n -> n.namespace().listStatus("/d", "", -1),
            ErrorCode.INVALID_ARGUMENT,
            "limit -1"));
    c.add(
        new Case(
            "listing limit 0 on a missing directory (arguments first)",
            n -> n.namespace().listStatus("/nope", "", 0),
            ErrorCode.INVALID_ARGUMENT,
            "limit 0"));
    c.add(
        new Case(
            "'/' in a listing cursor name",
            n -> n.namespace().listStatus("/d", "sub/g", 10),
            ErrorCode.INVALID_ARGUMENT,
            "'/'"));
    c.add(
        new Case(
            "NUL in a listing cursor name",
            n -> n.namespace().listStatus("/d", "s\0", 10),
            ErrorCode.INVALID_ARGUMENT,
            "NUL"));
    c.add(
        new Case(
            "listing cursor name over 255 bytes",
            n -> n.namespace().listStatus("/d", repeat("é", 128), 10),
            ErrorCode.INVALID_ARGUMENT,
            "256 UTF-8 bytes"));
    c.add(
        new Case(
            "unpaired surrogate in a listing cursor",
            n -> n.namespace().listStatus("/d", "\uD834", 10),
            ErrorCode.INVALID_ARGUMENT,
            "surrogate"));
    return c.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void refuses(Case c) throws NamespaceException {
    assertRefused(c);
  }

  /** A refused command does not disturb a tree that was changed and reopened. */
  @ParameterizedTest(name = "cache of {0} entries")
  @ValueSource(ints = {1, 1_000})
  void refusalsChangeNothingAfterReopen(int cacheEntries) throws NamespaceException {
    String before = checksum();
    ns.close();
    ns =
        new LocalNamespace(
            NamespaceTestSupport.openStore(dir, cacheEntries), NamespaceTestSupport.FIXED_CLOCK);
    assertThat(checksum()).isEqualTo(before);
    for (Case c : cases().toList()) {
      assertRefused(c);
    }
  }
}

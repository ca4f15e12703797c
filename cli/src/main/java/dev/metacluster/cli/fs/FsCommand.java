package dev.metacluster.cli.fs;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import dev.metacluster.api.client.MetadataClient;
import dev.metacluster.api.client.MetadataException;
import dev.metacluster.api.fs.v1.CreateDirectoryRequest;
import dev.metacluster.api.fs.v1.CreateFileRequest;
import dev.metacluster.api.fs.v1.FileStatus;
import dev.metacluster.api.fs.v1.ListStatusRequest;
import dev.metacluster.api.fs.v1.SetAttributeRequest;
import dev.metacluster.cli.CliException;
import dev.metacluster.cli.ExitCodes;
import dev.metacluster.cli.Metactl;
import io.grpc.Status;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.ZoneId;
import java.util.Iterator;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code metactl fs}: the namespace, one subcommand per operation. Mutations print nothing in table
 * output (as their Unix namesakes) and the resulting status with {@code -o json}; errors are one
 * line with the server's message and an exit code from {@link ExitCodes}.
 */
@Command(
    name = "fs",
    mixinStandardHelpOptions = true,
    description = "Directories and files: ls, mkdir, touch, stat, mv, rm, chmod, chown, xattrs.",
    synopsisSubcommandLabel = "COMMAND")
public final class FsCommand implements Runnable {
  @Spec CommandSpec spec;

  private final ZoneId zone = ZoneId.systemDefault();

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "Missing required subcommand");
  }

  // ---- reads ---------------------------------------------------------------------------------

  @Command(
      name = "ls",
      mixinStandardHelpOptions = true,
      description = {
        "Lists a directory (mode, owner, group, length, mtime, name), or shows a file.",
        "With -o json: a JSON array of every field of each entry."
      })
  int ls(
      @Parameters(paramLabel = "PATH", defaultValue = "/", description = "Default: /.") String path,
      @Option(
              names = {"-d", "--directory"},
              description = "Show the directory itself, not its children.")
          boolean self) {
    return withClient(
        client -> {
          FileStatus status = client.getStatus(path);
          PrintWriter out = out();
          if (!status.getDirectory() || self) {
            if (json()) {
              print(StatusFormat.JSON.createArrayNode().add(StatusFormat.json(status)));
            } else {
              out.println(StatusFormat.lsRow(status, status.getPath(), zone));
            }
            return ExitCodes.OK;
          }
          try (Stream<FileStatus> children = client.listStatus(path)) {
            Iterator<FileStatus> it = children.iterator();
            if (json()) {
              streamJson(it, out);
            } else {
              while (it.hasNext()) {
                FileStatus child = it.next();
                out.println(StatusFormat.lsRow(child, child.getName(), zone));
              }
            }
          }
          out.flush();
          return ExitCodes.OK;
        });
  }

  /** A listing as one JSON array, written entry by entry (large directories never in memory). */
  private static void streamJson(Iterator<FileStatus> it, PrintWriter out) {
    try {
      JsonGenerator g =
          StatusFormat.JSON
              .getFactory()
              .createGenerator(out)
              .disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
      g.useDefaultPrettyPrinter();
      g.writeStartArray();
      while (it.hasNext()) {
        g.writeTree(StatusFormat.json(it.next()));
      }
      g.writeEndArray();
      g.flush();
      out.println();
    } catch (IOException e) {
      throw new CliException(ExitCodes.FAILED, "cannot write the listing: " + e.getMessage(), e);
    }
  }

  @Command(
      name = "stat",
      mixinStandardHelpOptions = true,
      description = "Every field of a directory or file.")
  int stat(@Parameters(paramLabel = "PATH") String path) {
    return withClient(
        client -> {
          FileStatus status = client.getStatus(path);
          if (json()) {
            print(StatusFormat.json(status));
          } else {
            StatusFormat.statLines(status, zone).forEach(out()::println);
            out().flush();
          }
          return ExitCodes.OK;
        });
  }

  @Command(
      name = "getxattr",
      mixinStandardHelpOptions = true,
      description = {
        "Prints extended attributes as name=value (every one, or the one named by -n).",
        "Values are text when they are printable UTF-8, else 0x followed by hex."
      })
  int getxattr(
      @Parameters(paramLabel = "PATH") String path,
      @Option(
              names = {"-n", "--name"},
              paramLabel = "NAME",
              description = "Only this attribute; exit code 3 if it is not set.")
          String name) {
    return withClient(
        client -> {
          FileStatus status = client.getStatus(path);
          var xattrs = new java.util.TreeMap<>(status.getXattrsMap());
          if (name != null) {
            ByteString value = xattrs.get(name);
            if (value == null) {
              throw new CliException(
                  ExitCodes.NOT_FOUND, "no extended attribute '" + name + "' on " + path);
            }
            xattrs = new java.util.TreeMap<>(java.util.Map.of(name, value));
          }
          if (json()) {
            ObjectNode o = StatusFormat.JSON.createObjectNode();
            xattrs.forEach((k, v) -> o.put(k, StatusFormat.xattrText(v)));
            print(o);
          } else {
            xattrs.forEach((k, v) -> out().println(k + "=" + StatusFormat.xattrText(v)));
            out().flush();
          }
          return ExitCodes.OK;
        });
  }

  // ---- writes --------------------------------------------------------------------------------

  @Command(name = "mkdir", mixinStandardHelpOptions = true, description = "Creates directories.")
  int mkdir(
      @Parameters(paramLabel = "PATH", arity = "1..*") List<String> paths,
      @Option(
              names = {"-p", "--parents"},
              description = "Create missing parents; an existing directory is no error.")
          boolean parents,
      @Option(
              names = {"-m", "--mode"},
              paramLabel = "MODE",
              description = "Octal permission bits (default 0755).")
          String mode) {
    Integer bits = mode == null ? null : parseMode(mode);
    return forEach(
        paths,
        (client, path) -> {
          CreateDirectoryRequest.Builder request =
              CreateDirectoryRequest.newBuilder().setPath(path).setRecursive(parents);
          if (bits != null) {
            request.setMode(bits);
          }
          return client.createDirectory(request.build());
        });
  }

  @Command(
      name = "touch",
      mixinStandardHelpOptions = true,
      description = {
        "Creates empty, completed files (create + complete with length 0, like HDFS -touchz).",
        "An existing file or directory gets its modification time set to now instead."
      })
  int touch(
      @Parameters(paramLabel = "PATH", arity = "1..*") List<String> paths,
      @Option(
              names = {"-p", "--parents"},
              description = "Create missing parent directories.")
          boolean parents) {
    return forEach(
        paths,
        (client, path) -> {
          try {
            client.createFile(
                CreateFileRequest.newBuilder().setPath(path).setRecursive(parents).build());
          } catch (MetadataException e) {
            if (e.code() != Status.Code.ALREADY_EXISTS) {
              throw e;
            }
            return client.setAttribute(
                SetAttributeRequest.newBuilder()
                    .setPath(path)
                    .setModificationTimeMs(System.currentTimeMillis())
                    .build());
          }
          return client.completeFile(path, 0);
        });
  }

  @Command(
      name = "mv",
      mixinStandardHelpOptions = true,
      description = "Moves SRC to DST. Never overwrites: DST must not exist, its parent must.")
  int mv(@Parameters(paramLabel = "SRC") String src, @Parameters(paramLabel = "DST") String dst) {
    return forEach(List.of(src), (client, path) -> client.rename(path, dst));
  }

  @Command(
      name = "rm",
      mixinStandardHelpOptions = true,
      description = "Deletes files and empty directories (with -r, whole subtrees).")
  int rm(
      @Parameters(paramLabel = "PATH", arity = "1..*") List<String> paths,
      @Option(
              names = {"-r", "-R", "--recursive"},
              description = "Delete directories and everything under them.")
          boolean recursive,
      @Option(
              names = {"-f", "--force"},
              description = "A path that does not exist is no error.")
          boolean force,
      @Option(
              names = "--in-parts",
              description =
                  "With -r: a subtree the server refuses to delete at once (more entries than"
                      + " its rpc.delete.max.entries) is deleted piece by piece, deepest first."
                      + " Not atomic: others see it shrink, and a failure leaves a part of it.")
          boolean inParts) {
    if (inParts && !recursive) {
      throw new ParameterException(spec.commandLine(), "--in-parts needs -r");
    }
    return forEach(
        paths,
        (client, path) -> {
          try {
            if (inParts) {
              deleteInParts(client, path);
            } else {
              client.delete(path, recursive);
            }
          } catch (MetadataException e) {
            if (!(force && e.code() == Status.Code.NOT_FOUND)) {
              throw e;
            }
          }
          return null;
        });
  }

  /**
   * Deletes {@code path} with everything below it; when the server refuses that as too large for
   * one delete, deletes the children first (each the same way, a page at a time: every deleted
   * child leaves the listing) and then the emptied directory. For a recursive delete,
   * FAILED_PRECONDITION means only that refusal.
   */
  private static void deleteInParts(MetadataClient client, String path) {
    try {
      client.delete(path, true);
      return;
    } catch (MetadataException e) {
      if (e.code() != Status.Code.FAILED_PRECONDITION) {
        throw e;
      }
    }
    while (true) {
      List<FileStatus> page;
      try (Stream<FileStatus> children =
          client.listStatus(ListStatusRequest.newBuilder().setPath(path).setLimit(1000).build())) {
        page = children.toList();
      }
      if (page.isEmpty()) {
        break;
      }
      for (FileStatus child : page) {
        deleteInParts(client, child.getPath());
      }
    }
    client.delete(path, true);
  }

  @Command(
      name = "chmod",
      mixinStandardHelpOptions = true,
      description = "Sets the permission bits (octal, e.g. 755 or 1777).")
  int chmod(
      @Parameters(index = "0", paramLabel = "MODE") String mode,
      @Parameters(index = "1..*", arity = "1..*", paramLabel = "PATH") List<String> paths) {
    int bits = parseMode(mode);
    return setAttribute(paths, b -> b.setMode(bits));
  }

  @Command(
      name = "chown",
      mixinStandardHelpOptions = true,
      description = "Sets the owner and/or group: OWNER, OWNER:GROUP or :GROUP.")
  int chown(
      @Parameters(index = "0", paramLabel = "OWNER[:GROUP]") String ownerGroup,
      @Parameters(index = "1..*", arity = "1..*", paramLabel = "PATH") List<String> paths) {
    int colon = ownerGroup.indexOf(':');
    String owner = colon < 0 ? ownerGroup : ownerGroup.substring(0, colon);
    String group = colon < 0 ? null : ownerGroup.substring(colon + 1);
    if (owner.isEmpty() && (group == null || group.isEmpty())) {
      throw new ParameterException(
          spec.commandLine(), "chown: give OWNER, OWNER:GROUP or :GROUP, not '" + ownerGroup + "'");
    }
    return setAttribute(
        paths,
        b -> {
          if (!owner.isEmpty()) {
            b.setOwner(owner);
          }
          if (group != null && !group.isEmpty()) {
            b.setGroup(group);
          }
          return b;
        });
  }

  @Command(
      name = "setxattr",
      mixinStandardHelpOptions = true,
      description = {
        "Sets (-n NAME -v VALUE) or removes (-x NAME) an extended attribute.",
        "VALUE is text (stored as UTF-8), 0x followed by hex, or 0s followed by base64."
      })
  int setxattr(
      @Parameters(paramLabel = "PATH", arity = "1..*") List<String> paths,
      @Option(
              names = {"-n", "--name"},
              paramLabel = "NAME",
              description = "The attribute to set.")
          String name,
      @Option(
              names = {"-v", "--value"},
              paramLabel = "VALUE",
              defaultValue = "",
              description = "Its value (default: empty).")
          String value,
      @Option(
              names = {"-x", "--remove"},
              paramLabel = "NAME",
              description = "The attribute to remove.")
          String remove) {
    if ((name == null) == (remove == null)) {
      throw new ParameterException(spec.commandLine(), "give exactly one of -n NAME or -x NAME");
    }
    ByteString bytes;
    try {
      bytes = StatusFormat.xattrValue(value);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(
          spec.commandLine(), "bad value '" + value + "': " + e.getMessage());
    }
    return setAttribute(
        paths, b -> name != null ? b.putSetXattrs(name, bytes) : b.addRemoveXattrs(remove));
  }

  // ---- helpers -------------------------------------------------------------------------------

  @FunctionalInterface
  private interface PathOp {
    /** Returns the status to print with -o json, or null. */
    FileStatus apply(MetadataClient client, String path);
  }

  private int setAttribute(
      List<String> paths,
      Function<SetAttributeRequest.Builder, SetAttributeRequest.Builder> change) {
    return forEach(
        paths,
        (client, path) ->
            client.setAttribute(
                change.apply(SetAttributeRequest.newBuilder().setPath(path)).build()));
  }

  /**
   * Runs {@code op} on each path in order, stopping at the first failure (whose exit code is the
   * command's); with -o json prints the resulting statuses as an array.
   */
  private int forEach(List<String> paths, PathOp op) {
    return withClient(
        client -> {
          ArrayNode results = StatusFormat.JSON.createArrayNode();
          for (String path : paths) {
            FileStatus status = op.apply(client, path);
            if (status != null) {
              results.add(StatusFormat.json(status));
            }
          }
          if (json()) {
            print(results);
          }
          return ExitCodes.OK;
        });
  }

  private int withClient(Function<MetadataClient, Integer> body) {
    try (MetadataClient client = Metactl.of(spec).connect()) {
      return body.apply(client);
    }
  }

  private int parseMode(String mode) {
    try {
      int bits = Integer.parseInt(mode, 8);
      if (bits < 0 || bits > 07777) {
        throw new NumberFormatException();
      }
      return bits;
    } catch (NumberFormatException e) {
      throw new ParameterException(
          spec.commandLine(), "bad mode '" + mode + "': give octal permission bits, 0 to 7777");
    }
  }

  private boolean json() {
    return Metactl.of(spec).output() == Metactl.Output.json;
  }

  private PrintWriter out() {
    return spec.commandLine().getOut();
  }

  private void print(com.fasterxml.jackson.databind.JsonNode node) {
    try {
      out().println(StatusFormat.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(node));
      out().flush();
    } catch (IOException e) {
      throw new CliException(ExitCodes.FAILED, "cannot write JSON: " + e.getMessage(), e);
    }
  }
}

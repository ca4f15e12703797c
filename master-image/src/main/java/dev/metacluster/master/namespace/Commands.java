package dev.metacluster.master.namespace;

import com.google.protobuf.ByteString;
import dev.metacluster.master.proto.CompleteFile;
import dev.metacluster.master.proto.CreateDirectory;
import dev.metacluster.master.proto.CreateFile;
import dev.metacluster.master.proto.Delete;
import dev.metacluster.master.proto.NamespaceCommand;
import dev.metacluster.master.proto.Rename;
import dev.metacluster.master.proto.SetAttribute;

/**
 * Builders for namespace commands with the usual defaults (mode 0755 / 0644, 64 MiB blocks). The
 * time is left unset: whoever submits the command fixes it.
 */
public final class Commands {
  public static final int DEFAULT_DIRECTORY_MODE = 0755;
  public static final int DEFAULT_FILE_MODE = 0644;
  public static final long DEFAULT_BLOCK_SIZE = 64L << 20;

  private Commands() {}

  public static NamespaceCommand.Builder mkdir(String path, boolean recursive, String user) {
    return NamespaceCommand.newBuilder()
        .setCreateDirectory(
            CreateDirectory.newBuilder()
                .setPath(path)
                .setRecursive(recursive)
                .setMode(DEFAULT_DIRECTORY_MODE)
                .setOwner(user)
                .setGroup(user));
  }

  public static NamespaceCommand.Builder createFile(String path, boolean recursive, String user) {
    return NamespaceCommand.newBuilder()
        .setCreateFile(
            CreateFile.newBuilder()
                .setPath(path)
                .setRecursive(recursive)
                .setMode(DEFAULT_FILE_MODE)
                .setOwner(user)
                .setGroup(user)
                .setBlockSize(DEFAULT_BLOCK_SIZE));
  }

  public static NamespaceCommand.Builder complete(String path, long length) {
    return NamespaceCommand.newBuilder()
        .setCompleteFile(CompleteFile.newBuilder().setPath(path).setLength(length));
  }

  public static NamespaceCommand.Builder rename(String src, String dst) {
    return NamespaceCommand.newBuilder().setRename(Rename.newBuilder().setSrc(src).setDst(dst));
  }

  public static NamespaceCommand.Builder delete(String path, boolean recursive) {
    return NamespaceCommand.newBuilder()
        .setDelete(Delete.newBuilder().setPath(path).setRecursive(recursive));
  }

  public static NamespaceCommand.Builder setMode(String path, int mode) {
    return NamespaceCommand.newBuilder()
        .setSetAttribute(SetAttribute.newBuilder().setPath(path).setMode(mode));
  }

  public static NamespaceCommand.Builder setOwner(String path, String owner, String group) {
    return NamespaceCommand.newBuilder()
        .setSetAttribute(SetAttribute.newBuilder().setPath(path).setOwner(owner).setGroup(group));
  }

  public static NamespaceCommand.Builder setXattr(String path, String name, byte[] value) {
    return NamespaceCommand.newBuilder()
        .setSetAttribute(
            SetAttribute.newBuilder().setPath(path).putSetXattrs(name, ByteString.copyFrom(value)));
  }
}

package dev.metacluster.master.rpc;

import dev.metacluster.api.fs.v1.FileStatus;
import dev.metacluster.master.proto.Inode;

/** The wire view of an inode: the stored record plus the path the caller knows it by. */
final class FileStatuses {
  private FileStatuses() {}

  static FileStatus of(String path, Inode inode) {
    return FileStatus.newBuilder()
        .setId(inode.getId())
        .setPath(path)
        .setName(inode.getName())
        .setDirectory(inode.getDirectory())
        .setMode(inode.getMode())
        .setOwner(inode.getOwner())
        .setGroup(inode.getGroup())
        .setCreationTimeMs(inode.getCreationTimeMs())
        .setModificationTimeMs(inode.getModificationTimeMs())
        .setLength(inode.getLength())
        .setBlockSize(inode.getBlockSize())
        .setCompleted(inode.getCompleted())
        .setChildCount(inode.getChildCount())
        .putAllXattrs(inode.getXattrsMap())
        .setTtlMs(inode.getTtlMs())
        .build();
  }

  /** The path of a child listed under {@code directory}. */
  static String child(String directory, String name) {
    return directory.equals("/") ? "/" + name : directory + "/" + name;
  }
}

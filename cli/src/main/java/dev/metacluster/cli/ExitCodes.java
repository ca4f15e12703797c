package dev.metacluster.cli;

import io.grpc.Status;

/**
 * The exit codes of {@code metactl}, one per outcome a script may want to branch on. The codes of
 * the server's final answers about the namespace (not found, already exists, precondition) are
 * distinct; everything operational (unavailable, deadline, I/O) is 1.
 */
public final class ExitCodes {
  /** The command did what it was asked. */
  public static final int OK = 0;

  /**
   * The command could not be completed for an operational reason: no member reachable, no leader
   * within the deadline (UNAVAILABLE, DEADLINE_EXCEEDED), the server at its limit
   * (RESOURCE_EXHAUSTED), a local file that cannot be written, a backup whose checksum does not
   * match (DATA_LOSS), or a benchmark op that failed. Retrying may help.
   */
  public static final int FAILED = 1;

  /**
   * Usage error: an unknown option, a missing argument, no target, or an argument the server
   * rejects as malformed (INVALID_ARGUMENT, e.g. a relative path or a name over 255 bytes).
   */
  public static final int USAGE = 2;

  /** NOT_FOUND: the path (or one of its parents, or a member id) does not exist. */
  public static final int NOT_FOUND = 3;

  /** ALREADY_EXISTS: the path (or a rename's destination) exists. */
  public static final int ALREADY_EXISTS = 4;

  /**
   * FAILED_PRECONDITION: the namespace is not in the state the command needs: a file where a
   * directory is needed or the reverse, a non-recursive rm of a non-empty directory, an rm -r of
   * more entries than the server's rpc.delete.max.entries, removing the last member.
   */
  public static final int PRECONDITION = 5;

  /** The lines of {@code metactl --help}'s exit code list ("code:description"). */
  static final String[] HELP = {
    OK + ":ok",
    FAILED
        + ":failed for an operational reason (no member reachable, no leader, deadline,"
        + " server busy, local I/O, benchmark op errors); retrying may help",
    USAGE + ":usage error, or an argument the server rejects (INVALID_ARGUMENT: bad path, ...)",
    NOT_FOUND + ":not found (NOT_FOUND)",
    ALREADY_EXISTS + ":already exists (ALREADY_EXISTS)",
    PRECONDITION
        + ":the namespace is not in the needed state (FAILED_PRECONDITION: not a directory,"
        + " directory not empty, ...)"
  };

  private ExitCodes() {}

  /** The exit code for a gRPC status code of a failed call. */
  public static int of(Status.Code code) {
    return switch (code) {
      case OK -> OK;
      case INVALID_ARGUMENT, OUT_OF_RANGE -> USAGE;
      case NOT_FOUND -> NOT_FOUND;
      case ALREADY_EXISTS -> ALREADY_EXISTS;
      case FAILED_PRECONDITION -> PRECONDITION;
      default -> FAILED;
    };
  }
}

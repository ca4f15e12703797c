package dev.metacluster.cli;

/**
 * An expected failure of a command: metactl prints {@code metactl <command>: <message>} on one
 * line, without a stack trace, and exits with {@link #exitCode()} (see {@link ExitCodes}).
 */
public final class CliException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int exitCode;

  public CliException(int exitCode, String message) {
    super(message);
    this.exitCode = exitCode;
  }

  public CliException(int exitCode, String message, Throwable cause) {
    super(message, cause);
    this.exitCode = exitCode;
  }

  public int exitCode() {
    return exitCode;
  }
}

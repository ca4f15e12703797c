package dev.metacluster.cli.bench;

/**
 * The benchmark cannot run or its results would mean nothing (the data directory is in use, the
 * inputs could not be created). metactl prints the message, without a stack trace, and exits 1.
 */
public final class BenchFailure extends Exception {
  public BenchFailure(String message) {
    super(message);
  }
}

package dev.metacluster.cli.bench;

/**
 * Names of one benchmark's inputs: entry {@code i} of {@code count} is {@code
 * <root>/dirDDDD/<prefix>NNNNNNN}, {@code perDir} consecutive entries per directory, the directory
 * number being {@code i / perDir} and the entry number {@code i} itself. Numbers are zero-padded
 * (at least 4 and 7 digits, more when {@code count} needs them) so that names sort in index order.
 */
final class BenchPaths {
  private final String root;
  private final String prefix;
  private final long count;
  private final int perDir;
  private final int dirDigits;
  private final int entryDigits;

  BenchPaths(String root, String prefix, long count, int perDir) {
    if (count < 1 || perDir < 1) {
      throw new IllegalArgumentException("count and perDir must be >= 1");
    }
    this.root = root;
    this.prefix = prefix;
    this.count = count;
    this.perDir = perDir;
    this.dirDigits = Math.max(4, Long.toString((count - 1) / perDir).length());
    this.entryDigits = Math.max(7, Long.toString(count - 1).length());
  }

  String root() {
    return root;
  }

  long count() {
    return count;
  }

  /** The directory holding entry {@code i}. */
  String dir(long i) {
    StringBuilder b = new StringBuilder(root.length() + 16).append(root).append("/dir");
    return pad(b, i / perDir, dirDigits).toString();
  }

  /** The name (last component) of entry {@code i}. */
  String name(long i) {
    return pad(new StringBuilder(prefix.length() + entryDigits).append(prefix), i, entryDigits)
        .toString();
  }

  /** The full path of entry {@code i}. */
  String path(long i) {
    StringBuilder b = new StringBuilder(root.length() + 32).append(root).append("/dir");
    pad(b, i / perDir, dirDigits).append('/').append(prefix);
    return pad(b, i, entryDigits).toString();
  }

  /** How many entries sort after entry {@code i} in its directory. */
  long entriesAfter(long i) {
    long dirEnd = Math.min(count, (i / perDir + 1) * perDir);
    return dirEnd - i - 1;
  }

  private static StringBuilder pad(StringBuilder b, long value, int digits) {
    String s = Long.toString(value);
    for (int k = s.length(); k < digits; k++) {
      b.append('0');
    }
    return b.append(s);
  }
}

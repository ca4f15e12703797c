package dev.metacluster.master.namespace;

import java.util.Comparator;

/**
 * The order of names in a directory: Unicode code point order, which is the byte order of their
 * UTF-8 encoding and therefore the order of a RocksDB prefix scan.
 */
public final class NameOrder {
  public static final Comparator<String> COMPARATOR = NameOrder::compare;

  private NameOrder() {}

  public static int compare(String a, String b) {
    int i = 0;
    int j = 0;
    while (i < a.length() && j < b.length()) {
      int ca = a.codePointAt(i);
      int cb = b.codePointAt(j);
      if (ca != cb) {
        return Integer.compare(ca, cb);
      }
      i += Character.charCount(ca);
      j += Character.charCount(cb);
    }
    return Integer.compare(a.length() - i, b.length() - j);
  }
}

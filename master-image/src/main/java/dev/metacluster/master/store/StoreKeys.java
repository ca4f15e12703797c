package dev.metacluster.master.store;

import java.nio.charset.StandardCharsets;

/**
 * Key encoding for the column families. Ids are big-endian so that RocksDB's bytewise order is
 * numeric order, and an edge key starts with its parent id so that one directory's children are one
 * contiguous prefix range, sorted by the UTF-8 bytes of their names.
 */
final class StoreKeys {
  static final int ID_BYTES = Long.BYTES;

  private StoreKeys() {}

  static byte[] inodeKey(long id) {
    return longBytes(id);
  }

  static byte[] edgeKey(long parentId, String name) {
    return edgeKey(parentId, name.getBytes(StandardCharsets.UTF_8));
  }

  static byte[] edgeKey(long parentId, byte[] name) {
    byte[] key = new byte[ID_BYTES + name.length];
    putLong(key, 0, parentId);
    System.arraycopy(name, 0, key, ID_BYTES, name.length);
    return key;
  }

  static long edgeParent(byte[] key) {
    return getLong(key, 0);
  }

  static String edgeName(byte[] key) {
    return new String(key, ID_BYTES, key.length - ID_BYTES, StandardCharsets.UTF_8);
  }

  static byte[] longBytes(long value) {
    byte[] bytes = new byte[Long.BYTES];
    putLong(bytes, 0, value);
    return bytes;
  }

  static long getLong(byte[] bytes, int offset) {
    long value = 0;
    for (int i = 0; i < Long.BYTES; i++) {
      value = (value << 8) | (bytes[offset + i] & 0xFF);
    }
    return value;
  }

  private static void putLong(byte[] bytes, int offset, long value) {
    for (int i = Long.BYTES - 1; i >= 0; i--) {
      bytes[offset + i] = (byte) value;
      value >>>= 8;
    }
  }
}

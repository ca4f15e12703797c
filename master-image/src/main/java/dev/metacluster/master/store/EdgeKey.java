package dev.metacluster.master.store;

/** Identity of a directory entry, used as a cache key and a lock key. */
public record EdgeKey(long parentId, String name) {}

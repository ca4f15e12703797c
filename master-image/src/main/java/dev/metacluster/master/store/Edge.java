package dev.metacluster.master.store;

/** One directory entry: the child named {@code name} under {@code parentId} is {@code childId}. */
public record Edge(long parentId, String name, long childId) {}

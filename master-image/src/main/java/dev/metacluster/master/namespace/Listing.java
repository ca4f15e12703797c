package dev.metacluster.master.namespace;

import dev.metacluster.master.proto.Inode;
import java.util.List;

/**
 * One page of a directory listing, children in {@link NameOrder}. Pass the last child's name as
 * {@code startAfter} to get the next page while {@code hasMore} is true.
 */
public record Listing(List<Inode> children, boolean hasMore) {}

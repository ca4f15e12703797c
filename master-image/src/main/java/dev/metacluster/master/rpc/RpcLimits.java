package dev.metacluster.master.rpc;

import java.time.Duration;

/**
 * What one member accepts from clients.
 *
 * @param maxMessageBytes largest request message; larger ones get RESOURCE_EXHAUSTED
 * @param maxInFlight calls served at once; the next one gets RESOURCE_EXHAUSTED
 * @param defaultDeadline the deadline of a call that brings none
 * @param listPageSize entries per ListStatus page when the request asks for no size
 * @param maxListPageSize the largest page a request may ask for (bigger asks are capped)
 * @param maxDeleteEntries the most entries one recursive delete may remove; a bigger subtree is
 *     refused (FAILED_PRECONDITION) before it reaches the journal, since its removal is built in
 *     memory as one batch on every member
 */
public record RpcLimits(
    int maxMessageBytes,
    int maxInFlight,
    Duration defaultDeadline,
    int listPageSize,
    int maxListPageSize,
    long maxDeleteEntries) {

  public static final int DEFAULT_MAX_MESSAGE_BYTES = 4 << 20;
  public static final int DEFAULT_MAX_IN_FLIGHT = 10_000;
  public static final Duration DEFAULT_DEADLINE = Duration.ofSeconds(30);
  public static final int DEFAULT_LIST_PAGE_SIZE = 1_000;
  public static final int DEFAULT_MAX_LIST_PAGE_SIZE = 10_000;
  // Roughly 100 MB of heap for the removal batch at the limit, on every member.
  public static final long DEFAULT_MAX_DELETE_ENTRIES = 1_000_000;

  public RpcLimits {
    if (maxMessageBytes < 1024 || maxInFlight < 1 || listPageSize < 1) {
      throw new IllegalArgumentException(
          "rpc limits: max message >= 1024 bytes, max in flight >= 1, page size >= 1");
    }
    if (maxListPageSize < listPageSize || maxListPageSize > 10_000) {
      throw new IllegalArgumentException(
          "rpc limits: the max list page size must be between the page size and 10000");
    }
    if (maxDeleteEntries < 1) {
      throw new IllegalArgumentException("rpc limits: the max delete entries must be >= 1");
    }
    if (defaultDeadline.isNegative() || defaultDeadline.isZero()) {
      throw new IllegalArgumentException("rpc limits: the default deadline must be positive");
    }
  }

  public static RpcLimits defaults() {
    return new RpcLimits(
        DEFAULT_MAX_MESSAGE_BYTES,
        DEFAULT_MAX_IN_FLIGHT,
        DEFAULT_DEADLINE,
        DEFAULT_LIST_PAGE_SIZE,
        DEFAULT_MAX_LIST_PAGE_SIZE,
        DEFAULT_MAX_DELETE_ENTRIES);
  }
}

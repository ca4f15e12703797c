package dev.metacluster.api;

import io.grpc.Metadata;

/**
 * The metadata keys of the metacluster wire contract (see the comments in fs.proto): shared by the
 * server and the client so that both spell them the same way.
 */
public final class Headers {
  /** Trailer of an UNAVAILABLE answer from a follower: the leader's client address, host:port. */
  public static final Metadata.Key<String> LEADER = key("x-metacluster-leader");

  /** Request: the client's stable identity, a UUID string. With CALL_ID, makes retries safe. */
  public static final Metadata.Key<String> CLIENT_ID = key("x-metacluster-client-id");

  /** Request: the write's number, unique per client id (decimal, > 0). */
  public static final Metadata.Key<String> CALL_ID = key("x-metacluster-call-id");

  /** Response header of a write: the journal index it was applied at (decimal). */
  public static final Metadata.Key<String> LOG_INDEX = key("x-metacluster-log-index");

  /** Request: {@link #READ_FOLLOWER} lets any member answer a read. */
  public static final Metadata.Key<String> READ = key("x-metacluster-read");

  public static final String READ_FOLLOWER = "follower";

  /** Request of a follower read: the member answers once it has applied this index (decimal). */
  public static final Metadata.Key<String> MIN_INDEX = key("x-metacluster-min-index");

  private Headers() {}

  private static Metadata.Key<String> key(String name) {
    return Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER);
  }
}

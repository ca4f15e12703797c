package dev.metacluster.api.client;

import dev.metacluster.api.Headers;
import io.grpc.Deadline;
import io.grpc.Metadata;
import io.grpc.Status;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The retry state of one logical call: which member to try next, when to back off, and when to give
 * up. Not thread-safe: one call, one thread.
 *
 * <p>Rules (docs/CLIENT.md): a leader hint is followed at once; a member that failed is not tried
 * again until every known member has been tried (a "round"); after a failed round the DNS name is
 * resolved again and the client backs off (exponential, jittered, capped), while the channels that
 * gRPC holds in its reconnect backoff connect again; no attempt starts and no backoff sleeps past
 * the call's deadline.
 */
final class Attempts {
  private static final Logger LOG = LoggerFactory.getLogger(Attempts.class);

  /** Where a call may go. */
  enum Route {
    /** Writes, linearizable reads, the admin calls that need the leader. */
    LEADER,
    /** Follower reads: any member, spread over the members. */
    ANY,
    /** One named member, one attempt. */
    FIXED
  }

  /** How many RESOURCE_EXHAUSTED answers one call takes before giving up. */
  static final int MAX_BUSY_ATTEMPTS = 3;

  private final Members members;
  private final RetryPolicy policy;
  private final Route route;
  private final String fixed;
  private final Deadline deadline;
  private final long timeoutNanos;
  private final Set<String> tried = new HashSet<>();
  private int start = -1;
  private int attempts;
  private int backoffs;
  private int busy;
  private String redirect;
  private Status last;
  private String lastAddress;

  Attempts(Members members, RetryPolicy policy, Route route, String fixed, long timeoutNanos) {
    this.members = members;
    this.policy = policy;
    this.route = route;
    this.fixed = fixed;
    this.timeoutNanos = timeoutNanos;
    this.deadline = Deadline.after(timeoutNanos, TimeUnit.NANOSECONDS);
  }

  /** The member to try next; backs off first when needed. Throws when out of attempts or time. */
  String next() {
    if (members.closed()) {
      throw Members.closedException();
    }
    int max = route == Route.FIXED ? 1 : policy.maxAttempts();
    if (attempts >= max) {
      throw gaveUp();
    }
    String target;
    if (route == Route.FIXED) {
      target = fixed;
    } else if (redirect != null) {
      target = redirect;
      redirect = null;
      if (tried.contains(target)) {
        backoff();
        tried.clear();
      }
    } else {
      target = firstUntried();
      while (target == null) {
        // every known member failed this round: look the name up again, then wait a little
        members.refresh();
        backoff();
        tried.clear();
        target = firstUntried();
      }
    }
    if (deadline.isExpired()) {
      throw deadlineExceeded();
    }
    tried.add(target);
    attempts++;
    return target;
  }

  /** The deadline of the whole call. */
  Deadline callDeadline() {
    return deadline;
  }

  /** The deadline of the attempt about to start: the call's, or sooner (the attempt timeout). */
  Deadline attemptDeadline() {
    return deadline.minimum(Deadline.after(policy.attemptTimeoutNanos(), TimeUnit.NANOSECONDS));
  }

  void succeeded(String address) {
    if (route == Route.LEADER) {
      members.leaderIs(address);
    }
  }

  /**
   * Records a failed attempt: returns when it is worth another attempt, throws the final {@link
   * MetadataException} otherwise.
   */
  void failed(String address, Status status, Metadata trailers) {
    last = status;
    lastAddress = address;
    if (LOG.isDebugEnabled()) {
      LOG.debug(
          "attempt {} to {} failed: {} {}{}",
          attempts,
          address,
          status.getCode(),
          status.getDescription(),
          trailers == null || trailers.get(Headers.LEADER) == null
              ? ""
              : " (leader hint " + trailers.get(Headers.LEADER) + ")");
    }
    if (members.closed()) {
      throw Members.closedException();
    }
    switch (status.getCode()) {
      case UNAVAILABLE -> {
        String hint = trailers == null ? null : trailers.get(Headers.LEADER);
        if (route == Route.LEADER) {
          members.leaderFailed(address);
        }
        if (hint != null && !hint.isBlank() && !hint.equals(address) && validAddress(hint)) {
          redirect = hint.trim();
        }
      }
      case DEADLINE_EXCEEDED -> {
        if (deadline.isExpired()) {
          throw deadlineExceeded();
        }
        // only this attempt's time ran out: the member may be stuck; try the others
        if (route == Route.LEADER) {
          members.leaderFailed(address);
        }
      }
      case RESOURCE_EXHAUSTED -> {
        // back-pressure (retry after a backoff) or a request over a size limit (retrying cannot
        // help): the code does not tell them apart, so only a few attempts
        if (++busy >= MAX_BUSY_ATTEMPTS) {
          throw gaveUp();
        }
        redirect = address;
      }
      case ABORTED -> redirect = address;
      default -> throw MetadataException.of(status, address);
    }
  }

  /** A redirect to a member named by a response (not an error), e.g. ClusterInfo's leader. */
  void redirect(String address, Status why) {
    last = why;
    if (address != null && validAddress(address)) {
      redirect = address;
    }
  }

  int attempts() {
    return attempts;
  }

  private String firstUntried() {
    if (route == Route.LEADER) {
      String leader = members.leader();
      if (leader != null && !tried.contains(leader)) {
        return leader;
      }
    }
    List<String> seeds = members.seeds();
    if (start < 0) {
      start = members.nextStart();
    }
    for (int i = 0; i < seeds.size(); i++) {
      String s = seeds.get((start + i) % seeds.size());
      if (!tried.contains(s)) {
        return s;
      }
    }
    return null;
  }

  private void backoff() {
    long cap =
        Math.min(
            policy.maxBackoffNanos(), policy.initialBackoffNanos() << Math.min(backoffs++, 30));
    long sleep = cap / 2 + ThreadLocalRandom.current().nextLong(cap / 2 + 1);
    if (sleep >= deadline.timeRemaining(TimeUnit.NANOSECONDS)) {
      throw deadlineExceeded();
    }
    LOG.debug("no member took the call this round; retrying in {} ms", sleep / 1_000_000);
    // This backoff paces the retries. gRPC's own reconnect backoff (a second, growing, after a
    // failed connection) would fail calls to a member that is back at once meanwhile, and a
    // restarted member is often the new leader: its channel reconnects during this sleep.
    members.resetBackoffs();
    try {
      TimeUnit.NANOSECONDS.sleep(sleep);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new MetadataException(
          Status.Code.CANCELLED, "interrupted while waiting to retry", lastAddress, e);
    }
  }

  private MetadataException deadlineExceeded() {
    return new MetadataException(
        Status.Code.DEADLINE_EXCEEDED,
        "no answer within the call deadline of "
            + TimeUnit.NANOSECONDS.toMillis(timeoutNanos)
            + " ms ("
            + attempts
            + (attempts == 1 ? " attempt" : " attempts")
            + lastAnswer()
            + ")",
        lastAddress,
        last == null ? null : last.asRuntimeException());
  }

  private MetadataException gaveUp() {
    if (last == null) {
      return new MetadataException(Status.Code.UNAVAILABLE, "no member to call", null, null);
    }
    if (attempts <= 1) {
      return MetadataException.of(last, lastAddress);
    }
    return new MetadataException(
        last.getCode(),
        "gave up after " + attempts + " attempts" + lastAnswer(),
        lastAddress,
        last.asRuntimeException());
  }

  private String lastAnswer() {
    if (last == null) {
      return "";
    }
    String d = last.getDescription();
    return "; last answer: "
        + last.getCode()
        + (d == null ? "" : " " + d)
        + (lastAddress == null ? "" : " from " + lastAddress);
  }

  private static boolean validAddress(String address) {
    try {
      HostPort.parse(address);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }
}

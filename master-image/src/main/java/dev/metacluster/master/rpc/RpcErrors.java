package dev.metacluster.master.rpc;

import dev.metacluster.api.Headers;
import dev.metacluster.master.journal.JournalServer;
import dev.metacluster.master.namespace.NamespaceException;
import dev.metacluster.master.proto.CommandError;
import dev.metacluster.master.proto.ErrorCode;
import dev.metacluster.master.store.StoreException;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.exceptions.AlreadyClosedException;
import org.apache.ratis.protocol.exceptions.LeaderNotReadyException;
import org.apache.ratis.protocol.exceptions.LeaderSteppingDownException;
import org.apache.ratis.protocol.exceptions.NotLeaderException;
import org.apache.ratis.protocol.exceptions.RaftException;
import org.apache.ratis.protocol.exceptions.ReadException;
import org.apache.ratis.protocol.exceptions.ReadIndexException;
import org.apache.ratis.protocol.exceptions.ServerNotReadyException;
import org.apache.ratis.protocol.exceptions.StateMachineException;
import org.apache.ratis.protocol.exceptions.TimeoutIOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns what the namespace and the journal report into gRPC statuses a client can act on: the
 * namespace's error codes 1:1 (table in docs/ARCHITECTURE.md), "not the leader" as UNAVAILABLE with
 * the leader's client address, the journal's transient states as UNAVAILABLE (retry), and anything
 * else as INTERNAL with a message, never a stack trace.
 */
final class RpcErrors {
  private static final Logger LOG = LoggerFactory.getLogger(RpcErrors.class);

  private final JournalServer journal;

  RpcErrors(JournalServer journal) {
    this.journal = journal;
  }

  static Status.Code code(ErrorCode code) {
    return switch (code) {
      case INVALID_PATH, INVALID_ARGUMENT, INVALID_RENAME -> Status.Code.INVALID_ARGUMENT;
      case NOT_FOUND -> Status.Code.NOT_FOUND;
      case ALREADY_EXISTS -> Status.Code.ALREADY_EXISTS;
      case NOT_A_DIRECTORY, IS_A_DIRECTORY, DIRECTORY_NOT_EMPTY, FILE_ALREADY_COMPLETED ->
          Status.Code.FAILED_PRECONDITION;
      case LIMIT_EXCEEDED -> Status.Code.RESOURCE_EXHAUSTED;
      case ERROR_CODE_UNSPECIFIED, UNRECOGNIZED -> Status.Code.INTERNAL;
    };
  }

  static StatusRuntimeException of(CommandError error) {
    return Status.fromCode(code(error.getCode()))
        .withDescription(error.getMessage())
        .asRuntimeException();
  }

  static StatusRuntimeException of(NamespaceException e) {
    return Status.fromCode(code(e.code())).withDescription(e.getMessage()).asRuntimeException();
  }

  static StatusRuntimeException invalid(String message) {
    return Status.INVALID_ARGUMENT.withDescription(message).asRuntimeException();
  }

  /** The status for a failure of a journal call (a write, a read, an admin step). */
  StatusRuntimeException of(Throwable failure) {
    Throwable t = unwrap(failure);
    if (t instanceof StatusRuntimeException s) {
      return s;
    }
    if (t instanceof NamespaceException e) {
      return of(e);
    }
    if (t instanceof NotLeaderException e) {
      return notLeader(e.getSuggestedLeader());
    }
    if (t instanceof LeaderNotReadyException
        || t instanceof LeaderSteppingDownException
        || t instanceof ServerNotReadyException
        || t instanceof AlreadyClosedException
        || t instanceof ReadIndexException
        || t instanceof ReadException
        || t instanceof StoreException) {
      return unavailable(
          "member " + journal.config().memberId() + " cannot serve this now: " + t.getMessage());
    }
    if (t instanceof TimeoutIOException || t instanceof TimeoutException) {
      return Status.DEADLINE_EXCEEDED
          .withDescription(
              "the journal did not answer in time; a write may or may not have been applied:"
                  + " retry it with the same call id")
          .asRuntimeException();
    }
    if (t instanceof CancellationException) {
      return Status.CANCELLED.withDescription("cancelled").asRuntimeException();
    }
    if (t instanceof IllegalArgumentException) {
      return invalid(t.getMessage());
    }
    if (t instanceof StateMachineException || t instanceof RaftException) {
      LOG.warn("journal failure: {}", t.toString());
      return unavailable("journal failure on " + journal.config().memberId() + ": " + t);
    }
    LOG.error("unexpected failure serving a call", t);
    return Status.INTERNAL
        .withDescription("internal error on " + journal.config().memberId() + ": " + t)
        .asRuntimeException();
  }

  /** UNAVAILABLE naming the leader (from the hint, or this member's view) when one is known. */
  StatusRuntimeException notLeader(RaftPeer suggested) {
    String leader = suggested == null ? leaderClientAddress() : clientAddress(suggested);
    Metadata trailers = new Metadata();
    String message = "member " + journal.config().memberId() + " is not the leader";
    if (leader != null && !leader.isEmpty()) {
      trailers.put(Headers.LEADER, leader);
      message += "; the leader is at " + leader;
    } else {
      message += " and no leader is known yet; retry shortly";
    }
    return Status.UNAVAILABLE.withDescription(message).asRuntimeException(trailers);
  }

  StatusRuntimeException notLeader() {
    return notLeader(null);
  }

  private String leaderClientAddress() {
    try {
      var division = journal.division();
      var leaderId = division.getInfo().getLeaderId();
      if (leaderId == null) {
        return null;
      }
      RaftPeer peer = division.getRaftConf().getPeer(leaderId);
      return peer == null ? null : clientAddress(peer);
    } catch (java.io.IOException e) {
      return null;
    }
  }

  private String clientAddress(RaftPeer peer) {
    String address = peer.getClientAddress();
    if (address == null || address.isEmpty()) {
      // Hints from an older configuration may lack it: look the member up in the current one.
      try {
        RaftPeer current = journal.division().getRaftConf().getPeer(peer.getId());
        address = current == null ? null : current.getClientAddress();
      } catch (java.io.IOException e) {
        return null;
      }
    }
    return address;
  }

  private static StatusRuntimeException unavailable(String message) {
    return Status.UNAVAILABLE.withDescription(message).asRuntimeException();
  }

  private static Throwable unwrap(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}

package dev.metacluster.operator.observe;

import dev.metacluster.api.admin.v1.ClusterInfoResponse;
import dev.metacluster.api.admin.v1.Member;
import dev.metacluster.api.admin.v1.Role;
import dev.metacluster.operator.model.PodDisruptionBudgetModel;
import io.grpc.Status;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Asks every expected member for ClusterInfo, all at once, and folds the answers into one {@link
 * ClusterObservation}: who leads, who is a healthy voter, how far each member lags.
 */
public final class ClusterObserver {
  private final MasterAdmin admin;

  public ClusterObserver(MasterAdmin admin) {
    this.admin = admin;
  }

  public ClusterObservation observe(List<MemberEndpoint> expected) {
    Map<String, CompletableFuture<ClusterInfoResponse>> calls = new HashMap<>();
    for (MemberEndpoint member : expected) {
      CompletableFuture<ClusterInfoResponse> call;
      try {
        call = admin.clusterInfo(member);
      } catch (RuntimeException e) {
        call = CompletableFuture.failedFuture(e);
      }
      calls.put(member.id(), call);
    }
    Map<String, ClusterInfoResponse> answers = new HashMap<>();
    Map<String, String> failures = new HashMap<>();
    for (MemberEndpoint member : expected) {
      try {
        answers.put(member.id(), calls.get(member.id()).get());
      } catch (ExecutionException | CompletionException e) {
        failures.put(member.id(), describe(e.getCause() == null ? e : e.getCause()));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        failures.put(member.id(), "interrupted");
      }
    }
    return fold(expected, answers, failures);
  }

  /** The pure part: answers and failures to an observation. */
  static ClusterObservation fold(
      List<MemberEndpoint> expected,
      Map<String, ClusterInfoResponse> answers,
      Map<String, String> failures) {
    Optional<ClusterInfoResponse> selfLeader =
        answers.values().stream()
            .filter(a -> a.getRole() == Role.LEADER)
            .max(Comparator.comparingLong(ClusterInfoResponse::getTerm));
    long maxTerm =
        answers.values().stream().mapToLong(ClusterInfoResponse::getTerm).max().orElse(-1);
    String leader =
        selfLeader.map(ClusterInfoResponse::getMemberId).orElseGet(() -> reportedLeader(answers));
    ClusterInfoResponse leaderView = leader == null ? null : answers.get(leader);
    Set<String> voters =
        leaderView == null
            ? null
            : leaderView.getMembersList().stream().map(Member::getId).collect(Collectors.toSet());
    long leaderCommit = leaderView == null ? -1 : leaderView.getCommitIndex();

    List<MemberObservation> members = new ArrayList<>();
    for (MemberEndpoint member : expected) {
      ClusterInfoResponse a = answers.get(member.id());
      if (a == null) {
        String why = failures.getOrDefault(member.id(), "no answer");
        members.add(
            new MemberObservation(
                member.id(), "Unknown", -1, -1, -1, false, "not answering: " + why));
        continue;
      }
      String role = roleName(a.getRole());
      long lag = leaderCommit < 0 ? -1 : Math.max(0, leaderCommit - a.getAppliedIndex());
      String problem = null;
      if (a.getRole() != Role.LEADER && a.getRole() != Role.FOLLOWER) {
        problem = "role is " + role;
      } else if (voters != null && !voters.contains(member.id())) {
        problem = "not a voting member of the group";
      } else if (leader == null) {
        problem = "no leader known";
      }
      members.add(
          new MemberObservation(
              member.id(),
              role,
              a.getTerm(),
              a.getAppliedIndex(),
              lag,
              problem == null,
              problem,
              a.getStoreId()));
    }
    long term = selfLeader.map(ClusterInfoResponse::getTerm).orElse(maxTerm);
    return new ClusterObservation(
        leader,
        term,
        members,
        // a majority of the group's voters when known (during a scale the StatefulSet runs
        // members that do not vote yet, or any more)
        PodDisruptionBudgetModel.quorum(voters == null ? expected.size() : voters.size()),
        voters == null ? Set.of() : Set.copyOf(voters));
  }

  /** Without a self-declared leader: the leader id most members name, if any. */
  private static String reportedLeader(Map<String, ClusterInfoResponse> answers) {
    return answers.values().stream()
        .map(ClusterInfoResponse::getLeaderId)
        .filter(id -> !id.isEmpty())
        .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()))
        .entrySet()
        .stream()
        .max(Map.Entry.comparingByValue())
        .map(Map.Entry::getKey)
        .orElse(null);
  }

  static String roleName(Role role) {
    return switch (role) {
      case LEADER -> "Leader";
      case FOLLOWER -> "Follower";
      case CANDIDATE -> "Candidate";
      case LISTENER -> "Listener";
      default -> "Unknown";
    };
  }

  private static String describe(Throwable t) {
    Status status = Status.fromThrowable(t);
    if (status.getCode() != Status.Code.UNKNOWN || status.getDescription() != null) {
      return status.getCode()
          + (status.getDescription() == null ? "" : " (" + status.getDescription() + ")");
    }
    return t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
  }
}

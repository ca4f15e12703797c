package dev.metacluster.cli.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.metacluster.api.admin.v1.ClusterInfoResponse;
import dev.metacluster.api.admin.v1.Member;
import dev.metacluster.api.admin.v1.Role;
import dev.metacluster.api.client.MetadataClient;
import dev.metacluster.api.client.MetadataException;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@code admin info} shows: the leader's view of the group (cluster id, term, configuration)
 * and each member's own answer (role, commit/applied/snapshot index, inode count).
 *
 * @param leader the leader's ClusterInfo
 * @param members one row per member of the leader's configuration
 */
record ClusterInfo(ClusterInfoResponse leader, List<Row> members) {

  /** One member: its own view, or the error that kept it from answering. */
  record Row(Member member, ClusterInfoResponse own, String error) {}

  static ClusterInfo collect(MetadataClient client) {
    ClusterInfoResponse leader = client.clusterInfo();
    List<Row> rows = new ArrayList<>();
    for (Member m : leader.getMembersList()) {
      if (m.getId().equals(leader.getMemberId())) {
        rows.add(new Row(m, leader, null));
        continue;
      }
      try {
        rows.add(new Row(m, client.clusterInfo(m.getClientAddress()), null));
      } catch (MetadataException e) {
        rows.add(new Row(m, null, e.code() + ": " + e.description()));
      }
    }
    return new ClusterInfo(leader, rows);
  }

  List<String> table() {
    List<String> lines = new ArrayList<>();
    lines.add("cluster id:     " + leader.getClusterId());
    lines.add("leader:         " + leader.getMemberId());
    lines.add("term:           " + leader.getTerm());
    lines.add("snapshot index: " + leader.getSnapshotIndex() + " (on the leader)");
    lines.add("inodes:         " + leader.getInodeCount() + " (on the leader)");
    lines.add("");
    String format = "%-2s%-10s %-9s %-21s %-21s %12s %12s %12s %12s";
    lines.add(
        String.format(
            format,
            "",
            "MEMBER",
            "ROLE",
            "CLIENT",
            "RAFT",
            "COMMIT",
            "APPLIED",
            "SNAPSHOT",
            "INODES"));
    for (Row r : members) {
      Member m = r.member();
      String mark = m.getLeader() ? "*" : "";
      if (r.own() == null) {
        lines.add(
            String.format(
                    format,
                    mark,
                    m.getId(),
                    "-",
                    m.getClientAddress(),
                    m.getRaftAddress(),
                    m.getCommitIndex() < 0 ? "-" : Long.toString(m.getCommitIndex()),
                    "-",
                    "-",
                    "-")
                + "  unreachable: "
                + r.error());
        continue;
      }
      ClusterInfoResponse own = r.own();
      lines.add(
          String.format(
              format,
              mark,
              m.getId(),
              role(own.getRole()),
              m.getClientAddress(),
              m.getRaftAddress(),
              own.getCommitIndex(),
              own.getAppliedIndex(),
              own.getSnapshotIndex() < 0 ? "-" : Long.toString(own.getSnapshotIndex()),
              own.getInodeCount()));
    }
    return lines;
  }

  ObjectNode json() {
    ObjectNode o = new ObjectMapper().createObjectNode();
    o.put("clusterId", leader.getClusterId());
    o.put("leader", leader.getMemberId());
    o.put("term", leader.getTerm());
    o.put("snapshotIndex", leader.getSnapshotIndex());
    o.put("inodeCount", leader.getInodeCount());
    var array = o.putArray("members");
    for (Row r : members) {
      Member m = r.member();
      ObjectNode row =
          array
              .addObject()
              .put("id", m.getId())
              .put("leader", m.getLeader())
              .put("clientAddress", m.getClientAddress())
              .put("raftAddress", m.getRaftAddress());
      if (r.own() == null) {
        row.put("reachable", false).put("error", r.error());
      } else {
        row.put("reachable", true)
            .put("role", role(r.own().getRole()))
            .put("term", r.own().getTerm())
            .put("commitIndex", r.own().getCommitIndex())
            .put("appliedIndex", r.own().getAppliedIndex())
            .put("snapshotIndex", r.own().getSnapshotIndex())
            .put("inodeCount", r.own().getInodeCount());
      }
    }
    return o;
  }

  static String role(Role role) {
    return switch (role) {
      case LEADER -> "leader";
      case FOLLOWER -> "follower";
      case CANDIDATE -> "candidate";
      case LISTENER -> "listener";
      default -> "unknown";
    };
  }
}

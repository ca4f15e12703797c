package dev.metacluster.cli.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.metacluster.api.admin.v1.Member;
import dev.metacluster.api.admin.v1.MemberAddress;
import dev.metacluster.api.client.MetadataClient;
import dev.metacluster.cli.CliException;
import dev.metacluster.cli.ExitCodes;
import dev.metacluster.cli.Metactl;
import dev.metacluster.master.journal.BackupArchive;
import dev.metacluster.master.journal.JournalConfig;
import dev.metacluster.master.proto.SnapshotManifest;
import dev.metacluster.master.server.MemberProcess;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code metactl admin}: the Raft group (admin.v1) and the offline restore of a backup. */
@Command(
    name = "admin",
    mixinStandardHelpOptions = true,
    description =
        "The cluster: info, add-member, remove-member, transfer-leader, snapshot, backup, restore.",
    synopsisSubcommandLabel = "COMMAND",
    subcommands = BackupCommand.class)
public final class AdminCommand implements Runnable {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "Missing required subcommand");
  }

  @Command(
      name = "info",
      mixinStandardHelpOptions = true,
      description = {
        "The group as the leader sees it, and every member's own view: role, commit and applied",
        "index, snapshot index, inodes. A member that does not answer is shown as unreachable."
      })
  int info() {
    return withClient(
        client -> {
          ClusterInfo info = ClusterInfo.collect(client);
          if (json()) {
            print(info.json());
          } else {
            info.table().forEach(out()::println);
            out().flush();
          }
          return ExitCodes.OK;
        });
  }

  @Command(
      name = "add-member",
      mixinStandardHelpOptions = true,
      description = {
        "Adds members to the group. Each must be running, started as a joiner (empty journal);",
        "it catches up before it votes. Members already in the group are ignored."
      })
  int addMember(
      @Parameters(
              paramLabel = "ID=HOST:RAFT_PORT:CLIENT_PORT",
              arity = "1..*",
              description = "As in the peers setting, e.g. m3=10.0.0.4:9201:9200.")
          List<String> members) {
    List<MemberAddress> addresses = new ArrayList<>();
    for (String m : members) {
      addresses.add(parseMember(m));
    }
    return withClient(client -> printMembers(client.addMembers(addresses)));
  }

  @Command(
      name = "remove-member",
      mixinStandardHelpOptions = true,
      description = {
        "Removes members from the group (the leader hands over first). Refused (exit 5) when no",
        "member would remain. Ids not in the group are ignored."
      })
  int removeMember(@Parameters(paramLabel = "ID", arity = "1..*") List<String> ids) {
    return withClient(client -> printMembers(client.removeMembers(ids)));
  }

  @Command(
      name = "transfer-leader",
      mixinStandardHelpOptions = true,
      description = "Moves leadership to member ID (default: the most caught-up follower).")
  int transferLeader(@Parameters(paramLabel = "ID", arity = "0..1") String id) {
    return withClient(
        client -> {
          String leader = client.transferLeadership(id == null ? "" : id);
          if (json()) {
            print(JSON.createObjectNode().put("leader", leader));
          } else {
            out().println("leader: " + leader);
            out().flush();
          }
          return ExitCodes.OK;
        });
  }

  @Command(
      name = "snapshot",
      mixinStandardHelpOptions = true,
      description = "Takes a snapshot (a RocksDB checkpoint) now, on the leader or one member.")
  int snapshot(
      @Option(
              names = "--member",
              paramLabel = "HOST:PORT",
              description = "The member's client address (default: the leader).")
          String member) {
    return withClient(
        client -> {
          long index = member == null ? client.takeSnapshot() : client.takeSnapshot(member);
          if (json()) {
            print(JSON.createObjectNode().put("snapshotIndex", index));
          } else {
            out().println("snapshot at index " + index);
            out().flush();
          }
          return ExitCodes.OK;
        });
  }

  @Command(
      name = "restore",
      mixinStandardHelpOptions = true,
      description = {
        "Offline: restores a backup archive into the empty metastore directory of one member of a",
        "NEW cluster (every file checked against its SHA-256, the namespace against the",
        "manifest's checksum). Restore every member of the new cluster from the same archive,",
        "then start them. Needs no running cluster (same as `master restore`)."
      })
  int restore(
      @Option(names = "--archive", required = true, paramLabel = "FILE") Path archive,
      @Option(
              names = "--metastore-dir",
              required = true,
              paramLabel = "DIR",
              description = "The new member's metastore directory (must be empty or missing).")
          Path metastoreDir,
      @Option(
              names = "--cluster",
              required = true,
              paramLabel = "NAME",
              description = "The NEW cluster's name (its cluster.name setting).")
          String cluster)
      throws IOException {
    SnapshotManifest manifest;
    try {
      manifest = BackupArchive.restoreForCluster(archive, metastoreDir, cluster);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    } catch (IOException e) {
      throw new CliException(ExitCodes.FAILED, "restore failed: " + e.getMessage(), e);
    }
    String clusterId = JournalConfig.groupUuid(cluster).toString();
    if (json()) {
      print(
          JSON.createObjectNode()
              .put("archive", archive.toString())
              .put("metastoreDir", metastoreDir.toString())
              .put("cluster", cluster)
              .put("clusterId", clusterId)
              .put("inodeCount", manifest.getInodeCount())
              .put("namespaceChecksum", manifest.getNamespaceChecksum())
              .put("backupClusterId", manifest.getClusterId())
              .put("backupIndex", manifest.getIndex()));
    } else {
      out()
          .println(
              BackupArchive.restoreSummary(archive.toString(), metastoreDir, cluster, manifest));
      out().flush();
    }
    return ExitCodes.OK;
  }

  // ---- helpers -------------------------------------------------------------------------------

  /** ID=HOST:RAFT_PORT:CLIENT_PORT (the peers setting's form, both ports required). */
  MemberAddress parseMember(String text) {
    int eq = text.indexOf('=');
    String[] parts = eq < 0 ? new String[0] : text.substring(eq + 1).split(":", -1);
    if (eq <= 0 || parts.length != 3 || parts[0].isBlank()) {
      throw new ParameterException(
          spec.commandLine(),
          "'"
              + text
              + "' is not of the form ID=HOST:RAFT_PORT:CLIENT_PORT (e.g. m3=10.0.0.4:9201:9200)");
    }
    String id = text.substring(0, eq);
    try {
      MemberProcess.checkId("member id", id);
      for (int i = 1; i <= 2; i++) {
        int port = Integer.parseInt(parts[i]);
        if (port < 1 || port > 65535) {
          throw new IllegalArgumentException("port " + port + " out of range in '" + text + "'");
        }
      }
    } catch (NumberFormatException e) {
      throw new ParameterException(spec.commandLine(), "bad port in '" + text + "'");
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    return MemberAddress.newBuilder()
        .setId(id)
        .setRaftAddress(parts[0] + ":" + parts[1])
        .setClientAddress(parts[0] + ":" + parts[2])
        .build();
  }

  private int printMembers(List<Member> members) {
    if (json()) {
      ArrayNode a = JSON.createArrayNode();
      for (Member m : members) {
        a.addObject()
            .put("id", m.getId())
            .put("leader", m.getLeader())
            .put("raftAddress", m.getRaftAddress())
            .put("clientAddress", m.getClientAddress());
      }
      print(a);
    } else {
      out().println("members now:");
      for (Member m : members) {
        out()
            .printf(
                "  %s%s raft %s client %s%n",
                m.getId(),
                m.getLeader() ? " (leader)" : "",
                m.getRaftAddress(),
                m.getClientAddress());
      }
      out().flush();
    }
    return ExitCodes.OK;
  }

  private int withClient(Function<MetadataClient, Integer> body) {
    try (MetadataClient client = Metactl.of(spec).connect()) {
      return body.apply(client);
    }
  }

  private boolean json() {
    return Metactl.of(spec).output() == Metactl.Output.json;
  }

  private PrintWriter out() {
    return spec.commandLine().getOut();
  }

  private void print(JsonNode node) {
    try {
      out().println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(node));
      out().flush();
    } catch (IOException e) {
      throw new CliException(ExitCodes.FAILED, "cannot write JSON: " + e.getMessage(), e);
    }
  }
}

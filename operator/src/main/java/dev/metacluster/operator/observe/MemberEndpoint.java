package dev.metacluster.operator.observe;

import dev.metacluster.operator.model.MasterConfig;

/**
 * Where one master is reached: the operator dials its admin API, and a member being added to the
 * group is announced to the others at these addresses.
 *
 * @param id the member id (the pod name)
 * @param host host name or address
 * @param port the client (gRPC) port, which also serves the admin service
 * @param raftPort the Raft port
 */
public record MemberEndpoint(String id, String host, int port, int raftPort) {
  /** A member on the product's fixed Raft port. */
  public MemberEndpoint(String id, String host, int port) {
    this(id, host, port, MasterConfig.RAFT_PORT);
  }

  /** The client (and admin) address, {@code host:port}. */
  public String target() {
    return host + ":" + port;
  }

  /** The Raft address, {@code host:raftPort}. */
  public String raftTarget() {
    return host + ":" + raftPort;
  }
}

package dev.metacluster.operator.observe;

/**
 * Where the operator reaches one master's admin API.
 *
 * @param id the member id (the pod name)
 * @param host host name or address
 * @param port the client (gRPC) port, which also serves the admin service
 */
public record MemberEndpoint(String id, String host, int port) {
  public String target() {
    return host + ":" + port;
  }
}

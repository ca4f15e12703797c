package org.apache.ratis.grpc.server;

import java.io.IOException;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;

/**
 * Resets the reconnect backoff of a Ratis server's gRPC channel to one peer, callable from outside
 * Ratis.
 *
 * <p>Ratis 3.2.2 does this itself only on the leader's append path ({@code GrpcLogAppender});
 * {@code GrpcServerProtocolClient} is package-private, so this one method lives in Ratis's package
 * (the jar is not sealed and Ratis is not a named module here). It calls exactly the method Ratis
 * calls. Remove it once Ratis resets the backoff of the channels vote requests use.
 */
public final class PeerConnectBackoff {
  private PeerConnectBackoff() {}

  /**
   * Short-circuits the reconnect backoff of {@code server}'s channel to {@code peer}: a channel
   * waiting to reconnect tries now; a connected or idle one is left as it is.
   *
   * @return false if {@code server} does not use Ratis's gRPC transport
   * @throws IOException if {@code peer} is not one of the server's peers or the server is closing
   */
  public static boolean reset(RaftServer server, RaftPeerId peer) throws IOException {
    if (!(server.getServerRpc() instanceof GrpcServicesImpl grpc)) {
      return false;
    }
    grpc.getProxies().getProxy(peer).resetConnectBackoff();
    return true;
  }
}

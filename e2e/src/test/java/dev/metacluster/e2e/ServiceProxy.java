package dev.metacluster.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kube-proxy of the harness for one ClusterIP Service: a TCP forwarder on a loopback port that
 * sends each new connection to one ready endpoint, picked at random (as iptables mode does). A
 * connection stays on its endpoint until either side closes it; endpoints are asked for on every
 * new connection, so a pod that stops being ready gets no new connections.
 */
final class ServiceProxy implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ServiceProxy.class);

  private final String name;
  private final Supplier<List<Integer>> readyPorts;
  private final ServerSocket server;
  private final ExecutorService threads;

  ServiceProxy(String name, Supplier<List<Integer>> readyPorts) throws IOException {
    this.name = name;
    this.readyPorts = readyPorts;
    this.server = new ServerSocket();
    server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    this.threads =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "service-proxy-" + name);
              t.setDaemon(true);
              return t;
            });
    threads.execute(this::acceptLoop);
  }

  /** {@code 127.0.0.1:port}: the Service's address as a client in the cluster would use it. */
  String address() {
    return LoopbackDns.HOST + ":" + server.getLocalPort();
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      Socket in;
      try {
        in = server.accept();
      } catch (IOException e) {
        return; // closed
      }
      List<Integer> ports = readyPorts.get();
      if (ports.isEmpty()) {
        // no ready endpoint: a real ClusterIP rejects the connection too
        closeQuietly(in);
        continue;
      }
      int port = ports.get(ThreadLocalRandom.current().nextInt(ports.size()));
      threads.execute(() -> forward(in, port));
    }
  }

  private void forward(Socket in, int port) {
    try (in;
        Socket out = new Socket(LoopbackDns.HOST, port)) {
      in.setTcpNoDelay(true);
      out.setTcpNoDelay(true);
      threads.execute(() -> pump(out, in));
      pump(in, out);
    } catch (IOException e) {
      log.debug("service {}: connection to :{} ended: {}", name, port, e.toString());
    }
  }

  /** Copies until EOF or error, then closes both ends (so the other pump ends too). */
  private static void pump(Socket from, Socket to) {
    try {
      InputStream src = from.getInputStream();
      OutputStream dst = to.getOutputStream();
      src.transferTo(dst);
    } catch (IOException e) {
      // the peer went away; fall through and close both
    } finally {
      closeQuietly(from);
      closeQuietly(to);
    }
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException e) {
      // nothing left to do
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
    threads.shutdownNow();
  }
}

package dev.metacluster.master.server;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Free TCP ports on 127.0.0.1 for local clusters (benchmarks, tests). Ports come from below the
 * kernel's ephemeral range (Linux: 32768-60999): a port the kernel hands out for {@code new
 * ServerSocket(0)} can be taken again by any outgoing connection before the member binds it, and a
 * Ratis server that cannot bind ends the JVM. One JVM never hands out the same port twice.
 */
public final class LoopbackPorts {
  private static final int FIRST = 20_000;
  private static final int LAST = 32_000;
  private static final AtomicInteger NEXT =
      new AtomicInteger(FIRST + ThreadLocalRandom.current().nextInt(LAST - FIRST));

  private LoopbackPorts() {}

  /** A port nobody listens on now, never returned before by this JVM (until the range wraps). */
  public static int free() {
    for (int tries = 0; tries < LAST - FIRST; tries++) {
      int port = FIRST + Math.floorMod(NEXT.getAndIncrement() - FIRST, LAST - FIRST);
      try (ServerSocket socket = new ServerSocket()) {
        socket.setReuseAddress(false);
        socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        return port;
      } catch (IOException inUse) {
        // taken: try the next one
      }
    }
    throw new IllegalStateException("no free port on 127.0.0.1 in " + FIRST + ".." + LAST);
  }
}

package dev.metacluster.master.journal;

import java.net.InetSocketAddress;
import java.util.regex.Pattern;

/** Member ids and host:port addresses as configuration and admin requests give them. */
public final class Addresses {
  /** Member ids and cluster names: what a Kubernetes pod name may be (a DNS label). */
  private static final Pattern ID =
      Pattern.compile("[A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?");

  private Addresses() {}

  /**
   * Checks a member id or cluster name: 1..63 letters, digits, '.', '_', '-', alphanumeric ends.
   */
  public static void checkId(String what, String id) {
    if (id == null || !ID.matcher(id).matches()) {
      throw new IllegalArgumentException(
          what
              + " '"
              + id
              + "' is invalid: use 1 to 63 letters, digits, '.', '_' or '-',"
              + " starting and ending with a letter or digit");
    }
  }

  /**
   * Parses {@code HOST:PORT}; {@code what} names the value in error messages (e.g. {@code
   * "client_address 'x:y'"}). The address is left unresolved: a peer's DNS name (a pod behind a
   * headless service) may not resolve yet.
   */
  public static InetSocketAddress parse(String what, String hostPort) {
    if (hostPort == null || hostPort.isBlank()) {
      throw new IllegalArgumentException(what + " is empty; expected HOST:PORT");
    }
    int colon = hostPort.lastIndexOf(':');
    if (colon < 0) {
      throw new IllegalArgumentException(what + " has no port; expected HOST:PORT");
    }
    return address(what, hostPort.substring(0, colon), hostPort.substring(colon + 1));
  }

  /** An address from a host and a port given apart. */
  public static InetSocketAddress address(String what, String hostText, String portText) {
    String host = hostText.strip();
    String port = portText.strip();
    if (host.contains(":") || host.contains("[")) {
      throw new IllegalArgumentException(
          what + " '" + host + "': IPv6 literals are not supported yet; use a host name or IPv4");
    }
    if (host.isEmpty() || host.chars().anyMatch(Character::isWhitespace)) {
      throw new IllegalArgumentException(what + " has no valid host: '" + host + "'");
    }
    int number;
    try {
      number = Integer.parseInt(port);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(what + " has port '" + port + "', which is not a number");
    }
    if (number < 1 || number > 65_535) {
      throw new IllegalArgumentException(what + " has port " + number + ", outside 1..65535");
    }
    return InetSocketAddress.createUnresolved(host, number);
  }

  public static String hostPort(InetSocketAddress a) {
    return a.getHostString() + ":" + a.getPort();
  }
}

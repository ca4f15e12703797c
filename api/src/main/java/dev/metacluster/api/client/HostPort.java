package dev.metacluster.api.client;

/** A member address, host:port ("[v6]:port" for an IPv6 literal). */
record HostPort(String host, int port) {

  static HostPort parse(String address) {
    String s = address.trim();
    String host;
    String port;
    if (s.startsWith("[")) {
      int end = s.indexOf(']');
      if (end < 0 || end + 1 >= s.length() || s.charAt(end + 1) != ':') {
        throw new IllegalArgumentException("not host:port: " + address);
      }
      host = s.substring(1, end);
      port = s.substring(end + 2);
    } else {
      int colon = s.lastIndexOf(':');
      if (colon <= 0 || s.indexOf(':') != colon) {
        throw new IllegalArgumentException(
            "not host:port (bracket IPv6 literals: [::1]:9200): " + address);
      }
      host = s.substring(0, colon);
      port = s.substring(colon + 1);
    }
    int p;
    try {
      p = Integer.parseInt(port);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("bad port in " + address, e);
    }
    if (host.isEmpty() || p < 1 || p > 65535) {
      throw new IllegalArgumentException("not host:port with a port in 1..65535: " + address);
    }
    return new HostPort(host, p);
  }

  @Override
  public String toString() {
    return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
  }
}

package io.twlab.core;

/** One socket of a node, by its two ends as {@code ip:port}: a connection's 4-tuple from that node's side. */
public record SocketKey(String local, String remote) {

  public boolean localPort(int port) {
    return local.endsWith(":" + port);
  }

  /** The local end's address, without its port ({@code [::1]} stays bracketed). */
  public String localIp() {
    return local.substring(0, local.lastIndexOf(':'));
  }

  public int localPortNumber() {
    return Integer.parseInt(local.substring(local.lastIndexOf(':') + 1));
  }

  public boolean remotePort(int port) {
    return remote.endsWith(":" + port);
  }

  /** {@code ip:port -> ip:port}, as the results and the CLI write a connection. */
  public String connection() {
    return local + " -> " + remote;
  }
}

package io.twlab.lab;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a lab node is for; each role has its own lab image and the only capabilities it needs:
 * NET_RAW for tcpdump (and ping), SETUID and SETGID for tcpdump's switch to its own user after
 * opening the capture; the gateway also NET_ADMIN to rewrite packets (iptables, conntrack).
 */
public enum Role {
  CLIENT, SERVER, GATEWAY(Set.of("NET_ADMIN")), REDIS;

  private static final Set<String> ANY_NODE = Set.of("NET_RAW", "SETUID", "SETGID");

  private final Set<String> own;

  Role() {
    this(Set.of());
  }

  Role(Set<String> own) {
    this.own = own;
  }

  /** The capabilities its nodes have; a run node that rewrites packets also gets NET_ADMIN. */
  public Set<String> capabilities(boolean netAdmin) {
    Set<String> all = new TreeSet<>(ANY_NODE);
    all.addAll(own);
    if (netAdmin) {
      all.add("NET_ADMIN");
    }
    return all;
  }

  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<Role> fromId(String id) {
    return Arrays.stream(values()).filter(r -> r.id().equals(id)).findFirst();
  }
}

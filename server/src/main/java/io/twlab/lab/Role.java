package io.twlab.lab;

import java.util.Locale;

/** What a lab node is for; each role has its own lab image. */
public enum Role {
  CLIENT, SERVER, GATEWAY, REDIS;

  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Role fromId(String id) {
    return valueOf(id.toUpperCase(Locale.ROOT));
  }
}

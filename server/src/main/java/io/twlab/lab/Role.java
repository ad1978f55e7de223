package io.twlab.lab;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** What a lab node is for; each role has its own lab image. */
public enum Role {
  CLIENT, SERVER, GATEWAY, REDIS;

  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<Role> fromId(String id) {
    return Arrays.stream(values()).filter(r -> r.id().equals(id)).findFirst();
  }
}

package io.twlab.app;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/** Identifiers and thread names of the control plane's own objects. */
final class Ids {
  private static final SecureRandom RANDOM = new SecureRandom();

  private Ids() {}

  /** {@code lab-3f9a0c71d2}: the kind, then 40 random bits, so that an id cannot be guessed from another. */
  static String newId(String kind) {
    byte[] bytes = new byte[5];
    RANDOM.nextBytes(bytes);
    return kind + "-" + HexFormat.of().formatHex(bytes);
  }

  static ThreadFactory daemonThreads(String name) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, name + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}

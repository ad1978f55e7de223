package io.twlab.app;

import io.twlab.core.TooManyRequestsException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntFunction;

/** How many of one kind of thing (labs, runs, watchers) each tenant owner holds, against their limit. */
final class Holdings {
  private final Map<String, Integer> held = new HashMap<>();
  private int total;

  /**
   * Takes one for {@code owner}; when they hold {@code max} already, throws what {@code full} makes
   * of the number they hold. Closing what it returns gives it back (as {@link #give} does), once.
   */
  synchronized Hold take(String owner, int max, IntFunction<TooManyRequestsException> full) {
    int mine = held.getOrDefault(owner, 0);
    if (mine >= max) {
      throw full.apply(mine);
    }
    held.put(owner, mine + 1);
    total++;
    return new Hold(() -> give(owner));
  }

  /** One thing held, given back when closed. */
  static final class Hold implements AutoCloseable {
    private final Runnable giveBack;
    private final AtomicBoolean closed = new AtomicBoolean();

    private Hold(Runnable giveBack) {
      this.giveBack = giveBack;
    }

    @Override
    public void close() {
      if (closed.compareAndSet(false, true)) {
        giveBack.run();
      }
    }
  }

  synchronized void give(String owner) {
    Integer mine = held.get(owner);
    if (mine == null) {
      return;
    }
    if (mine == 1) {
      held.remove(owner);
    } else {
      held.put(owner, mine - 1);
    }
    total--;
  }

  /** Everyone's together. */
  synchronized int total() {
    return total;
  }
}

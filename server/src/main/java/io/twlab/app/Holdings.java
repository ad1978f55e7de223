package io.twlab.app;

import io.twlab.core.TooManyRequestsException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntFunction;

/** How many of one kind of thing (labs, nodes, runs, watchers) each tenant owner holds, against their limit. */
final class Holdings {
  private final Map<String, Integer> held = new HashMap<>();
  private int total;

  /**
   * Takes one for {@code owner}; when they hold {@code max} already, throws what {@code full} makes
   * of the number they hold. Closing what it returns gives it back (as {@link #give} does), once.
   */
  synchronized Hold take(String owner, int max, IntFunction<TooManyRequestsException> full) {
    return take(owner, 1, max, full);
  }

  /** Like {@link #take(String, int, IntFunction)} for {@code amount} at once. */
  synchronized Hold take(String owner, int amount, int max, IntFunction<TooManyRequestsException> full) {
    int mine = held.getOrDefault(owner, 0);
    if ((long) mine + amount > max) {
      throw full.apply(mine);
    }
    held.put(owner, mine + amount);
    total += amount;
    return new Hold(() -> give(owner, amount));
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
    give(owner, 1);
  }

  synchronized void give(String owner, int amount) {
    Integer mine = held.get(owner);
    if (mine == null) {
      return;
    }
    int left = Math.max(0, mine - amount);
    if (left == 0) {
      held.remove(owner);
    } else {
      held.put(owner, left);
    }
    total -= mine - left;
  }

  /** Everyone's together. */
  synchronized int total() {
    return total;
  }
}

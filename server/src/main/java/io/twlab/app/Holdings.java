package io.twlab.app;

import io.twlab.core.TooManyRequestsException;
import java.util.HashMap;
import java.util.Map;
import java.util.function.IntFunction;

/** How many of one kind of thing (labs, runs, watchers) each tenant owner holds, against their limit. */
final class Holdings {
  private final Map<String, Integer> held = new HashMap<>();
  private int total;

  /**
   * Takes one for {@code owner}; when they hold {@code max} already, throws what {@code full} makes
   * of the number they hold.
   */
  synchronized void take(String owner, int max, IntFunction<TooManyRequestsException> full) {
    int mine = held.getOrDefault(owner, 0);
    if (mine >= max) {
      throw full.apply(mine);
    }
    held.put(owner, mine + 1);
    total++;
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

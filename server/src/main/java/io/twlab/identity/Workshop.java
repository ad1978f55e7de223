package io.twlab.identity;

import io.twlab.core.Limits;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;

/**
 * An instructor's class: its seats, until when its students may work, what each seat may hold at
 * once, and the scenarios its students may run (empty: all).
 */
public record Workshop(String id, String name, String instructorId, int seats, Instant endsAt, Optional<Instant> endedAt,
    Limits seatLimits, Set<String> scenarios, boolean shellsWhileGraded) {

  public Workshop {
    scenarios = Set.copyOf(scenarios);
  }

  public boolean openAt(Instant now) {
    return endedAt.isEmpty() && now.isBefore(endsAt);
  }
}

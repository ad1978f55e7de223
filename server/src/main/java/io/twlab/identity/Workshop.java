package io.twlab.identity;

import java.time.Instant;
import java.util.Optional;

/** An instructor's class: its seats and until when its students may work. */
public record Workshop(String id, String name, String instructorId, int seats, Instant endsAt, Optional<Instant> endedAt) {

  public boolean openAt(Instant now) {
    return endedAt.isEmpty() && now.isBefore(endsAt);
  }
}

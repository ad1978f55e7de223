package io.twlab.identity;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Workshops, with the hash of each one's join code (never the code). */
public interface WorkshopStore {

  void save(Workshop workshop, String joinCodeHash);

  Optional<Workshop> byJoinCode(String joinCodeHash);

  Optional<Workshop> get(String id);

  /** Every workshop, or an instructor's. */
  List<Workshop> list(Optional<String> instructorId);

  /** The students who joined {@code workshopId} (revoked ones too). */
  List<Principal> students(String workshopId);

  /** Moves the workshop's end to {@code endsAt}, its students' tokens with it. */
  void extend(String id, Instant endsAt);

  /** Ends the workshop now and revokes every student's credential. */
  void end(String id, Instant at);
}

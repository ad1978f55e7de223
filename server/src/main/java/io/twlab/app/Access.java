package io.twlab.app;

import io.twlab.core.FieldViolation;
import io.twlab.core.InvalidArgumentException;
import io.twlab.core.NotFoundException;
import io.twlab.core.PermissionDeniedException;
import io.twlab.core.TooManyRequestsException;
import io.twlab.identity.Credentials;
import io.twlab.identity.Principal;
import io.twlab.identity.Role;
import io.twlab.identity.Workshop;
import io.twlab.identity.WorkshopStore;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Who may do what: the admin adds instructors, an instructor opens workshops and hands out their
 * join code, a student joins with it and gets a credential for that workshop until it ends.
 */
public final class Access {
  /** Join codes: 10 characters without look-alikes (no 0/O, 1/I/L), about 49 bits. */
  private static final String CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";
  private static final int CODE_LENGTH = 10;
  static final int FAILED_JOINS_PER_MINUTE = 10;
  private static final Duration INSTRUCTOR_LIFETIME = Duration.ofDays(90);
  private static final Duration MIN_WORKSHOP = Duration.ofMinutes(10);
  private static final Duration MAX_WORKSHOP = Duration.ofDays(14);
  private static final int MAX_SEATS = 500;
  private static final int MAX_NAME = 80;

  private final Credentials credentials;
  private final WorkshopStore workshops;
  private final Clock clock;
  private final SecureRandom random = new SecureRandom();
  private final Map<String, Deque<Instant>> failedJoins = new HashMap<>();

  public Access(Credentials credentials, WorkshopStore workshops, Clock clock) {
    this.credentials = credentials;
    this.workshops = workshops;
    this.clock = clock;
  }

  /** A credential just made: its principal, its token (shown this once) and until when it works. */
  public record Issued(Principal principal, String token, Instant expiresAt) {}

  /** A workshop with the students who joined it. */
  public record Roster(Workshop workshop, List<Principal> students) {
    public Roster {
      students = List.copyOf(students);
    }
  }

  /** A workshop just opened, with its join code (shown this once). */
  public record Opened(Workshop workshop, String joinCode) {}

  public Issued addInstructor(Principal caller, String name) {
    require(caller, Role.ADMIN, "add instructors");
    String checked = name(name, "name");
    Principal instructor = new Principal(Ids.newId("instructor"), Role.INSTRUCTOR, checked);
    return new Issued(instructor, credentials.issue(instructor, INSTRUCTOR_LIFETIME),
        clock.instant().plus(INSTRUCTOR_LIFETIME));
  }

  public Opened openWorkshop(Principal caller, String name, int seats, Duration lasts) {
    require(caller, Role.INSTRUCTOR, "open workshops");
    List<FieldViolation> bad = new ArrayList<>();
    if (name == null || name.isBlank() || name.length() > MAX_NAME) {
      bad.add(new FieldViolation("name", "must be 1 to " + MAX_NAME + " characters"));
    }
    if (seats < 1 || seats > MAX_SEATS) {
      bad.add(new FieldViolation("seats", "must be 1 to " + MAX_SEATS + ", got " + seats));
    }
    if (lasts.compareTo(MIN_WORKSHOP) < 0 || lasts.compareTo(MAX_WORKSHOP) > 0) {
      bad.add(new FieldViolation("duration", "must be 10 minutes to 14 days, got " + lasts.toSeconds() + " s"));
    }
    if (!bad.isEmpty()) {
      throw new InvalidArgumentException(bad);
    }
    String code = joinCode();
    Workshop workshop = new Workshop(Ids.newId("workshop"), name.trim(), caller.id(), seats, clock.instant().plus(lasts),
        Optional.empty());
    workshops.save(workshop, Credentials.hash(normal(code)));
    return new Opened(workshop, code);
  }

  /**
   * A seat in the workshop of {@code joinCode}, for {@code from} (the caller's address, for the rate
   * limit). One join at a time, so that two students cannot take the last seat together.
   */
  public synchronized Issued join(String joinCode, String name, String from) {
    Instant now = clock.instant();
    throttle(from, now);
    String checked = name(name, "name");
    Optional<Workshop> workshop = Optional.ofNullable(joinCode).map(c -> Credentials.hash(normal(c)))
        .flatMap(workshops::byJoinCode).filter(w -> w.openAt(now));
    if (workshop.isEmpty()) {
      failed(from, now);
      throw new InvalidArgumentException("join_code", "no open workshop has this code; ask your instructor for it");
    }
    Workshop w = workshop.get();
    if (workshops.students(w.id()).size() >= w.seats()) {
      throw new TooManyRequestsException("workshop '" + w.name() + "' has all its " + w.seats()
          + " seats taken; ask your instructor for more", 60);
    }
    Principal student = new Principal(Ids.newId("student"), Role.STUDENT, checked, Optional.of(w.id()));
    return new Issued(student, credentials.issue(student, Duration.between(now, w.endsAt())), w.endsAt());
  }

  /** The caller's workshops with their students: an instructor's own, every one for the admin. */
  public List<Roster> workshops(Principal caller) {
    require(caller, Role.INSTRUCTOR, "list workshops");
    return workshops.list(caller.role() == Role.ADMIN ? Optional.empty() : Optional.of(caller.id())).stream()
        .map(this::roster).toList();
  }

  /** Ends a workshop at once: every student's credential stops working. */
  public Roster endWorkshop(Principal caller, String workshopId) {
    workshops.end(owned(caller, workshopId).id(), clock.instant());
    return roster(workshops.get(workshopId).orElseThrow());
  }

  private Roster roster(Workshop workshop) {
    return new Roster(workshop, workshops.students(workshop.id()));
  }

  /** Revokes a credential: the admin any, an instructor a student of their workshops. */
  public void revoke(Principal caller, String principalId) {
    require(caller, Role.INSTRUCTOR, "revoke credentials");
    if (caller.role() != Role.ADMIN) {
      boolean theirs = workshops(caller).stream()
          .anyMatch(r -> r.students().stream().anyMatch(s -> s.id().equals(principalId)));
      if (!theirs) {
        throw new NotFoundException("student", principalId, "an instructor revokes the students of their own workshops");
      }
    }
    credentials.revoke(principalId);
  }

  private Workshop owned(Principal caller, String workshopId) {
    require(caller, Role.INSTRUCTOR, "manage workshops");
    return workshops.get(workshopId).filter(w -> caller.role() == Role.ADMIN || w.instructorId().equals(caller.id()))
        .orElseThrow(() -> new NotFoundException("workshop", workshopId, "ListWorkshops names yours"));
  }

  /** The admin may do whatever an instructor may. */
  private static void require(Principal caller, Role role, String what) {
    boolean allowed = caller.role() == Role.ADMIN || caller.role() == role;
    if (!allowed) {
      String callerRole = caller.role().name().toLowerCase(Locale.ROOT);
      throw new PermissionDeniedException((callerRole.startsWith("i") ? "an " : "a ") + callerRole + " may not " + what
          + "; only " + (role == Role.ADMIN ? "the admin" : "instructors and the admin") + " may");
    }
  }

  private static String name(String name, String field) {
    if (name == null || name.isBlank() || name.length() > MAX_NAME || name.chars().anyMatch(Character::isISOControl)) {
      throw new InvalidArgumentException(field, "must be 1 to " + MAX_NAME + " printable characters");
    }
    return name.trim();
  }

  private String joinCode() {
    StringBuilder code = new StringBuilder();
    for (int i = 0; i < CODE_LENGTH; i++) {
      code.append(CODE_ALPHABET.charAt(random.nextInt(CODE_ALPHABET.length())));
    }
    return code.toString();
  }

  /** Codes are read aloud and typed: case, spaces and dashes do not matter. */
  private static String normal(String code) {
    return code.replaceAll("[\\s-]", "").toUpperCase(Locale.ROOT);
  }

  private synchronized void throttle(String from, Instant now) {
    Deque<Instant> recent = failedJoins.getOrDefault(from, new ArrayDeque<>());
    while (!recent.isEmpty() && recent.peekFirst().isBefore(now.minusSeconds(60))) {
      recent.pollFirst();
    }
    if (recent.size() >= FAILED_JOINS_PER_MINUTE) {
      long wait = Math.max(1, Duration.between(now, recent.peekFirst().plusSeconds(60)).toSeconds());
      throw new TooManyRequestsException(FAILED_JOINS_PER_MINUTE + " wrong join codes from " + from
          + " within a minute; try again in " + wait + " s", wait);
    }
  }

  private synchronized void failed(String from, Instant now) {
    if (failedJoins.size() > 10_000) {
      failedJoins.values().removeIf(d -> d.isEmpty() || d.peekLast().isBefore(now.minusSeconds(60)));
    }
    failedJoins.computeIfAbsent(from, k -> new ArrayDeque<>()).addLast(now);
  }
}

package io.twlab.app;

import com.google.common.cache.Cache;
import com.google.common.cache.CacheBuilder;
import com.google.common.util.concurrent.RateLimiter;
import io.twlab.core.Bounded;
import io.twlab.core.Caller;
import io.twlab.core.FieldViolation;
import io.twlab.core.InvalidArgumentException;
import io.twlab.core.Limits;
import io.twlab.core.NotFoundException;
import io.twlab.core.PermissionDeniedException;
import io.twlab.core.Tenant;
import io.twlab.core.TooManyRequestsException;
import io.twlab.core.UnauthenticatedException;
import io.twlab.identity.AuditEntry;
import io.twlab.identity.AuditLog;
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
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

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
  public static final Duration ADMIN_LIFETIME = Duration.ofDays(365);
  public static final Duration SESSION = Duration.ofHours(12);
  private static final Duration MIN_WORKSHOP = Duration.ofMinutes(10);
  private static final Duration MAX_WORKSHOP = Duration.ofDays(14);
  private static final int MAX_SEATS = 500;
  private static final int MAX_NAME = 80;
  static final int SEAT_REQUESTS_PER_SECOND = 20;
  static final int INSTRUCTOR_REQUESTS_PER_SECOND = 50;
  private static final Duration PACE_WAIT = Duration.ofMillis(500);
  static final int MAX_AUDIT = 1_000;

  private final Credentials credentials;
  private final WorkshopStore workshops;
  private final AuditLog audit;
  private final Set<String> scenarios;
  private final Clock clock;
  private final SecureRandom random = new SecureRandom();
  private final Map<String, Deque<Instant>> failedJoins = new HashMap<>();
  private final Cache<String, RateLimiter> rates = CacheBuilder.newBuilder().expireAfterAccess(Duration.ofMinutes(5))
      .maximumSize(100_000).build();

  /** {@code scenarios}: the names of the scenarios a workshop may allow. */
  public Access(Credentials credentials, WorkshopStore workshops, AuditLog audit, Set<String> scenarios, Clock clock) {
    this.credentials = credentials;
    this.workshops = workshops;
    this.audit = audit;
    this.scenarios = Set.copyOf(scenarios);
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

  /**
   * A workshop to open: its name, seats and length, what each seat may hold at once, the scenarios
   * its students may run (empty: all).
   */
  public record Plan(String name, int seats, Duration lasts, Limits seatLimits, Set<String> scenarios,
      boolean shellsWhileGraded) {
    public Plan {
      scenarios = Set.copyOf(scenarios);
    }

    /** With a seat's default limits, every scenario allowed. */
    public static Plan of(String name, int seats, Duration lasts) {
      return new Plan(name, seats, lasts, Limits.SEAT, Set.of(), false);
    }
  }

  /**
   * Refuses a caller over their request rate: a seat (or a grading platform) {@value
   * #SEAT_REQUESTS_PER_SECOND} requests a second, an instructor {@value #INSTRUCTOR_REQUESTS_PER_SECOND},
   * the admin unlimited. Guava's RateLimiter: a token bucket that stores a second's worth of requests
   * while its caller is idle; a request beyond it waits up to {@link #PACE_WAIT} for its turn
   * rather than fail, so that a quick burst from a fresh client is smoothed, not refused.
   */
  public void pace(Principal principal) {
    int perSecond = switch (principal.role()) {
      case ADMIN -> 0;
      case INSTRUCTOR -> INSTRUCTOR_REQUESTS_PER_SECOND;
      case STUDENT, SUBMITTER -> SEAT_REQUESTS_PER_SECOND;
    };
    if (perSecond == 0) {
      return;
    }
    RateLimiter rate = rates.asMap().computeIfAbsent(principal.id(), id -> RateLimiter.create(perSecond));
    if (!rate.tryAcquire(PACE_WAIT)) {
      throw TooManyRequestsException.quota("requests per second", perSecond, perSecond, "slow down", 1);
    }
  }

  /** The caller as the use cases see them: whose things are theirs, what they see, their limits. */
  public Caller caller(Principal principal) {
    Tenant self = new Tenant(principal.id(), principal.workshopId().orElse(""));
    return switch (principal.role()) {
      case ADMIN -> Caller.admin(principal.id());
      case INSTRUCTOR -> new Caller(self, false, workshops.list(Optional.of(principal.id())).stream()
          .map(Workshop::id).collect(Collectors.toSet()), Limits.STAFF, Set.of(), false);
      case STUDENT -> principal.workshopId().flatMap(workshops::get)
          .map(w -> new Caller(self, false, Set.of(), w.seatLimits(), w.scenarios(), w.shellsWhileGraded()))
          .orElseThrow(UnauthenticatedException::new);
      case SUBMITTER -> new Caller(self, false, Set.of(), Limits.SUBMIT_ONLY, Set.of(), false);
    };
  }

  /** What a seat of the workshop sees: the student's own labs and runs. */
  public static Caller seat(Principal student) {
    return new Caller(new Tenant(student.id(), student.workshopId().orElse("")), false, Set.of(), Limits.SEAT,
        Set.of(), false);
  }

  public Issued addInstructor(Principal caller, String name) {
    require(caller, Role.ADMIN, "add instructors");
    String checked = name(name, "name");
    Principal instructor = new Principal(Ids.newId("instructor"), Role.INSTRUCTOR, checked);
    return new Issued(instructor, credentials.issue(instructor, INSTRUCTOR_LIFETIME),
        clock.instant().plus(INSTRUCTOR_LIFETIME));
  }

  public Opened openWorkshop(Principal caller, Plan plan) {
    require(caller, Role.INSTRUCTOR, "open workshops");
    String name = plan.name();
    List<FieldViolation> bad = new ArrayList<>();
    if (name == null || name.isBlank() || name.length() > MAX_NAME || name.chars().anyMatch(Character::isISOControl)) {
      bad.add(new FieldViolation("name", "must be 1 to " + MAX_NAME + " printable characters"));
    }
    if (plan.seats() < 1 || plan.seats() > MAX_SEATS) {
      bad.add(new FieldViolation("seats", "must be 1 to " + MAX_SEATS + ", got " + plan.seats()));
    }
    if (plan.lasts().compareTo(MIN_WORKSHOP) < 0 || plan.lasts().compareTo(MAX_WORKSHOP) > 0) {
      bad.add(new FieldViolation("duration", "must be 10 minutes to 14 days, got " + plan.lasts().toSeconds() + " s"));
    }
    bad.addAll(plan.seatLimits().violations("seat_limits."));
    plan.scenarios().stream().filter(n -> !scenarios.contains(n)).sorted().forEach(n -> bad.add(new FieldViolation(
        "scenarios", "no scenario " + Bounded.quote(n) + "; the scenarios are " + String.join(", ", new TreeSet<>(scenarios)))));
    if (!bad.isEmpty()) {
      throw new InvalidArgumentException(bad);
    }
    String code = joinCode();
    Workshop workshop = new Workshop(Ids.newId("workshop"), name.trim(), caller.id(), plan.seats(),
        clock.instant().plus(plan.lasts()), Optional.empty(), plan.seatLimits(), plan.scenarios(),
        plan.shellsWhileGraded());
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
      throw new TooManyRequestsException("workshop " + Bounded.quote(w.name()) + " has all its " + w.seats()
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

  /**
   * Records a call in the audit log: who made it ({@code principal}, empty when no credential
   * worked), from {@code address}, what it asked, on what, and how it ended.
   */
  public void audit(Optional<Principal> principal, String address, String action, String target, String outcome) {
    audit.record(new AuditEntry(clock.instant(), principal.map(Principal::id).orElse(""),
        principal.map(Principal::name).orElse(""), principal.flatMap(Principal::workshopId).orElse(""), address, action,
        target, outcome));
  }

  /**
   * The newest {@code limit} (1 to {@value #MAX_AUDIT}) entries of the audit log the caller may read:
   * every one for the admin, an instructor's own and their workshops'; narrowed to one workshop when
   * {@code workshopId} is not empty.
   */
  public List<AuditEntry> audit(Principal caller, String workshopId, int limit) {
    require(caller, Role.INSTRUCTOR, "read the audit log");
    if (limit < 1 || limit > MAX_AUDIT) {
      throw new InvalidArgumentException("limit", "must be 1 to " + MAX_AUDIT + ", got " + limit);
    }
    Optional<AuditLog.Whose> whose;
    if (!workshopId.isEmpty()) {
      whose = Optional.of(new AuditLog.Whose(Set.of(), Set.of(owned(caller, workshopId).id())));
    } else if (caller.role() == Role.ADMIN) {
      whose = Optional.empty();
    } else {
      whose = Optional.of(new AuditLog.Whose(Set.of(caller.id()), workshops.list(Optional.of(caller.id())).stream()
          .map(Workshop::id).collect(Collectors.toSet())));
    }
    return audit.read(whose, limit);
  }

  /** Moves an open workshop's end later by {@code by}; its students' tokens last until then. */
  public Roster extendWorkshop(Principal caller, String workshopId, Duration by) {
    Workshop w = owned(caller, workshopId);
    Instant now = clock.instant();
    if (w.endedAt().isPresent()) {
      throw new InvalidArgumentException("workshop_id", "workshop " + workshopId + " was ended; open a new one");
    }
    Instant ends = (w.endsAt().isAfter(now) ? w.endsAt() : now).plus(by);
    if (by.isNegative() || by.isZero() || ends.isAfter(now.plus(MAX_WORKSHOP))) {
      throw new InvalidArgumentException("by", "must be positive and end the workshop within 14 days from now");
    }
    workshops.extend(workshopId, ends);
    return roster(workshops.get(workshopId).orElseThrow());
  }

  /** Ends a workshop at once: every student's credential stops working. */
  public Roster endWorkshop(Principal caller, String workshopId) {
    workshops.end(owned(caller, workshopId).id(), clock.instant());
    return roster(workshops.get(workshopId).orElseThrow());
  }

  /** One of the caller's workshops with its students. */
  public Roster roster(Principal caller, String workshopId) {
    return roster(owned(caller, workshopId));
  }

  /**
   * A workshop's room, as only its instructor (and the admin) sees it: to anyone else, students
   * included, it does not exist.
   */
  public Roster room(Principal caller, String workshopId) {
    return roster(workshops.get(workshopId).filter(w -> caller.role() == Role.ADMIN
            || caller.role() == Role.INSTRUCTOR && w.instructorId().equals(caller.id()))
        .orElseThrow(() -> new NotFoundException("workshop", workshopId, "ListWorkshops names yours")));
  }

  private Roster roster(Workshop workshop) {
    return new Roster(workshop, workshops.students(workshop.id()));
  }

  /**
   * A new token for the caller, with their role's lifetime; their other tokens stop working at once.
   * A student's token ends with their workshop and is not rotated.
   */
  public Issued rotate(Principal caller) {
    require(caller, Role.INSTRUCTOR, "rotate their token (it ends with the workshop)");
    Duration lifetime = caller.role() == Role.ADMIN ? ADMIN_LIFETIME : INSTRUCTOR_LIFETIME;
    return new Issued(caller, credentials.rotate(caller, lifetime), clock.instant().plus(lifetime));
  }

  /**
   * A browser session for the caller (the web console's cookie): a token of its own, for at most
   * {@link #SESSION} and never past a student's workshop, so that closing it ends only the session.
   */
  public Issued openSession(Principal caller) {
    Instant now = clock.instant();
    Instant until = now.plus(SESSION);
    if (caller.workshopId().isPresent()) {
      Instant ends = caller.workshopId().flatMap(workshops::get).map(Workshop::endsAt)
          .orElseThrow(UnauthenticatedException::new);
      until = ends.isBefore(until) ? ends : until;
    }
    return new Issued(caller, credentials.issue(caller, Duration.between(now, until)), until);
  }

  /** Ends a browser session: its token stops working. */
  public void closeSession(String token) {
    credentials.drop(token);
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

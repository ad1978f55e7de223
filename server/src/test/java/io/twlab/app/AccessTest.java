package io.twlab.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.twlab.core.FieldViolation;
import io.twlab.core.InvalidArgumentException;
import io.twlab.core.NotFoundException;
import io.twlab.core.PermissionDeniedException;
import io.twlab.core.TooManyRequestsException;
import io.twlab.identity.AuditEntry;
import io.twlab.identity.Credentials;
import io.twlab.identity.Principal;
import io.twlab.identity.Role;
import io.twlab.store.SqliteIdentityStore;
import io.twlab.testing.TestClock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AccessTest {
  private static final Principal ADMIN = new Principal("admin", Role.ADMIN, "admin");

  @TempDir
  Path dataDir;
  private SqliteIdentityStore store;
  private final TestClock clock = new TestClock(Instant.parse("2026-11-27T10:00:00Z"));
  private Credentials credentials;
  private Access access;

  @BeforeEach
  void open() {
    store = SqliteIdentityStore.open(dataDir);
    credentials = new Credentials(store, clock);
    access = new Access(credentials, store, store, Set.of("nc-timewait"), clock);
  }

  @AfterEach
  void close() throws Exception {
    store.close();
  }

  @Test
  void anInstructorOpensAWorkshopAndStudentsJoinItWithItsCodeUntilItEnds() {
    Access.Issued instructor = access.addInstructor(ADMIN, "Ada");
    assertEquals(Optional.of(instructor.principal()), credentials.principal(instructor.token()));
    Access.Opened opened = access.openWorkshop(instructor.principal(), Access.Plan.of("TCP teardown", 2, Duration.ofHours(3)));
    String code = opened.joinCode();
    assertTrue(code.matches("[A-HJ-KM-NP-Z2-9]{10}"), code);

    String typed = code.toLowerCase().substring(0, 5) + "-" + code.substring(5);
    Access.Issued alice = access.join(typed, "Alice", "10.0.0.1");
    assertEquals(Role.STUDENT, alice.principal().role());
    assertEquals(Optional.of(opened.workshop().id()), alice.principal().workshopId());
    assertEquals(opened.workshop().endsAt(), alice.expiresAt(), "a student's token ends with the workshop");
    access.join(code, "Bob", "10.0.0.2");
    TooManyRequestsException full = assertThrows(TooManyRequestsException.class, () -> access.join(code, "Carol", "10.0.0.3"));
    assertTrue(full.getMessage().contains("all its 2 seats taken"), full.getMessage());
    assertEquals(List.of("Alice", "Bob"), access.workshops(instructor.principal()).get(0).students().stream()
        .map(Principal::name).toList());

    access.revoke(instructor.principal(), alice.principal().id());
    assertEquals(Optional.empty(), credentials.principal(alice.token()), "revoked by the instructor");

    Access.Issued other = access.addInstructor(ADMIN, "Grace");
    assertThrows(NotFoundException.class, () -> access.endWorkshop(other.principal(), opened.workshop().id()),
        "another instructor's workshop is not there for them");
    assertThrows(NotFoundException.class, () -> access.revoke(other.principal(), alice.principal().id()));
    assertEquals(List.of(), access.workshops(other.principal()));

    assertTrue(access.endWorkshop(instructor.principal(), opened.workshop().id()).workshop().endedAt().isPresent());
    assertThrows(InvalidArgumentException.class, () -> access.join(code, "Dan", "10.0.0.4"), "an ended workshop");
  }

  @Test
  void aStudentsTokenStopsAtTheWorkshopsEnd() {
    Principal instructor = access.addInstructor(ADMIN, "Ada").principal();
    String code = access.openWorkshop(instructor, Access.Plan.of("short", 5, Duration.ofMinutes(10))).joinCode();
    Access.Issued student = access.join(code, "Alice", "10.0.0.1");
    clock.advance(Duration.ofMinutes(10));
    assertEquals(Optional.empty(), credentials.principal(student.token()));
    assertThrows(InvalidArgumentException.class, () -> access.join(code, "Bob", "10.0.0.2"));
  }

  @Test
  void rolesAreEnforcedAndBadWorkshopsAreRefusedFieldByField() {
    Principal instructor = access.addInstructor(ADMIN, "Ada").principal();
    Principal student = access.join(access.openWorkshop(instructor, Access.Plan.of("w", 5, Duration.ofHours(1))).joinCode(),
        "Alice", "10.0.0.1").principal();
    PermissionDeniedException denied = assertThrows(PermissionDeniedException.class,
        () -> access.addInstructor(instructor, "Eve"));
    assertEquals("an instructor may not add instructors; only the admin may", denied.getMessage());
    assertThrows(PermissionDeniedException.class, () -> access.openWorkshop(student, Access.Plan.of("w", 5, Duration.ofHours(1))));
    assertThrows(PermissionDeniedException.class, () -> access.workshops(student));

    InvalidArgumentException bad = assertThrows(InvalidArgumentException.class,
        () -> access.openWorkshop(instructor, Access.Plan.of("", 0, Duration.ofMinutes(1))));
    assertEquals(List.of("name", "seats", "duration"),
        bad.violations().stream().map(FieldViolation::field).toList());
  }

  @Test
  void withoutAuthenticationTheDeveloperMayOpenAWorkshop() {
    assertEquals(10, access.openWorkshop(Principal.DEVELOPER, Access.Plan.of("dev", 1, Duration.ofHours(1))).joinCode().length());
  }

  @Test
  void wrongJoinCodesAreLimitedPerAddress() {
    for (int i = 0; i < Access.FAILED_JOINS_PER_MINUTE; i++) {
      assertThrows(InvalidArgumentException.class, () -> access.join("WRONGCODE1", "Mallory", "10.0.0.9"));
    }
    TooManyRequestsException limited = assertThrows(TooManyRequestsException.class,
        () -> access.join("WRONGCODE1", "Mallory", "10.0.0.9"));
    assertEquals(60, limited.retryAfterSeconds());
    assertThrows(InvalidArgumentException.class, () -> access.join("WRONGCODE1", "Alice", "10.0.0.1"),
        "another address is not limited");
    clock.advance(Duration.ofSeconds(61));
    assertThrows(InvalidArgumentException.class, () -> access.join("WRONGCODE1", "Mallory", "10.0.0.9"),
        "a minute later it may try again");
  }

  @Test
  void anInstructorReadsTheAuditOfTheirOwnCallsAndWorkshopsOnly() {
    Principal ada = access.addInstructor(ADMIN, "Ada").principal();
    Principal bea = access.addInstructor(ADMIN, "Bea").principal();
    Access.Opened adas = access.openWorkshop(ada, Access.Plan.of("a", 5, Duration.ofHours(1)));
    Access.Opened beas = access.openWorkshop(bea, Access.Plan.of("b", 5, Duration.ofHours(1)));
    Principal alice = access.join(adas.joinCode(), "Alice", "10.0.0.1").principal();
    Principal bob = access.join(beas.joinCode(), "Bob", "10.0.0.2").principal();
    access.audit(Optional.of(ada), "10.0.0.9", "grpc CreateWorkshop", adas.workshop().id(), "OK");
    access.audit(Optional.of(alice), "10.0.0.1", "grpc CreateLab", "lab-a", "OK");
    access.audit(Optional.of(bob), "10.0.0.2", "grpc DeleteLab", "lab-a", "NOT_FOUND");
    access.audit(Optional.empty(), "10.0.0.3", "grpc ListLabs", "", "UNAUTHENTICATED");

    assertEquals(List.of("lab-a", adas.workshop().id()), access.audit(ada, "", 10).stream().map(AuditEntry::target)
        .toList());
    assertEquals(List.of("Alice"), access.audit(ada, adas.workshop().id(), 10).stream()
        .map(AuditEntry::principalName).toList());
    assertEquals(4, access.audit(ADMIN, "", 10).size());
    assertEquals(1, access.audit(ADMIN, "", 1).size());
    assertThrows(NotFoundException.class, () -> access.audit(ada, beas.workshop().id(), 10));
    assertThrows(PermissionDeniedException.class, () -> access.audit(alice, "", 10));
    assertThrows(InvalidArgumentException.class, () -> access.audit(ADMIN, "", 0));
  }

  @Test
  void aRotatedTokenReplacesEveryOtherTokenOfItsHolder() {
    Access.Issued ada = access.addInstructor(ADMIN, "Ada");
    Access.Issued rotated = access.rotate(ada.principal());
    assertEquals(Optional.empty(), credentials.principal(ada.token()));
    assertEquals(Optional.of(ada.principal()), credentials.principal(rotated.token()));
    Principal alice = access.join(access.openWorkshop(ada.principal(), Access.Plan.of("a", 5, Duration.ofHours(1)))
        .joinCode(), "Alice", "10.0.0.1").principal();
    assertThrows(PermissionDeniedException.class, () -> access.rotate(alice));
  }

  @Test
  void anExtendedWorkshopKeepsItsStudentsTokensUntilItsNewEnd() {
    Principal ada = access.addInstructor(ADMIN, "Ada").principal();
    Access.Opened opened = access.openWorkshop(ada, Access.Plan.of("w", 5, Duration.ofHours(1)));
    Access.Issued alice = access.join(opened.joinCode(), "Alice", "10.0.0.1");
    Access.Roster extended = access.extendWorkshop(ada, opened.workshop().id(), Duration.ofHours(2));
    assertEquals(opened.workshop().endsAt().plus(Duration.ofHours(2)), extended.workshop().endsAt());
    clock.advance(Duration.ofMinutes(90));
    assertEquals(Optional.of(alice.principal()), credentials.principal(alice.token()), "past the old end, within the new");
    clock.advance(Duration.ofMinutes(91));
    assertEquals(Optional.empty(), credentials.principal(alice.token()));
    assertThrows(InvalidArgumentException.class, () -> access.extendWorkshop(ada, opened.workshop().id(),
        Duration.ofDays(15)));
  }
}

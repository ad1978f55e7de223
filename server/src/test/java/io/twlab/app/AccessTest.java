package io.twlab.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.twlab.core.FieldViolation;
import io.twlab.core.InvalidArgumentException;
import io.twlab.core.NotFoundException;
import io.twlab.core.PermissionDeniedException;
import io.twlab.core.TooManyRequestsException;
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
}

package io.twlab.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.twlab.store.SqliteIdentityStore;
import io.twlab.testing.TestClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CredentialsTest {
  private static final Principal ALICE = new Principal("s-alice", Role.STUDENT, "Alice");

  @TempDir
  Path dataDir;

  @Test
  void aTokenSpeaksForItsPrincipalUntilItExpiresOrIsRevokedAndOnlyItsHashIsStored() throws Exception {
    TestClock clock = new TestClock(Instant.parse("2026-11-27T10:00:00Z"));
    try (SqliteIdentityStore store = SqliteIdentityStore.open(dataDir)) {
      Credentials credentials = new Credentials(store, clock);
      String token = credentials.issue(ALICE, Duration.ofHours(2));
      String other = credentials.issue(new Principal("s-bob", Role.STUDENT, "Bob"), Duration.ofHours(2));

      assertTrue(token.startsWith("twlab_") && token.length() > 40, token);
      assertEquals(Optional.of(ALICE), credentials.bearer("Bearer " + token));
      assertEquals(Optional.of(ALICE), credentials.bearer("bearer " + token), "the scheme is case-insensitive");
      assertEquals(Optional.empty(), credentials.bearer(null));
      assertEquals(Optional.empty(), credentials.bearer(token), "no scheme");
      assertEquals(Optional.empty(), credentials.bearer("Bearer " + token.substring(0, token.length() - 1) + "x"));
      assertEquals(Optional.empty(), credentials.bearer("Bearer " + "twlab_" + "a".repeat(500)));
      assertFalse(new String(Files.readAllBytes(dataDir.resolve("runs.db")), "ISO-8859-1").contains(token),
          "the database holds no token");

      credentials.revoke(ALICE.id());
      assertEquals(Optional.empty(), credentials.principal(token), "revoked at once");
      assertTrue(credentials.principal(other).isPresent(), "another principal's token still works");

      clock.advance(Duration.ofHours(2));
      assertEquals(Optional.empty(), credentials.principal(other), "expired");
    }
  }

  @Test
  void withoutAuthenticationEveryCallerIsTheDeveloper() {
    assertEquals(Optional.of(Principal.DEVELOPER), Authenticator.open().bearer(null));
  }
}

package io.twlab.identity;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Opaque bearer tokens: 256 random bits, stored as their SHA-256, checked against the store on
 * every request. Chosen over signed tokens (JWT) because revocation must take effect at the next
 * request, which a self-contained token cannot promise without a lookup anyway.
 */
public final class Credentials implements Authenticator {
  private static final String PREFIX = "twlab_";
  private static final int TOKEN_BYTES = 32;
  private static final int MAX_HEADER = 200;

  private final CredentialStore store;
  private final Clock clock;
  private static final SecureRandom RANDOM = new SecureRandom();

  public Credentials(CredentialStore store, Clock clock) {
    this.store = store;
    this.clock = clock;
  }

  /** A new token for {@code principal}, valid for {@code lifetime}; only its hash is stored. */
  public String issue(Principal principal, Duration lifetime) {
    String token = newToken();
    store.save(hash(token), principal, clock.instant().plus(lifetime));
    return token;
  }

  /** A random token of this server's form: {@code twlab_} and 256 random bits, base64url. */
  public static String newToken() {
    byte[] bytes = new byte[TOKEN_BYTES];
    RANDOM.nextBytes(bytes);
    return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /**
   * Makes {@code token}, made elsewhere (a deployment's secret), a credential of {@code principal};
   * refuses one that is not of this server's form and length.
   */
  public void register(Principal principal, String token, Duration lifetime) {
    if (!token.matches(PREFIX + "[A-Za-z0-9_-]{43}")) {
      throw new IllegalArgumentException("not a twlab token: make one with `twlab-server --new-token` "
          + "(twlab_ and 43 base64url characters)");
    }
    store.save(hash(token), principal, clock.instant().plus(lifetime));
  }

  /** A new token for {@code principal}, valid for {@code lifetime}; every other token of theirs stops working. */
  public String rotate(Principal principal, Duration lifetime) {
    String token = issue(principal, lifetime);
    store.dropTokensBut(principal.id(), hash(token));
    return token;
  }

  /** Ends one token (a browser session's); its holder's other tokens work on. */
  public void drop(String token) {
    store.dropToken(hash(token));
  }

  /** The principal a token speaks for, if it is a live token of this server. */
  public Optional<Principal> principal(String token) {
    if (!token.startsWith(PREFIX) || token.length() > MAX_HEADER) {
      return Optional.empty();
    }
    return store.find(hash(token), clock.instant());
  }

  @Override
  public Optional<Principal> bearer(String authorization) {
    if (authorization == null || authorization.length() > MAX_HEADER || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return Optional.empty();
    }
    return principal(authorization.substring(7).trim());
  }

  public void revoke(String principalId) {
    store.revoke(principalId, clock.instant());
  }

  /** The SHA-256 of a secret (a token, a join code), as stored in its place. */
  public static String hash(String token) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }
}

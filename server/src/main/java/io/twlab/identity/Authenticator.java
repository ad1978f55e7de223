package io.twlab.identity;

import java.util.Optional;

/** Tells who an {@code Authorization} header speaks for; the same on gRPC metadata and HTTP. */
public interface Authenticator {

  /** The caller of {@code authorization} ("Bearer TOKEN", or null when absent); empty when it is no one. */
  Optional<Principal> bearer(String authorization);

  /** A server without authentication: every caller is the developer (allowed on loopback only). */
  static Authenticator open() {
    return authorization -> Optional.of(Principal.DEVELOPER);
  }
}

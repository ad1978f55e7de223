package io.twlab.identity;

import java.time.Instant;
import java.util.Optional;

/** Where credentials live: only a hash of each token is kept, never the token. */
public interface CredentialStore {

  void save(String tokenHash, Principal principal, Instant expiresAt);

  /** The principal of a token that is neither expired at {@code now} nor revoked. */
  Optional<Principal> find(String tokenHash, Instant now);

  /** Drops the token of {@code tokenHash}: it fails from the next request on. */
  void dropToken(String tokenHash);

  /** Drops every token of {@code principalId} but the one of {@code keptHash}. */
  void dropTokensBut(String principalId, String keptHash);

  /** Revokes every token of {@code principalId}; they fail from the next request on. */
  void revoke(String principalId, Instant at);
}

package io.twlab.server;

import io.twlab.app.Access;
import io.twlab.identity.Credentials;
import io.twlab.identity.Principal;
import io.twlab.identity.Role;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The admin's credential: made at the first start and written once to {@code admin.token} in the
 * data directory, readable by its owner only (0600); made again when the one there no longer works
 * (expired, revoked, or the database was replaced). Or a deployment's secret, read from a file the
 * server does not write. Its value is never logged.
 */
final class AdminToken {
  static final Principal ADMIN = new Principal("admin", Role.ADMIN, "admin");
  static final String FILE = "admin.token";

  private AdminToken() {
  }

  /**
   * Makes the token in {@code secret} (a Docker or Kubernetes secret) the admin's, if it is not
   * already; refuses one that is not a twlab token, so that a weak password never becomes one.
   */
  static void register(Path secret, Credentials credentials) {
    String token;
    try {
      token = Files.readString(secret, StandardCharsets.US_ASCII).trim();
    } catch (IOException e) {
      throw new IllegalStateException("cannot read the admin token file " + secret + ": " + e.getMessage(), e);
    }
    if (credentials.principal(token).filter(p -> p.role() == Role.ADMIN).isEmpty()) {
      try {
        credentials.register(ADMIN, token, Access.ADMIN_LIFETIME);
      } catch (IllegalArgumentException e) {
        throw new IllegalStateException("the admin token file " + secret + " holds " + e.getMessage(), e);
      }
    }
  }

  /** The file that holds a working admin token, after writing a new one there if needed. */
  static Path ensure(Path dataDir, Credentials credentials) {
    Path file = dataDir.resolve(FILE);
    try {
      if (Files.exists(file) && credentials.principal(Files.readString(file, StandardCharsets.US_ASCII).trim())
          .filter(p -> p.role() == Role.ADMIN).isPresent()) {
        return file;
      }
      Files.deleteIfExists(file);
      Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(file, credentials.issue(ADMIN, Access.ADMIN_LIFETIME) + "\n", StandardCharsets.US_ASCII,
          StandardOpenOption.TRUNCATE_EXISTING);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the admin token to " + file + " (" + e.getMessage()
          + "); choose another directory with --data-dir or TWLAB_DATA_DIR", e);
    }
  }
}

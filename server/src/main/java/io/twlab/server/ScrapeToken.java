package io.twlab.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The scrape credential: a random token good for {@code GET /metrics} only, made at the first start
 * and kept in {@code metrics.token} in the data directory, readable by its owner only (0600), for a
 * Prometheus server's {@code authorization.credentials_file}. Delete the file to change it.
 */
final class ScrapeToken {
  static final String FILE = "metrics.token";
  private static final int MIN_LENGTH = 32;

  private ScrapeToken() {
  }

  static String ensure(Path dataDir) {
    Path file = dataDir.resolve(FILE);
    try {
      if (Files.exists(file)) {
        String token = Files.readString(file, StandardCharsets.US_ASCII).trim();
        if (token.length() >= MIN_LENGTH) {
          return token;
        }
        Files.delete(file);
      }
      byte[] random = new byte[32];
      new SecureRandom().nextBytes(random);
      String token = "twlab-scrape-" + Base64.getUrlEncoder().withoutPadding().encodeToString(random);
      Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(file, token + "\n", StandardCharsets.US_ASCII);
      return token;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the scrape credential to " + file + " (" + e.getMessage()
          + "); choose another directory with --data-dir or TWLAB_DATA_DIR", e);
    }
  }
}

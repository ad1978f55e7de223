package io.twlab.cli;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.Properties;

/** The tokens {@code twlab login} saved, one per server, in a file only its owner can read (0600). */
final class CredentialsFile {
  private final Path file;

  CredentialsFile(Path configDir) {
    this.file = configDir.resolve("credentials.properties");
  }

  Path path() {
    return file;
  }

  Optional<String> token(String server) {
    return Optional.ofNullable(load().getProperty(server));
  }

  void save(String server, String token) {
    Properties all = load();
    all.setProperty(server, token);
    store(all);
  }

  /** Forgets the token of {@code server}; true if there was one. */
  boolean remove(String server) {
    Properties all = load();
    boolean had = all.remove(server) != null;
    store(all);
    return had;
  }

  private Properties load() {
    Properties all = new Properties();
    if (Files.exists(file)) {
      try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
        all.load(in);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
      }
    }
    return all;
  }

  private void store(Properties all) {
    try {
      Files.createDirectories(file.getParent());
      if (!Files.exists(file)) {
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      }
      try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
        all.store(out, "twlab tokens per server: keep this file private");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }
}

package io.twlab.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;

/** The server's embedded SQLite database, {@code runs.db} in the data directory, its schema kept by Flyway. */
final class Database {
  private Database() {
  }

  /** Creates and migrates the database if needed and opens a connection to it (its caller closes it). */
  static Connection open(Path dataDir) {
    String url = "jdbc:sqlite:" + dataDir.resolve("runs.db").toAbsolutePath();
    try {
      Files.createDirectories(dataDir);
      Flyway.configure().dataSource(url, null, null).locations("classpath:io/twlab/store/migration")
          .loggers("slf4j").load().migrate();
    } catch (IOException | FlywayException e) {
      throw new IllegalStateException("cannot open the database in " + dataDir + " (" + e.getMessage()
          + "); choose another directory with --data-dir or TWLAB_DATA_DIR", e);
    }
    try {
      Connection connection = DriverManager.getConnection(url);
      try (Statement s = connection.createStatement()) {
        s.execute("PRAGMA foreign_keys = ON");
        s.execute("PRAGMA journal_mode = WAL");
        s.execute("PRAGMA synchronous = NORMAL");
        s.execute("PRAGMA busy_timeout = 5000");
      }
      return connection;
    } catch (SQLException e) {
      throw new IllegalStateException("cannot open the database " + url + ": " + e.getMessage(), e);
    }
  }
}

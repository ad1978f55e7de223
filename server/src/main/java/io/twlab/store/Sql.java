package io.twlab.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Collections;

/** The statements the stores run: SQL with positional values, and the marks of an IN list. */
final class Sql {
  private Sql() {
  }

  /** SQL parameters for an IN list: "?, ?", never empty (IN () is not SQL; nothing equals NULL). */
  static String marks(int n) {
    return n == 0 ? "NULL" : String.join(", ", Collections.nCopies(n, "?"));
  }

  /** Runs an INSERT, UPDATE or DELETE; a failure says what could not be done. */
  static void update(Connection connection, String what, String sql, Object... values) {
    try (PreparedStatement s = prepared(connection, sql, values)) {
      s.executeUpdate();
    } catch (SQLException e) {
      throw new IllegalStateException("cannot " + what + ": " + e.getMessage(), e);
    }
  }

  /** The statement with its values bound; its caller closes it. */
  static PreparedStatement prepared(Connection connection, String sql, Object... values) throws SQLException {
    PreparedStatement s = connection.prepareStatement(sql);
    for (int i = 0; i < values.length; i++) {
      s.setObject(i + 1, values[i]);
    }
    return s;
  }
}

package io.twlab.store;

import io.twlab.identity.CredentialStore;
import io.twlab.identity.Principal;
import io.twlab.identity.Role;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Optional;

/** Credentials in the server's database ({@code runs.db}, migrated with the run history). */
public final class SqliteCredentialStore implements CredentialStore, AutoCloseable {
  private final Connection connection;

  private SqliteCredentialStore(Connection connection) {
    this.connection = connection;
  }

  public static SqliteCredentialStore open(Path dataDir) {
    return new SqliteCredentialStore(Database.open(dataDir));
  }

  @Override
  public synchronized void save(String tokenHash, Principal principal, Instant expiresAt) {
    try (PreparedStatement p = connection.prepareStatement(
            "INSERT INTO principals (id, role, name) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET name = excluded.name");
        PreparedStatement t = connection.prepareStatement(
            "INSERT INTO tokens (hash, principal_id, expires_ms) VALUES (?, ?, ?)")) {
      p.setString(1, principal.id());
      p.setString(2, principal.role().name());
      p.setString(3, principal.name());
      p.executeUpdate();
      t.setString(1, tokenHash);
      t.setString(2, principal.id());
      t.setLong(3, expiresAt.toEpochMilli());
      t.executeUpdate();
    } catch (SQLException e) {
      throw new IllegalStateException("cannot store a credential: " + e.getMessage(), e);
    }
  }

  @Override
  public synchronized Optional<Principal> find(String tokenHash, Instant now) {
    try (PreparedStatement q = connection.prepareStatement("SELECT p.id, p.role, p.name FROM tokens t "
        + "JOIN principals p ON p.id = t.principal_id WHERE t.hash = ? AND t.expires_ms > ? AND p.revoked_ms IS NULL")) {
      q.setString(1, tokenHash);
      q.setLong(2, now.toEpochMilli());
      try (ResultSet r = q.executeQuery()) {
        return r.next() ? Optional.of(new Principal(r.getString(1), Role.valueOf(r.getString(2)), r.getString(3)))
            : Optional.empty();
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read credentials: " + e.getMessage(), e);
    }
  }

  @Override
  public synchronized void revoke(String principalId, Instant at) {
    try (PreparedStatement u = connection.prepareStatement("UPDATE principals SET revoked_ms = ? WHERE id = ?")) {
      u.setLong(1, at.toEpochMilli());
      u.setString(2, principalId);
      u.executeUpdate();
    } catch (SQLException e) {
      throw new IllegalStateException("cannot revoke " + principalId + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void close() throws SQLException {
    connection.close();
  }
}

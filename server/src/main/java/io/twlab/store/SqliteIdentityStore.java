package io.twlab.store;

import io.twlab.core.Limits;
import io.twlab.identity.AuditEntry;
import io.twlab.identity.AuditLog;
import io.twlab.identity.AuditLog.Whose;
import io.twlab.identity.CredentialStore;
import io.twlab.identity.Principal;
import io.twlab.identity.Role;
import io.twlab.identity.Workshop;
import io.twlab.identity.WorkshopStore;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Credentials, workshops and the audit log in the server's database ({@code runs.db}, migrated with
 * the run history).
 */
public final class SqliteIdentityStore implements CredentialStore, WorkshopStore, AuditLog, AutoCloseable {
  private static final String WORKSHOP_COLUMNS = "id, name, instructor_id, seats, ends_ms, ended_ms, seat_labs, "
      + "seat_nodes, seat_runs, seat_watchers, seat_sweep_cells, scenarios, seat_shells, shells_while_graded";

  /** The newest audit entries kept; older ones go, so that the log stays bounded. */
  private static final int AUDIT_KEPT = 1_000_000;

  private final Connection connection;

  private SqliteIdentityStore(Connection connection) {
    this.connection = connection;
  }

  public static SqliteIdentityStore open(Path dataDir) {
    return new SqliteIdentityStore(Database.open(dataDir));
  }

  @Override
  public synchronized void save(String tokenHash, Principal principal, Instant expiresAt) {
    update("store a credential", "INSERT INTO principals (id, role, name, workshop_id) VALUES (?, ?, ?, ?) "
        + "ON CONFLICT (id) DO UPDATE SET name = excluded.name", principal.id(), principal.role().name(), principal.name(),
        principal.workshopId().orElse(null));
    update("store a credential", "INSERT INTO tokens (hash, principal_id, expires_ms) VALUES (?, ?, ?)", tokenHash,
        principal.id(), expiresAt.toEpochMilli());
  }

  @Override
  public synchronized Optional<Principal> find(String tokenHash, Instant now) {
    List<Principal> found = principals("SELECT p.id, p.role, p.name, p.workshop_id FROM tokens t JOIN principals p "
        + "ON p.id = t.principal_id WHERE t.hash = ? AND t.expires_ms > ? AND p.revoked_ms IS NULL", tokenHash,
        now.toEpochMilli());
    return found.stream().findFirst();
  }

  @Override
  public synchronized void dropToken(String tokenHash) {
    update("drop a token", "DELETE FROM tokens WHERE hash = ?", tokenHash);
  }

  @Override
  public synchronized void dropTokensBut(String principalId, String keptHash) {
    update("rotate the tokens of " + principalId, "DELETE FROM tokens WHERE principal_id = ? AND hash <> ?", principalId,
        keptHash);
  }

  @Override
  public synchronized void revoke(String principalId, Instant at) {
    update("revoke " + principalId, "UPDATE principals SET revoked_ms = ? WHERE id = ? AND revoked_ms IS NULL",
        at.toEpochMilli(), principalId);
  }

  @Override
  public synchronized void save(Workshop w, String joinCodeHash) {
    Limits seat = w.seatLimits();
    update("store workshop " + w.id(), "INSERT INTO workshops (id, name, instructor_id, seats, ends_ms, code_hash, "
        + "seat_labs, seat_nodes, seat_runs, seat_watchers, seat_sweep_cells, scenarios, seat_shells, "
        + "shells_while_graded) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        w.id(), w.name(), w.instructorId(), w.seats(), w.endsAt().toEpochMilli(), joinCodeHash, seat.labs(), seat.nodes(),
        seat.runs(), seat.watchers(), seat.sweepCells(), String.join(",", new TreeSet<>(w.scenarios())), seat.shells(),
        w.shellsWhileGraded() ? 1 : 0);
  }

  @Override
  public synchronized Optional<Workshop> byJoinCode(String joinCodeHash) {
    return workshops("SELECT " + WORKSHOP_COLUMNS + " FROM workshops WHERE code_hash = ?", joinCodeHash).stream()
        .findFirst();
  }

  @Override
  public synchronized Optional<Workshop> get(String id) {
    return workshops("SELECT " + WORKSHOP_COLUMNS + " FROM workshops WHERE id = ?", id).stream().findFirst();
  }

  @Override
  public synchronized List<Workshop> list(Optional<String> instructorId) {
    return instructorId.map(i -> workshops("SELECT " + WORKSHOP_COLUMNS + " FROM workshops WHERE instructor_id = ? "
            + "ORDER BY ends_ms DESC", i))
        .orElseGet(() -> workshops("SELECT " + WORKSHOP_COLUMNS + " FROM workshops ORDER BY ends_ms DESC"));
  }

  @Override
  public synchronized List<Principal> students(String workshopId) {
    return principals("SELECT id, role, name, workshop_id FROM principals WHERE workshop_id = ? ORDER BY name",
        workshopId);
  }

  @Override
  public synchronized void extend(String id, Instant endsAt) {
    update("extend workshop " + id, "UPDATE workshops SET ends_ms = ? WHERE id = ?", endsAt.toEpochMilli(), id);
    update("extend workshop " + id, "UPDATE tokens SET expires_ms = ? WHERE principal_id IN "
        + "(SELECT id FROM principals WHERE workshop_id = ?)", endsAt.toEpochMilli(), id);
  }

  @Override
  public synchronized void end(String id, Instant at) {
    update("end workshop " + id, "UPDATE workshops SET ended_ms = ? WHERE id = ? AND ended_ms IS NULL",
        at.toEpochMilli(), id);
    update("end workshop " + id, "UPDATE principals SET revoked_ms = ? WHERE workshop_id = ? AND revoked_ms IS NULL",
        at.toEpochMilli(), id);
  }

  @Override
  public synchronized void record(AuditEntry e) {
    update("record an audit entry", "INSERT INTO audit (at_ms, principal_id, principal_name, workshop_id, address, "
        + "action, target, outcome) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", e.at().toEpochMilli(), e.principalId(),
        e.principalName(), e.workshopId(), e.address(), e.action(), e.target(), e.outcome());
    update("prune the audit log", "DELETE FROM audit WHERE seq <= last_insert_rowid() - ?", AUDIT_KEPT);
  }

  @Override
  public synchronized List<AuditEntry> read(Optional<Whose> about, int limit) {
    List<Object> args = new ArrayList<>();
    String where = "";
    if (about.isPresent()) {
      args.addAll(about.get().principals());
      args.addAll(about.get().workshops());
      where = " WHERE principal_id IN (" + Sql.marks(about.get().principals().size()) + ") OR workshop_id IN ("
          + Sql.marks(about.get().workshops().size()) + ")";
    }
    args.add(limit);
    List<AuditEntry> found = new ArrayList<>();
    try (PreparedStatement s = prepared("SELECT at_ms, principal_id, principal_name, workshop_id, address, action, "
        + "target, outcome FROM audit" + where + " ORDER BY seq DESC LIMIT ?", args.toArray());
        ResultSet r = s.executeQuery()) {
      while (r.next()) {
        found.add(new AuditEntry(Instant.ofEpochMilli(r.getLong(1)), r.getString(2), r.getString(3), r.getString(4),
            r.getString(5), r.getString(6), r.getString(7), r.getString(8)));
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read the audit log: " + e.getMessage(), e);
    }
    return found;
  }


  private void update(String what, String sql, Object... values) {
    Sql.update(connection, what, sql, values);
  }

  private List<Principal> principals(String sql, Object... values) {
    List<Principal> found = new ArrayList<>();
    try (PreparedStatement s = prepared(sql, values); ResultSet r = s.executeQuery()) {
      while (r.next()) {
        found.add(new Principal(r.getString(1), Role.valueOf(r.getString(2)), r.getString(3),
            Optional.ofNullable(r.getString(4))));
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read credentials: " + e.getMessage(), e);
    }
    return found;
  }

  private List<Workshop> workshops(String sql, Object... values) {
    List<Workshop> found = new ArrayList<>();
    try (PreparedStatement s = prepared(sql, values); ResultSet r = s.executeQuery()) {
      while (r.next()) {
        long ended = r.getLong(6);
        Optional<Instant> endedAt = r.wasNull() ? Optional.empty() : Optional.of(Instant.ofEpochMilli(ended));
        String scenarios = r.getString(12);
        found.add(new Workshop(r.getString(1), r.getString(2), r.getString(3), r.getInt(4),
            Instant.ofEpochMilli(r.getLong(5)), endedAt, new Limits(r.getInt(7), r.getInt(8), r.getInt(9), r.getInt(10),
                r.getInt(11), r.getInt(13)),
            scenarios.isEmpty() ? Set.of() : Set.of(scenarios.split(",")), r.getInt(14) != 0));
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read workshops: " + e.getMessage(), e);
    }
    return found;
  }

  private PreparedStatement prepared(String sql, Object... values) throws SQLException {
    return Sql.prepared(connection, sql, values);
  }

  @Override
  public void close() throws SQLException {
    connection.close();
  }
}

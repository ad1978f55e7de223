package io.twlab.store;

import io.twlab.core.Caller;
import io.twlab.event.LabEvent;
import io.twlab.grading.Verdict;
import io.twlab.scenario.Run;
import io.twlab.scenario.RunState;
import io.twlab.scenario.ScenarioOutcome;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The run history in an embedded SQLite database ({@code runs.db} in the data directory), its
 * schema kept by Flyway. One connection, used by one thread at a time: SQLite has one writer anyway.
 */
public final class SqliteRunStore implements RunStore {
  /** The newest runs with packets (capture=true) that keep them: at most ~100 × nodes × 4 MiB. */
  private static final int CAPTURED_RUNS_KEPT = 100;
  private static final int INSERT_BATCH = 1_000;

  private final Connection connection;
  private final StoreJson json;
  private final int keepRuns;

  private SqliteRunStore(Connection connection, int keepRuns, List<Class<? extends ScenarioOutcome>> outcomeTypes) {
    this.json = new StoreJson(outcomeTypes);
    this.connection = connection;
    this.keepRuns = keepRuns;
  }

  /**
   * Opens (or creates) {@code runs.db} in {@code dataDir} and migrates it; keeps the newest {@code
   * keepRuns} runs. {@code outcomeTypes}: the outcome record type of every scenario whose runs are recorded.
   */
  public static SqliteRunStore open(Path dataDir, int keepRuns, List<Class<? extends ScenarioOutcome>> outcomeTypes) {
    return new SqliteRunStore(Database.open(dataDir), keepRuns, outcomeTypes);
  }

  @Override
  public synchronized void accepted(Run run, Map<String, Map<String, String>> sysctls) {
    inTransaction(() -> writeRun(run, sysctls));
  }

  @Override
  public synchronized List<Run> interruptUnfinished(String why, Instant now) {
    List<Run> interrupted = new ArrayList<>();
    inTransaction(() -> {
      try (PreparedStatement select = connection.prepareStatement(
          "SELECT run_json, sysctls_json FROM runs WHERE state = ?")) {
        select.setString(1, RunState.RUNNING.name());
        List<Run> unfinished = new ArrayList<>();
        List<String> sysctls = new ArrayList<>();
        try (ResultSet rows = select.executeQuery()) {
          while (rows.next()) {
            unfinished.add(json.read(rows.getString(1), Run.class));
            sysctls.add(rows.getString(2));
          }
        }
        for (int i = 0; i < unfinished.size(); i++) {
          Run run = unfinished.get(i).interrupted(why, now);
          writeRun(run, json.read(sysctls.get(i), json.sysctlsType()));
          interrupted.add(run);
        }
      }
    });
    return interrupted;
  }

  @Override
  public synchronized void save(Run run, Map<String, Map<String, String>> sysctls, List<LabEvent> timeline) {
    inTransaction(() -> {
      writeRun(run, sysctls);
      try (PreparedStatement insert = connection.prepareStatement(
          "INSERT OR REPLACE INTO run_events (run_id, sequence, at, payload_json) VALUES (?, ?, ?, ?)")) {
        int pending = 0;
        for (LabEvent event : timeline) {
          insert.setString(1, run.id());
          insert.setLong(2, event.sequence());
          insert.setString(3, event.time().toString());
          insert.setString(4, json.write(event.payload()));
          insert.addBatch();
          if (++pending == INSERT_BATCH) {
            insert.executeBatch();
            pending = 0;
          }
        }
        insert.executeBatch();
      }
      try (PreparedStatement prune = connection.prepareStatement(
          "DELETE FROM runs WHERE id IN (SELECT id FROM runs ORDER BY started_ms DESC LIMIT -1 OFFSET ?)")) {
        prune.setInt(1, keepRuns);
        prune.executeUpdate();
      }
    });
  }

  /** Writes the run's row, replacing the one written when it was accepted. */
  private void writeRun(Run run, Map<String, Map<String, String>> sysctls) throws SQLException {
    try (PreparedStatement insert = connection.prepareStatement("INSERT OR REPLACE INTO runs (id, lab_id, scenario, state,"
        + " started_ms, run_json, sysctls_json, owner_id, workshop_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
      insert.setString(1, run.id());
      insert.setString(2, run.labId());
      insert.setString(3, run.scenario());
      insert.setString(4, run.state().name());
      insert.setLong(5, run.startedAt().toEpochMilli());
      insert.setString(6, json.write(run));
      insert.setString(7, json.write(sysctls));
      insert.setString(8, run.tenant().owner());
      insert.setString(9, run.tenant().workshop());
      insert.executeUpdate();
    }
  }

  @Override
  public synchronized void saveCapture(String runId, String node, byte[] pcap) {
    inTransaction(() -> {
      try (PreparedStatement insert = connection.prepareStatement(
          "INSERT OR REPLACE INTO run_captures (run_id, node, pcap) VALUES (?, ?, ?)")) {
        insert.setString(1, runId);
        insert.setString(2, node);
        insert.setBytes(3, pcap);
        insert.executeUpdate();
      }
      // Packets weigh far more than a run's events: only the newest captured runs keep theirs.
      try (PreparedStatement prune = connection.prepareStatement("DELETE FROM run_captures WHERE run_id IN ("
          + "SELECT c.run_id FROM run_captures c JOIN runs r ON r.id = c.run_id GROUP BY c.run_id "
          + "ORDER BY MAX(r.started_ms) DESC LIMIT -1 OFFSET ?)")) {
        prune.setInt(1, CAPTURED_RUNS_KEPT);
        prune.executeUpdate();
      }
    });
  }

  @Override
  public synchronized Optional<byte[]> capture(String runId, String node) {
    try (PreparedStatement select = connection.prepareStatement(
        "SELECT pcap FROM run_captures WHERE run_id = ? AND node = ?")) {
      select.setString(1, runId);
      select.setString(2, node);
      try (ResultSet rows = select.executeQuery()) {
        return rows.next() ? Optional.of(rows.getBytes(1)) : Optional.empty();
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read the packets of run " + runId + ": " + e.getMessage(), e);
    }
  }

  @Override
  public synchronized List<String> capturedNodes(String runId) {
    List<String> nodes = new ArrayList<>();
    try (PreparedStatement select = connection.prepareStatement(
        "SELECT node FROM run_captures WHERE run_id = ? ORDER BY node")) {
      select.setString(1, runId);
      try (ResultSet rows = select.executeQuery()) {
        while (rows.next()) {
          nodes.add(rows.getString(1));
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read the packets of run " + runId + ": " + e.getMessage(), e);
    }
    return nodes;
  }

  @Override
  public synchronized void grade(String runId, String experiment, List<Verdict> verdicts) {
    inTransaction(() -> {
      try (PreparedStatement update = connection.prepareStatement(
          "UPDATE runs SET experiment = ?, verdicts_json = ? WHERE id = ?")) {
        update.setString(1, experiment);
        update.setString(2, json.write(verdicts));
        update.setString(3, runId);
        update.executeUpdate();
      }
    });
  }

  @Override
  public synchronized Optional<RecordedRun> find(String runId) {
    return query("SELECT run_json, sysctls_json, experiment, verdicts_json FROM runs WHERE id = ?", List.of(runId))
        .stream().findFirst();
  }

  @Override
  public synchronized List<RecordedRun> list(Caller caller, RunQuery q) {
    List<Object> args = new ArrayList<>(List.of(q.labId(), q.labId(), q.scenario(), q.scenario(), q.experiment(),
        q.experiment()));
    StringBuilder whose = new StringBuilder();
    if (!caller.everything()) {
      whose.append(" AND (owner_id = ?");
      args.add(caller.self().owner());
      if (!caller.teaches().isEmpty()) {
        whose.append(" OR workshop_id IN (").append(String.join(", ", Collections.nCopies(caller.teaches().size(), "?")))
            .append(')');
        args.addAll(caller.teaches());
      }
      whose.append(')');
    }
    args.add(q.limit());
    args.add(q.offset());
    return query("SELECT run_json, sysctls_json, experiment, verdicts_json FROM runs"
        + " WHERE (? = '' OR lab_id = ?) AND (? = '' OR scenario = ?) AND (? = '' OR experiment = ?)" + whose
        + " ORDER BY started_ms DESC, id LIMIT ? OFFSET ?", args);
  }

  @Override
  public synchronized List<LabEvent> timeline(String runId) {
    try (PreparedStatement select = connection.prepareStatement("SELECT r.lab_id, e.sequence, e.at, e.payload_json "
        + "FROM run_events e JOIN runs r ON r.id = e.run_id WHERE e.run_id = ? ORDER BY e.sequence")) {
      select.setString(1, runId);
      List<LabEvent> events = new ArrayList<>();
      try (ResultSet rows = select.executeQuery()) {
        while (rows.next()) {
          Instant at = Instant.parse(rows.getString(3));
          events.add(new LabEvent(rows.getLong(2), rows.getString(1), at, json.readPayload(rows.getString(4), at)));
        }
      }
      return events;
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  private List<RecordedRun> query(String sql, List<Object> args) {
    try (PreparedStatement select = connection.prepareStatement(sql)) {
      for (int i = 0; i < args.size(); i++) {
        select.setObject(i + 1, args.get(i));
      }
      List<RecordedRun> runs = new ArrayList<>();
      try (ResultSet rows = select.executeQuery()) {
        while (rows.next()) {
          runs.add(new RecordedRun(json.read(rows.getString(1), Run.class),
              json.read(rows.getString(2), json.sysctlsType()), rows.getString(3),
              json.read(rows.getString(4), json.listOf(Verdict.class))));
        }
      }
      return runs;
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  private interface Work {
    void run() throws SQLException;
  }

  private void inTransaction(Work work) {
    try {
      connection.setAutoCommit(false);
      try {
        work.run();
        connection.commit();
      } catch (SQLException | RuntimeException e) {
        connection.rollback();
        throw e;
      } finally {
        connection.setAutoCommit(true);
      }
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  private static IllegalStateException failure(SQLException e) {
    return new IllegalStateException("run history: " + e.getMessage(), e);
  }

  @Override
  public synchronized void close() {
    try {
      connection.close();
    } catch (SQLException e) {
      throw failure(e);
    }
  }
}

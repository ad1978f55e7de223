package io.twlab.store;

import io.twlab.grading.Job;
import io.twlab.grading.Scorecard;
import io.twlab.grading.Submission;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/** Assignments, platform credentials and grading jobs in the server's database ({@code runs.db}). */
public final class SqliteCourseStore implements CourseStore {
  private static final String ASSIGNMENT_COLUMNS = "id, version, name, instructor_id, workshop_id, due_ms, created_ms, text";
  private static final String JOB_COLUMNS = "id, assignment_id, assignment_version, submitter_id, student, state, "
      + "submitted_ms, started_ms, finished_ms, submission, lab_id, run_ids, scorecard_json, error";
  /** The newest finished jobs kept; older ones go, so that the queue's table stays bounded. */
  private static final int JOBS_KEPT = 200_000;

  private final Connection connection;
  private final StoreJson json = new StoreJson(List.of());

  private SqliteCourseStore(Connection connection) {
    this.connection = connection;
  }

  public static SqliteCourseStore open(Path dataDir) {
    return new SqliteCourseStore(Database.open(dataDir));
  }

  @Override
  public synchronized void save(StoredAssignment a) {
    update("store assignment " + a.id(), "INSERT INTO assignments (" + ASSIGNMENT_COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        a.id(), a.version(), a.name(), a.instructorId(), a.workshopId(), a.dueAt().toEpochMilli(),
        a.createdAt().toEpochMilli(), a.text());
  }

  @Override
  public synchronized Optional<StoredAssignment> assignment(String id) {
    return assignments("SELECT " + ASSIGNMENT_COLUMNS + " FROM assignments WHERE id = ? ORDER BY version DESC LIMIT 1", id)
        .stream().findFirst();
  }

  @Override
  public synchronized Optional<StoredAssignment> assignment(String id, int version) {
    return assignments("SELECT " + ASSIGNMENT_COLUMNS + " FROM assignments WHERE id = ? AND version = ?", id, version)
        .stream().findFirst();
  }

  @Override
  public synchronized List<StoredAssignment> assignments(Optional<String> instructorId, Collection<String> workshopIds) {
    String newest = "SELECT " + ASSIGNMENT_COLUMNS + " FROM assignments a WHERE version = "
        + "(SELECT MAX(version) FROM assignments b WHERE b.id = a.id)";
    if (instructorId.isEmpty() && workshopIds.isEmpty()) {
      return assignments(newest + " ORDER BY created_ms DESC");
    }
    List<Object> args = new ArrayList<>();
    args.add(instructorId.orElse(""));
    args.addAll(workshopIds);
    return assignments(newest + " AND (instructor_id = ? OR workshop_id IN (" + Sql.marks(workshopIds.size())
        + ")) ORDER BY created_ms DESC", args.toArray());
  }

  @Override
  public synchronized void scope(String principalId, String assignmentId, String instructorId) {
    update("scope a platform credential", "INSERT INTO platform_credentials (principal_id, assignment_id, instructor_id) "
        + "VALUES (?, ?, ?)", principalId, assignmentId, instructorId);
  }

  @Override
  public synchronized Optional<String> scopeOf(String principalId) {
    return strings("SELECT assignment_id FROM platform_credentials WHERE principal_id = ?", principalId).stream().findFirst();
  }

  @Override
  public synchronized List<String> platformsOf(String instructorId) {
    return strings("SELECT c.principal_id FROM platform_credentials c JOIN principals p ON p.id = c.principal_id "
        + "WHERE c.instructor_id = ? AND p.revoked_ms IS NULL", instructorId);
  }

  @Override
  public synchronized void save(Job j) {
    update("store job " + j.id(), "INSERT OR REPLACE INTO jobs (" + JOB_COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
        + "?, ?, ?)", j.id(), j.assignmentId(), j.assignmentVersion(), j.submitterId(), j.student(), j.state().name(),
        j.submittedAt().toEpochMilli(), j.startedAt().map(Instant::toEpochMilli).orElse(null),
        j.finishedAt().map(Instant::toEpochMilli).orElse(null), j.submission(), j.labId(), String.join(",", j.runIds()),
        j.scorecard().map(json::write).orElse(null), j.error());
    if (j.state().finished()) {
      List<String> old = strings("SELECT id FROM jobs WHERE finished_ms IS NOT NULL ORDER BY submitted_ms DESC "
          + "LIMIT -1 OFFSET ?", JOBS_KEPT);
      if (!old.isEmpty()) {
        update("prune old jobs", "DELETE FROM jobs WHERE id IN (" + Sql.marks(old.size()) + ")", old.toArray());
        update("prune old jobs' programs", "DELETE FROM job_programs WHERE job_id IN (" + Sql.marks(old.size()) + ")",
            old.toArray());
      }
    }
  }

  @Override
  public synchronized void savePrograms(String jobId, List<Submission.ProgramFile> programs) {
    for (Submission.ProgramFile p : programs) {
      update("store a program of job " + jobId, "INSERT INTO job_programs (job_id, name, language, file_name, content) "
          + "VALUES (?, ?, ?, ?, ?)", jobId, p.name(), p.language(), p.fileName(), p.content());
    }
  }

  @Override
  public synchronized List<Submission.ProgramFile> programs(String jobId) {
    List<Submission.ProgramFile> found = new ArrayList<>();
    try (PreparedStatement s = prepared("SELECT name, language, file_name, content FROM job_programs WHERE job_id = ? "
        + "ORDER BY name", jobId); ResultSet r = s.executeQuery()) {
      while (r.next()) {
        found.add(new Submission.ProgramFile(r.getString(1), r.getString(2), r.getString(3), r.getBytes(4)));
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read the programs of job " + jobId + ": " + e.getMessage(), e);
    }
    return found;
  }

  @Override
  public synchronized void deletePrograms(String jobId) {
    update("forget the programs of job " + jobId, "DELETE FROM job_programs WHERE job_id = ?", jobId);
  }

  @Override
  public synchronized Optional<Job> job(String id) {
    return jobs("SELECT " + JOB_COLUMNS + " FROM jobs WHERE id = ?", id).stream().findFirst();
  }

  @Override
  public synchronized List<Job> jobs(Collection<String> assignmentIds, Optional<String> submitterId, int limit) {
    List<Object> args = new ArrayList<>(assignmentIds);
    String where = assignmentIds.isEmpty() ? "1 = 1" : "assignment_id IN (" + Sql.marks(assignmentIds.size()) + ")";
    if (submitterId.isPresent()) {
      where += " AND submitter_id = ?";
      args.add(submitterId.get());
    }
    args.add(limit);
    return jobs("SELECT " + JOB_COLUMNS + " FROM jobs WHERE " + where + " ORDER BY submitted_ms DESC LIMIT ?",
        args.toArray());
  }

  @Override
  public synchronized List<Job> jobsIn(Collection<Job.State> states) {
    return jobs("SELECT " + JOB_COLUMNS + " FROM jobs WHERE state IN (" + Sql.marks(states.size()) + ") ORDER BY submitted_ms",
        states.stream().map(Enum::name).toArray());
  }


  private List<StoredAssignment> assignments(String sql, Object... values) {
    List<StoredAssignment> found = new ArrayList<>();
    try (PreparedStatement s = prepared(sql, values); ResultSet r = s.executeQuery()) {
      while (r.next()) {
        found.add(new StoredAssignment(r.getString(1), r.getInt(2), r.getString(3), r.getString(4), r.getString(5),
            Instant.ofEpochMilli(r.getLong(6)), Instant.ofEpochMilli(r.getLong(7)), r.getString(8)));
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read assignments: " + e.getMessage(), e);
    }
    return found;
  }

  private List<Job> jobs(String sql, Object... values) {
    List<Job> found = new ArrayList<>();
    try (PreparedStatement s = prepared(sql, values); ResultSet r = s.executeQuery()) {
      while (r.next()) {
        String runs = r.getString(12);
        String card = r.getString(13);
        found.add(new Job(r.getString(1), r.getString(2), r.getInt(3), r.getString(4), r.getString(5),
            Job.State.valueOf(r.getString(6)), Instant.ofEpochMilli(r.getLong(7)), instant(r, 8), instant(r, 9),
            r.getString(10), r.getString(11), runs.isEmpty() ? List.of() : Arrays.asList(runs.split(",")),
            Optional.ofNullable(card).map(c -> json.read(c, Scorecard.class)), r.getString(14)));
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read grading jobs: " + e.getMessage(), e);
    }
    return found;
  }

  private static Optional<Instant> instant(ResultSet r, int column) throws SQLException {
    long ms = r.getLong(column);
    return r.wasNull() ? Optional.empty() : Optional.of(Instant.ofEpochMilli(ms));
  }

  private List<String> strings(String sql, Object... values) {
    List<String> found = new ArrayList<>();
    try (PreparedStatement s = prepared(sql, values); ResultSet r = s.executeQuery()) {
      while (r.next()) {
        found.add(r.getString(1));
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read the course store: " + e.getMessage(), e);
    }
    return found;
  }

  private void update(String what, String sql, Object... values) {
    Sql.update(connection, what, sql, values);
  }

  private PreparedStatement prepared(String sql, Object... values) throws SQLException {
    return Sql.prepared(connection, sql, values);
  }

  @Override
  public synchronized void close() {
    try {
      connection.close();
    } catch (SQLException e) {
      throw new IllegalStateException("cannot close the database: " + e.getMessage(), e);
    }
  }
}

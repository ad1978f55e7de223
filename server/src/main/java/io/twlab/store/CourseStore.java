package io.twlab.store;

import io.twlab.grading.Job;
import io.twlab.grading.Submission;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/** Assignments (every version), grading platforms' credentials, and the grading queue's jobs. */
public interface CourseStore extends AutoCloseable {

  /** One version of an assignment as stored: who owns it, where its students are, and its file. */
  record StoredAssignment(String id, int version, String name, String instructorId, String workshopId, Instant dueAt,
      Instant createdAt, String text) {}

  void save(StoredAssignment assignment);

  /** The newest version of the assignment; empty when there is none. */
  Optional<StoredAssignment> assignment(String id);

  Optional<StoredAssignment> assignment(String id, int version);

  /** The newest version of every assignment of the instructor, or of any of the workshops; all for the admin (empty). */
  List<StoredAssignment> assignments(Optional<String> instructorId, Collection<String> workshopIds);

  /** Scopes a grading platform's credential to one assignment of one instructor. */
  void scope(String principalId, String assignmentId, String instructorId);

  /** The assignment a platform credential may submit to. */
  Optional<String> scopeOf(String principalId);

  /** The platform credentials an instructor minted and has not revoked (principal ids). */
  List<String> platformsOf(String instructorId);

  /** Records a job, new or changed. */
  void save(Job job);

  Optional<Job> job(String id);

  /** Keeps the program files of a job (before it is queued: the queue may grade it at once). */
  void savePrograms(String jobId, List<Submission.ProgramFile> programs);

  /** The program files of a job, as they were sent. */
  List<Submission.ProgramFile> programs(String jobId);

  /** Forgets the program files of a job that was not queued after all. */
  void deletePrograms(String jobId);

  /** Jobs, newest first: of these assignments (empty: any), submitted by {@code submitterId} (empty: anyone). */
  List<Job> jobs(Collection<String> assignmentIds, Optional<String> submitterId, int limit);

  /** Every job in one of these states, oldest first: what a restarted server finds unfinished. */
  List<Job> jobsIn(Collection<Job.State> states);

  @Override
  void close();
}

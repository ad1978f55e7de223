package io.twlab.app;

import io.twlab.core.Caller;
import io.twlab.core.Limits;
import io.twlab.core.NotFoundException;
import io.twlab.core.Tenant;
import io.twlab.grading.Assignment;
import io.twlab.grading.AssignmentReader;
import io.twlab.grading.Experiment;
import io.twlab.grading.GradeReport;
import io.twlab.grading.Job;
import io.twlab.grading.Scorecard;
import io.twlab.store.CourseStore;
import io.twlab.store.CourseStore.StoredAssignment;
import java.time.Duration;
import java.util.Set;

/**
 * Grades a job: the assignment's version it was submitted to, made into an experiment with the
 * student's settings and predictions, graded in a lab of the assignment's instructor. The lab and
 * the runs are the instructor's, never the student's: the runs' verdicts include hidden checks.
 */
final class SubmissionGrader implements GradingQueue.Grader {
  private final AssignmentVersions versions;
  private final ExperimentService experiments;
  private final Labs labs;
  private final CourseStore store;

  SubmissionGrader(AssignmentVersions versions, ExperimentService experiments, Labs labs, CourseStore store) {
    this.versions = versions;
    this.experiments = experiments;
    this.labs = labs;
    this.store = store;
  }

  @Override
  public GradingQueue.Graded grade(Job job, ExperimentService.GradingProgress progress) throws InterruptedException {
    AssignmentVersions.Read version = version(job);
    Assignment assignment = version.assignment();
    Experiment experiment = assignment.experimentFor(AssignmentReader.submission(job.submission(), assignment,
        store.programs(job.id())));
    GradeReport report = experiments.grade(graders(version.stored()), experiment, progress);
    return new GradingQueue.Graded(Scorecard.of(experiment, report),
        report.steps().stream().map(s -> s.run().id()).toList());
  }

  @Override
  public Duration timeLimit(Job job) {
    return version(job).assignment().timeLimit();
  }

  @Override
  public void stop(Job job) {
    if (job.labId().isEmpty()) {
      return;
    }
    try {
      labs.delete(Caller.admin("grading"), job.labId());
    } catch (NotFoundException gone) {
      // Its grading removed it already.
    }
  }

  private AssignmentVersions.Read version(Job job) {
    return versions.version(job.assignmentId(), job.assignmentVersion()).orElseThrow(() ->
        new IllegalStateException("assignment " + job.assignmentId() + " version " + job.assignmentVersion() + " is gone"));
  }

  /** Who grades: the instructor's tenant, without a caller's quotas (the queue bounds how many at once). */
  private static Caller graders(StoredAssignment stored) {
    return new Caller(new Tenant(stored.instructorId(), stored.workshopId()), false, Set.of(), Limits.NONE, Set.of(), false);
  }
}

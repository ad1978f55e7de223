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
import io.twlab.sysctl.SysctlPolicy;
import java.time.Duration;
import java.util.Set;

/**
 * Grades a job: the assignment's version it was submitted to, made into an experiment with the
 * student's settings and predictions, graded in a lab of the assignment's instructor. The lab and
 * the runs are the instructor's, never the student's: the runs' verdicts include hidden checks.
 */
final class SubmissionGrader implements GradingQueue.Grader {
  private final CourseStore store;
  private final ExperimentService experiments;
  private final Labs labs;
  private final SysctlPolicy policy;

  SubmissionGrader(CourseStore store, ExperimentService experiments, Labs labs, SysctlPolicy policy) {
    this.store = store;
    this.experiments = experiments;
    this.labs = labs;
    this.policy = policy;
  }

  @Override
  public GradingQueue.Graded grade(Job job, ExperimentService.GradingProgress progress) throws InterruptedException {
    StoredAssignment stored = stored(job);
    Assignment assignment = AssignmentReader.read(stored.text(), policy);
    Experiment experiment = assignment.experimentFor(AssignmentReader.submission(job.submission(), assignment));
    GradeReport report = experiments.grade(graders(stored), experiment, progress);
    return new GradingQueue.Graded(Scorecard.of(experiment, report),
        report.steps().stream().map(s -> s.run().id()).toList());
  }

  @Override
  public Duration timeLimit(Job job) {
    return AssignmentReader.read(stored(job).text(), policy).timeLimit();
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

  private StoredAssignment stored(Job job) {
    return store.assignment(job.assignmentId(), job.assignmentVersion()).orElseThrow(() ->
        new IllegalStateException("assignment " + job.assignmentId() + " version " + job.assignmentVersion() + " is gone"));
  }

  /** Who grades: the instructor's tenant, without a caller's quotas (the queue bounds how many at once). */
  private static Caller graders(StoredAssignment stored) {
    return new Caller(new Tenant(stored.instructorId(), stored.workshopId()), false, Set.of(), Limits.NONE, Set.of());
  }
}

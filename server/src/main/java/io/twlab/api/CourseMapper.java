package io.twlab.api;

import io.twlab.api.report.PlatformReports;
import io.twlab.app.Courses;
import io.twlab.grading.Assignment;
import io.twlab.grading.Experiment;
import io.twlab.grading.Job;
import io.twlab.grading.Mark;
import io.twlab.grading.Scorecard;
import io.twlab.grading.Submission;
import io.twlab.proto.v1.V1;
import io.twlab.proto.v1.V1.VerdictOutcome;
import io.twlab.scenario.Program;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Assignments, jobs and their scorecards between the domain and twlab.v1. */
public final class CourseMapper {
  private CourseMapper() {
  }

  /** An assignment as the caller may see it: every check and the file for its instructor, the visible part for others. */
  public static V1.Assignment assignment(Courses.Published p, Instant now) {
    Assignment a = p.assignment();
    V1.Assignment.Builder b = V1.Assignment.newBuilder().setId(p.stored().id()).setVersion(p.stored().version())
        .setName(a.name()).setInstructorId(p.stored().instructorId()).setWorkshopId(p.stored().workshopId())
        .setDueAt(ProtoMapper.timestamp(a.dueAt())).setTimeLimit(ProtoMapper.duration(a.timeLimit()))
        .setMaxPoints(a.maxPoints()).setPublishedAt(ProtoMapper.timestamp(p.stored().createdAt()));
    double hidden = 0;
    for (Experiment.Step step : a.experiment().steps()) {
      for (Experiment.Expect e : step.expects()) {
        Mark mark = e.mark();
        boolean shown = p.full() || mark.visibility() == Mark.Visibility.VISIBLE
            || mark.visibility() == Mark.Visibility.AFTER_DUE_DATE && p.pastDue(now);
        if (shown) {
          b.addChecks(V1.AssignmentCheck.newBuilder().setName(mark.name().isEmpty() ? e.expectation().describe() : mark.name())
              .setPoints(mark.points()).setVisibility(mark.visibility().id()));
        } else {
          hidden += mark.points();
        }
      }
    }
    if (hidden > 0) {
      b.addChecks(V1.AssignmentCheck.newBuilder().setName(Scorecard.HIDDEN).setPoints(hidden)
          .setVisibility(Mark.Visibility.HIDDEN.id()));
    }
    for (Assignment.Setting s : a.settings()) {
      String target = s.target() instanceof Assignment.Target.Sysctl sysctl ? sysctl.node() + "." + sysctl.key()
          : "runs[" + ((Assignment.Target.Param) s.target()).run() + "]." + ((Assignment.Target.Param) s.target()).name();
      b.addSettings(V1.SettingSlot.newBuilder().setName(s.name()).setDescription(s.description()).setTarget(target)
          .addAllValues(s.values()).setMin(s.min()).setMax(s.max()));
    }
    for (Assignment.Prediction q : a.predictions()) {
      b.addPredictions(V1.PredictionSlot.newBuilder().setName(q.name()).setQuestion(q.question()).setAnswer(q.answerForm())
          .setPoints(q.mark().points()).setTolerance(q.tolerance()));
    }
    for (Assignment.ProgramSlot slot : a.programs()) {
      V1.ProgramSlot.Builder pb = V1.ProgramSlot.newBuilder().setName(slot.name()).setDescription(slot.description())
          .setRun(slot.run()).setScenario(a.experiment().steps().get(slot.run()).scenario()).setSlot(slot.slot())
          .addAllLanguages(slot.languages().stream().map(Program.Language::id).toList()).setMaxBytes(slot.maxBytes())
          .setTimeLimit(ProtoMapper.duration(slot.timeLimit()));
      Optional.ofNullable(p.contracts().get(slot.name())).ifPresent(c -> pb.setContract(ProtoMapper.contract(c)));
      b.addPrograms(pb);
    }
    if (p.full()) {
      b.setText(p.stored().text());
    }
    return b.build();
  }

  /** The program files of a submission as a client sent them. */
  public static List<Submission.ProgramFile> programs(List<V1.ProgramFile> files) {
    return files.stream().map(f -> new Submission.ProgramFile(f.getName(), f.getLanguage(), f.getFileName(),
        f.getContent().toByteArray())).toList();
  }

  public static V1.ListAssignmentsResponse assignments(List<Courses.Published> all, Instant now) {
    return V1.ListAssignmentsResponse.newBuilder().addAllAssignments(all.stream().map(p -> assignment(p, now)).toList()).build();
  }

  public static V1.Job job(Courses.JobView view) {
    Job j = view.job();
    V1.Job.Builder b = V1.Job.newBuilder().setId(j.id()).setAssignmentId(j.assignmentId())
        .setAssignmentVersion(j.assignmentVersion()).setAssignmentName(view.assignment().assignment().name())
        .setStudent(j.student()).setState(V1.JobState.valueOf("JOB_STATE_" + j.state().name()))
        .setPosition(view.position()).setProgress(view.progress()).setSubmittedAt(ProtoMapper.timestamp(j.submittedAt()))
        .setError(j.error()).addAllRunIds(j.runIds());
    j.startedAt().ifPresent(t -> b.setStartedAt(ProtoMapper.timestamp(t)));
    j.finishedAt().ifPresent(t -> b.setFinishedAt(ProtoMapper.timestamp(t)));
    view.card().ifPresent(c -> b.setScorecard(scorecard(c)));
    return b.build();
  }

  public static V1.ListJobsResponse jobs(List<Courses.JobView> views) {
    return V1.ListJobsResponse.newBuilder().addAllJobs(views.stream().map(CourseMapper::job).toList()).build();
  }

  static V1.Scorecard scorecard(Scorecard card) {
    List<V1.CheckResult> checks = new ArrayList<>();
    for (Scorecard.Check c : card.checks()) {
      checks.add(V1.CheckResult.newBuilder().setName(c.name()).setKind(c.kind()).setPoints(c.points())
          .setMaxPoints(c.maxPoints()).setOutcome(VerdictOutcome.valueOf("VERDICT_OUTCOME_" + c.outcome().name()))
          .setObserved(c.observed()).setReason(c.reason()).setFeedback(c.feedback()).setVisibility(c.visibility().id())
          .build());
    }
    return V1.Scorecard.newBuilder().setScore(card.score()).setMaxScore(card.maxScore()).setGradable(card.gradable())
        .setUngradable(card.whyUngradable()).addAllChecks(checks).build();
  }

  public static V1.JobReport report(PlatformReports.Report report) {
    return V1.JobReport.newBuilder().setFormat(report.format().id()).setContentType(report.contentType())
        .setBody(report.body()).build();
  }
}

package io.twlab.app;

import io.twlab.core.Bounded;
import io.twlab.core.ConflictException;
import io.twlab.core.FieldViolation;
import io.twlab.core.InvalidArgumentException;
import io.twlab.core.NotFoundException;
import io.twlab.core.PermissionDeniedException;
import io.twlab.core.TcpState;
import io.twlab.core.TooManyRequestsException;
import io.twlab.grading.Assignment;
import io.twlab.grading.AssignmentReader;
import io.twlab.grading.Experiment;
import io.twlab.grading.Job;
import io.twlab.grading.Scorecard;
import io.twlab.grading.Submission;
import io.twlab.identity.Credentials;
import io.twlab.identity.Principal;
import io.twlab.identity.Role;
import io.twlab.identity.WorkshopStore;
import io.twlab.scenario.Program;
import io.twlab.scenario.ProgramContract;
import io.twlab.store.CourseStore;
import io.twlab.store.CourseStore.StoredAssignment;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Course grading: an instructor publishes assignments (each change a new version) and mints
 * submit-only credentials for grading platforms; students (a workshop's, or a platform's on their
 * behalf) submit, and their submissions are graded in the queue. A student sees their own jobs and
 * only the checks they may see; the assignment's instructor sees everything.
 */
public final class Courses {
  private static final int MAX_SUBMISSION = 64 * 1024;
  private static final int MAX_STUDENT = 100;
  private static final int MAX_JOBS = 500;
  private static final int MAX_WATCHES = 8;
  static final int MAX_ASSIGNMENTS = 100;
  static final int MAX_VERSIONS = 50;
  static final int MAX_PLATFORMS = 50;
  /** A platform credential outlives the assignment's due date by this much (late submissions, regrades). */
  private static final Duration PLATFORM_AFTER_DUE = Duration.ofDays(60);
  /** Even for an assignment long past its due date, so that an instructor can still regrade. */
  private static final Duration PLATFORM_AT_LEAST = Duration.ofDays(1);

  private final CourseStore store;
  private final Access access;
  private final WorkshopStore workshops;
  private final Credentials credentials;
  private final ExperimentService experiments;
  private final GradingQueue queue;
  private final AssignmentVersions versions;
  private final Clock clock;
  private final Holdings watching = new Holdings();

  public Courses(CourseStore store, Access access, WorkshopStore workshops, Credentials credentials,
      ExperimentService experiments, GradingQueue queue, AssignmentVersions versions, Clock clock) {
    this.store = store;
    this.access = access;
    this.workshops = workshops;
    this.credentials = credentials;
    this.experiments = experiments;
    this.queue = queue;
    this.versions = versions;
    this.clock = clock;
  }

  /** The queue's grader: submissions made into experiments, graded in the instructor's labs. */
  public static GradingQueue.Grader grader(AssignmentVersions versions, ExperimentService experiments, Labs labs,
      CourseStore store) {
    return new SubmissionGrader(versions, experiments, labs, store);
  }

  /**
   * An assignment's version as stored, read; {@code full}: the caller may see every check and the
   * file; {@code contracts}: what each of its programs must do, by program name.
   */
  public record Published(StoredAssignment stored, Assignment assignment, boolean full,
      Map<String, ProgramContract> contracts) {
    public Published {
      contracts = Map.copyOf(contracts);
    }

    public boolean pastDue(Instant now) {
      return now.isAfter(assignment.dueAt());
    }
  }

  /**
   * A job as the caller may see it: its place in the queue, what it is doing, and its card (the
   * whole card for the assignment's instructor, the student's view for anyone else).
   */
  public record JobView(Job job, int position, String progress, Optional<Scorecard> card, Published assignment) {}

  /**
   * Publishes an assignment, or a new version of {@code replaces} (an assignment of the caller's);
   * {@code workshopId}: the workshop whose students may read it and submit ('' for none).
   */
  public Published publish(Principal caller, String text, String workshopId, String replaces) {
    requireStaff(caller, "publish assignments");
    Assignment assignment = versions.parse(text);
    check(assignment);
    if (!workshopId.isEmpty()) {
      workshops.get(workshopId).filter(w -> caller.role() == Role.ADMIN || w.instructorId().equals(caller.id()))
          .orElseThrow(() -> new InvalidArgumentException("workshop_id", "no workshop " + Bounded.quote(workshopId)
              + " of yours; `twlab workshops list` names them"));
    }
    String id = Ids.newId("assignment");
    int version = 1;
    if (!replaces.isEmpty()) {
      StoredAssignment previous = store.assignment(replaces).filter(a -> owns(caller, a))
          .orElseThrow(() -> new NotFoundException("assignment", replaces, "`twlab assignments list` names yours"));
      if (previous.version() >= MAX_VERSIONS) {
        throw TooManyRequestsException.quota("assignment versions", previous.version(), MAX_VERSIONS,
            "publish it as a new assignment", 0);
      }
      id = previous.id();
      version = previous.version() + 1;
    } else {
      int held = store.assignments(Optional.of(caller.id()), List.of()).size();
      if (held >= MAX_ASSIGNMENTS) {
        throw TooManyRequestsException.quota("assignments", held, MAX_ASSIGNMENTS,
            "publish new versions of your assignments (--replaces) instead", 0);
      }
    }
    StoredAssignment stored = new StoredAssignment(id, version, assignment.name(), caller.id(), workshopId,
        assignment.dueAt(), clock.instant(), text);
    store.save(stored);
    return published(stored, assignment, true);
  }

  /**
   * What the reader cannot know: the scenarios, their parameters, the nodes the checks name, with
   * every setting at each end of what it allows.
   */
  private void check(Assignment assignment) {
    checkPrograms(assignment);
    Map<String, Program> programs = new HashMap<>();
    assignment.programs().forEach(p -> programs.put(p.name(), p.placeholder()));
    Map<String, Submission.Answer> answers = new HashMap<>();
    assignment.predictions().forEach(p -> answers.put(p.name(), p.observed() instanceof Assignment.Observed.Sequence
        ? new Submission.Answer.States(List.of(TcpState.CLOSED, TcpState.CLOSED))
        : new Submission.Answer.Number(0)));
    Map<String, String> first = new HashMap<>();
    assignment.settings().forEach(s -> first.put(s.name(), s.ends().get(0)));
    experiments.check(assignment.experimentFor(new Submission(first, answers, programs)));
    List<FieldViolation> bad = new ArrayList<>();
    for (int i = 0; i < assignment.settings().size(); i++) {
      Assignment.Setting s = assignment.settings().get(i);
      for (String value : s.ends()) {
        Map<String, String> chosen = new HashMap<>(first);
        chosen.put(s.name(), value);
        try {
          experiments.check(assignment.experimentFor(new Submission(chosen, answers, programs)));
        } catch (InvalidArgumentException e) {
          String field = "assignment.settings[" + i + "]";
          e.violations().forEach(v -> bad.add(new FieldViolation(field, assignment.experiment().at(field)
              + "a student could choose " + Bounded.quote(value) + ": " + v.reason())));
        }
      }
    }
    if (!bad.isEmpty()) {
      throw new InvalidArgumentException(bad);
    }
  }

  /** Each program slot names a slot its run's scenario has. */
  private void checkPrograms(Assignment assignment) {
    List<FieldViolation> bad = new ArrayList<>();
    for (int i = 0; i < assignment.programs().size(); i++) {
      Assignment.ProgramSlot p = assignment.programs().get(i);
      String scenario = assignment.experiment().steps().get(p.run()).scenario();
      String field = "assignment.programs[" + i + "].slot";
      experiments.scenario(scenario).filter(d -> d.program(p.slot()).isEmpty()).ifPresent(d -> bad.add(
          new FieldViolation(field, assignment.experiment().at(field) + "run " + p.run() + "'s scenario " + scenario
              + " has no program slot " + Bounded.quote(p.slot()) + "; " + (d.programs().isEmpty()
                  ? "it has none: the scenarios with slots are " + String.join(", ", experiments.withProgramSlots())
                  : "its slots are " + String.join(", ", d.programs().stream().map(ProgramContract::slot).toList())))));
    }
    if (!bad.isEmpty()) {
      throw new InvalidArgumentException(bad);
    }
  }

  /** An assignment the caller may read: theirs, their workshop's, or their platform credential's. */
  public Published get(Principal caller, String assignmentId) {
    StoredAssignment stored = store.assignment(assignmentId).filter(a -> reads(caller, a))
        .orElseThrow(() -> new NotFoundException("assignment", assignmentId, "`twlab assignments list` names yours"));
    return published(caller, stored);
  }

  /** The newest version of every assignment the caller may read. */
  public List<Published> list(Principal caller) {
    List<StoredAssignment> found = switch (caller.role()) {
      case ADMIN -> store.assignments(Optional.empty(), List.of());
      case INSTRUCTOR -> store.assignments(Optional.of(caller.id()), List.of());
      case STUDENT -> store.assignments(Optional.of(caller.id()), caller.workshopId().stream().toList());
      case SUBMITTER -> store.scopeOf(caller.id()).flatMap(store::assignment).stream().toList();
    };
    return found.stream().filter(a -> reads(caller, a)).map(a -> published(caller, a)).toList();
  }

  /**
   * A submit-only credential for a grading platform, for one of the caller's assignments: the
   * platform passes its own student ids, each a seat of its own. Revoked like any credential.
   */
  public Access.Issued platformCredential(Principal caller, String assignmentId, String name) {
    requireStaff(caller, "mint platform credentials");
    StoredAssignment stored = store.assignment(assignmentId).filter(a -> owns(caller, a))
        .orElseThrow(() -> new NotFoundException("assignment", assignmentId, "`twlab assignments list` names yours"));
    if (name == null || name.isBlank() || name.length() > 80 || name.chars().anyMatch(Character::isISOControl)) {
      throw new InvalidArgumentException("name", "must be 1 to 80 printable characters, e.g. the platform: gradescope");
    }
    int minted = store.platformsOf(caller.id()).size();
    if (minted >= MAX_PLATFORMS) {
      throw TooManyRequestsException.quota("platform credentials", minted, MAX_PLATFORMS,
          "revoke the ones no platform uses (`twlab students revoke ID`)", 0);
    }
    Principal platform = new Principal(Ids.newId("platform"), Role.SUBMITTER, name.trim());
    Instant now = clock.instant();
    Instant until = stored.dueAt().plus(PLATFORM_AFTER_DUE);
    if (until.isBefore(now.plus(PLATFORM_AT_LEAST))) {
      until = now.plus(PLATFORM_AT_LEAST);
    }
    String token = credentials.issue(platform, Duration.between(now, until));
    store.scope(platform.id(), stored.id(), caller.id());
    return new Access.Issued(platform, token, until);
  }

  /**
   * Submits for an assignment: checked whole at once (every bad field named), then queued. {@code
   * student}: the seat it counts for; a grading platform must give its own student id, a
   * workshop's student is always themself, an instructor may name anyone (their own id when empty).
   */
  public JobView submit(Principal caller, String assignmentId, String text, String student,
      List<Submission.ProgramFile> files) {
    Published published = get(caller, assignmentId);
    String seat = seat(caller, student);
    Assignment assignment = published.assignment();
    boolean asksValues = !assignment.settings().isEmpty() || !assignment.predictions().isEmpty();
    if (text == null || text.isBlank() && asksValues || text.length() > MAX_SUBMISSION) {
      throw new InvalidArgumentException("submission", "must be a YAML document of settings and predictions, at most "
          + MAX_SUBMISSION + " characters");
    }
    if (files.size() > assignment.programs().size()) {
      throw new InvalidArgumentException("programs", "this assignment takes " + assignment.programs().size()
          + " program(s), got " + files.size());
    }
    Experiment experiment = assignment.experimentFor(AssignmentReader.submission(text, assignment, files));
    try {
      experiments.check(experiment);
    } catch (InvalidArgumentException e) {
      throw new InvalidArgumentException(e.violations().stream().map(v -> new FieldViolation("submission",
          "with these settings: " + v.reason())).toList());
    }
    Job job = Job.queued(Ids.newId("job"), published.stored().id(), published.stored().version(), caller.id(), seat,
        clock.instant(), text);
    store.savePrograms(job.id(), files);
    GradingQueue.Snapshot queued;
    try {
      queued = queue.submit(job);
    } catch (RuntimeException e) {
      store.deletePrograms(job.id());
      throw e;
    }
    return view(published, queued.job(), queued.position(), queued.progress());
  }

  private static String seat(Principal caller, String student) {
    String given = student == null ? "" : student.trim();
    if (!given.isEmpty() && (given.length() > MAX_STUDENT || given.chars().anyMatch(Character::isISOControl))) {
      throw new InvalidArgumentException("student", "must be at most " + MAX_STUDENT + " printable characters");
    }
    return switch (caller.role()) {
      case SUBMITTER -> {
        if (given.isEmpty()) {
          throw new InvalidArgumentException("student", "a grading platform names the student it submits for "
              + "(`twlab submit --student ID`)");
        }
        yield given;
      }
      case STUDENT -> {
        if (!given.isEmpty() && !given.equals(caller.id())) {
          throw new PermissionDeniedException("a student submits for themself only");
        }
        yield caller.id();
      }
      case INSTRUCTOR, ADMIN -> given.isEmpty() ? caller.id() : given;
    };
  }

  /** A job the caller may see: one they submitted, or one of an assignment of theirs. */
  public JobView job(Principal caller, String jobId) {
    Job job = queue.live(jobId).map(GradingQueue.Snapshot::job).or(() -> store.job(jobId))
        .orElseThrow(() -> new NotFoundException("job", jobId, "`twlab jobs list` names yours"));
    return view(caller, job).orElseThrow(() -> new NotFoundException("job", jobId, "`twlab jobs list` names yours"));
  }

  /** A job as the caller may see it, now: empty when it is neither theirs nor of an assignment of theirs. */
  private Optional<JobView> view(Principal caller, Job recorded) {
    Optional<GradingQueue.Snapshot> live = queue.live(recorded.id());
    Job job = live.map(GradingQueue.Snapshot::job).orElse(recorded);
    return versions.version(job.assignmentId(), job.assignmentVersion())
        .filter(v -> owns(caller, v.stored()) || job.submitterId().equals(caller.id()))
        .map(v -> view(published(v.stored(), v.assignment(), owns(caller, v.stored())), job,
            live.map(GradingQueue.Snapshot::position).orElse(0), live.map(GradingQueue.Snapshot::progress).orElse("")));
  }

  /**
   * The newest {@code limit} jobs the caller may see, of one assignment (empty: any): every
   * student's for its instructor, their own for anyone else.
   */
  public List<JobView> jobs(Principal caller, String assignmentId, int limit) {
    if (limit < 1 || limit > MAX_JOBS) {
      throw new InvalidArgumentException("limit", "must be 1 to " + MAX_JOBS + ", got " + limit);
    }
    List<String> assignments = assignmentId.isEmpty() ? List.of() : List.of(get(caller, assignmentId).stored().id());
    Optional<String> submitter = Optional.of(caller.id());
    if (caller.role() == Role.ADMIN) {
      submitter = Optional.empty();
    } else if (caller.role() == Role.INSTRUCTOR) {
      submitter = Optional.empty();
      if (assignments.isEmpty()) {
        assignments = store.assignments(Optional.of(caller.id()), List.of()).stream().map(StoredAssignment::id).toList();
        if (assignments.isEmpty()) {
          return List.of();
        }
      }
    }
    return store.jobs(assignments, submitter, limit).stream().flatMap(j -> view(caller, j).stream()).toList();
  }

  /** Cancels a job the caller submitted, or one of an assignment of theirs. */
  public JobView cancel(Principal caller, String jobId) {
    JobView view = job(caller, jobId);
    if (!view.job().state().finished()) {
      queue.stop(jobId, Job.State.CANCELLED, "cancelled by " + caller.name());
    }
    return job(caller, jobId);
  }

  /** A job the caller may see, finished, so that its report can be made. */
  public JobView finished(Principal caller, String jobId) {
    JobView view = job(caller, jobId);
    if (!view.job().state().finished()) {
      throw new ConflictException("job " + jobId + " is " + view.job().state().name().toLowerCase(Locale.ROOT)
          + "; its report is ready once it is graded (`twlab jobs show " + jobId + " --wait`)");
    }
    return view;
  }

  /**
   * Revokes a credential: a platform credential the caller minted, or what {@link Access#revoke}
   * lets them revoke.
   */
  public void revoke(Principal caller, String principalId) {
    if (caller.role() == Role.INSTRUCTOR && store.platformsOf(caller.id()).contains(principalId)) {
      credentials.revoke(principalId);
    } else {
      access.revoke(caller, principalId);
    }
  }

  /** A sink for {@link #watch}: each change of the job, until it is finished or the sink closes. */
  public interface JobSink {
    boolean isOpen();

    void send(JobView job) throws Exception;
  }

  /**
   * Sends the job now and on every change, until it is finished; bounded by {@code max} in all and
   * by {@value #MAX_WATCHES} at once per caller.
   */
  public void watch(Principal caller, String jobId, JobSink sink, Duration max) throws Exception {
    job(caller, jobId);
    try (Holdings.Hold held = watching.take(caller.id(), MAX_WATCHES, used -> TooManyRequestsException.quota(
        "job watchers", used, MAX_WATCHES, "close another watch of a job", 5))) {
      follow(caller, jobId, sink, max);
    }
  }

  private void follow(Principal caller, String jobId, JobSink sink, Duration max) throws Exception {
    long until = System.nanoTime() + max.toNanos();
    long seen = queue.changes();
    JobView last = null;
    while (sink.isOpen() && System.nanoTime() < until) {
      JobView now = job(caller, jobId);
      if (!now.equals(last)) {
        sink.send(now);
        last = now;
      }
      if (now.job().state().finished()) {
        return;
      }
      seen = queue.awaitChange(seen, Duration.ofSeconds(5));
    }
  }

  private JobView view(Published published, Job job, int position, String progress) {
    boolean pastDue = published.pastDue(clock.instant());
    Optional<Scorecard> card = job.scorecard().map(c -> published.full() ? c : c.forStudent(pastDue));
    return new JobView(job, position, progress, card, published);
  }

  private Published published(Principal caller, StoredAssignment stored) {
    return published(stored, versions.read(stored).assignment(), owns(caller, stored));
  }

  private Published published(StoredAssignment stored, Assignment assignment, boolean full) {
    Map<String, ProgramContract> contracts = new HashMap<>();
    for (Assignment.ProgramSlot p : assignment.programs()) {
      experiments.scenario(assignment.experiment().steps().get(p.run()).scenario()).flatMap(d -> d.program(p.slot()))
          .ifPresent(c -> contracts.put(p.name(), c));
    }
    return new Published(stored, assignment, full, contracts);
  }

  private static boolean owns(Principal caller, StoredAssignment a) {
    return caller.role() == Role.ADMIN || caller.role() == Role.INSTRUCTOR && a.instructorId().equals(caller.id());
  }

  private boolean reads(Principal caller, StoredAssignment a) {
    return switch (caller.role()) {
      case ADMIN, INSTRUCTOR -> owns(caller, a);
      case STUDENT -> !a.workshopId().isEmpty() && caller.workshopId().filter(a.workshopId()::equals).isPresent();
      case SUBMITTER -> store.scopeOf(caller.id()).filter(a.id()::equals).isPresent();
    };
  }

  private static void requireStaff(Principal caller, String what) {
    if (caller.role() != Role.ADMIN && caller.role() != Role.INSTRUCTOR) {
      throw new PermissionDeniedException("only instructors and the admin may " + what);
    }
  }
}

package io.twlab.app;

import io.twlab.core.Caller;
import io.twlab.core.InvalidArgumentException;
import io.twlab.core.TcpState;
import io.twlab.grading.Verdict;
import io.twlab.identity.Principal;
import io.twlab.identity.Workshop;
import io.twlab.lab.Lab;
import io.twlab.lab.LabStatus;
import io.twlab.scenario.RunState;
import io.twlab.store.RecordedRun;
import io.twlab.store.RunQuery;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** A workshop as its instructor watches it: every seat with its labs, its run in progress and its latest runs. */
public final class Classrooms {
  /** How often a watched classroom is looked at again; it is sent only when it changed. */
  private static final Duration REFRESH = Duration.ofSeconds(1);
  private static final int LATEST_RUNS = 5;
  /** The runs of a seat a grade export reads, newest first. */
  private static final int GRADED_RUNS = RunQuery.MAX_LIMIT;
  private static final Duration MIN_EXTENSION = Duration.ofMinutes(1);
  private static final Duration MAX_EXTENSION = Duration.ofHours(12);

  private final Access access;
  private final Labs labs;
  private final Runs runs;
  private final EventStreams events;
  private final Shells shells;
  private final Clock clock;

  /** {@code events} counts a classroom view among its caller's watchers. */
  public Classrooms(Access access, Labs labs, Runs runs, EventStreams events, Shells shells, Clock clock) {
    this.access = access;
    this.labs = labs;
    this.runs = runs;
    this.events = events;
    this.shells = shells;
    this.clock = clock;
  }

  /** A workshop's seats now. */
  public record Classroom(Workshop workshop, List<Seat> seats) {
    public Classroom {
      seats = List.copyOf(seats);
    }
  }

  /**
   * One student's seat: their labs, their run in progress, their newest finished runs, their
   * sockets in each state (all their labs' nodes together, as last sampled) and their open shells.
   */
  public record Seat(Principal student, List<Lab> labs, Optional<RecordedRun> current, List<RecordedRun> latest,
      Map<TcpState, Integer> sockets, List<String> shells) {
    public Seat {
      labs = List.copyOf(labs);
      latest = List.copyOf(latest);
      sockets = Map.copyOf(sockets);
      shells = List.copyOf(shells);
    }
  }

  /** One seat's latest graded attempt of one experiment: its verdicts counted. */
  public record Grade(Principal student, String experiment, String runId, Instant at, int passed, int failed,
      int errors) {
    public int total() {
      return passed + failed + errors;
    }
  }

  /** Where a watched classroom goes. */
  public interface Sink {
    boolean isOpen();

    void send(Classroom classroom) throws Exception;
  }

  /**
   * Ends one of the caller's workshops at once: its students' tokens stop working and their labs
   * are deleted (their runs stay in the history).
   */
  public Access.Roster end(Principal principal, Caller caller, String workshopId) {
    Access.Roster ended = access.endWorkshop(principal, workshopId);
    labs.list(caller).stream().filter(l -> l.tenant().workshop().equals(workshopId))
        .forEach(l -> labs.delete(caller, l.id()));
    return ended;
  }

  /** Every lab of the workshop's seats lives {@code by} longer, never past the workshop's end. */
  public List<Lab> extendLabs(Principal principal, Caller caller, String workshopId, Duration by) {
    Access.Roster roster = access.room(principal, workshopId);
    if (by.compareTo(MIN_EXTENSION) < 0 || by.compareTo(MAX_EXTENSION) > 0) {
      throw new InvalidArgumentException("by", "must be 1 minute to 12 hours, got " + by.toSeconds() + " s");
    }
    return seatLabs(caller, workshopId).stream()
        .map(l -> labs.extend(caller, l.id(), by, roster.workshop().endsAt())).toList();
  }

  /** Deletes every lab of the workshop's seats; the workshop and its students' tokens stay. */
  public List<Lab> endLabs(Principal principal, Caller caller, String workshopId) {
    access.room(principal, workshopId);
    return seatLabs(caller, workshopId).stream().map(l -> {
      labs.delete(caller, l.id());
      return l.withStatus(LabStatus.DELETED);
    }).toList();
  }

  /** Each seat's latest graded attempt of each experiment it was graded on, seats in roster order. */
  public List<Grade> grades(Principal principal, String workshopId) {
    List<Grade> grades = new ArrayList<>();
    for (Principal student : access.room(principal, workshopId).students()) {
      Map<String, RecordedRun> latest = new TreeMap<>();
      runs.list(Access.seat(student), new RunQuery("", "", "", 0, GRADED_RUNS)).stream()
          .filter(RecordedRun::graded).forEach(r -> latest.putIfAbsent(r.experiment(), r));
      latest.forEach((experiment, r) -> grades.add(new Grade(student, experiment, r.run().id(),
          r.run().finishedAt().orElse(r.run().startedAt()), count(r, Verdict.Outcome.PASSED),
          count(r, Verdict.Outcome.FAILED), count(r, Verdict.Outcome.ERROR))));
    }
    return grades;
  }

  private static int count(RecordedRun run, Verdict.Outcome outcome) {
    return (int) run.verdicts().stream().filter(v -> v.outcome() == outcome).count();
  }

  private List<Lab> seatLabs(Caller caller, String workshopId) {
    return labs.list(caller).stream().filter(l -> l.tenant().workshop().equals(workshopId)).toList();
  }

  /** One of the caller's workshops (any for the admin) as it is now. */
  public Classroom view(Principal caller, String workshopId) {
    Access.Roster roster = access.room(caller, workshopId);
    return new Classroom(roster.workshop(), roster.students().stream().map(this::seat).toList());
  }

  /**
   * A watch of one of the caller's workshops, checked and counted against the caller's watchers
   * until it is closed.
   */
  public Watch watch(Principal principal, Caller caller, String workshopId) {
    Classroom first = view(principal, workshopId);
    return new Watch(principal, first, events.watcher(caller));
  }

  /** A classroom being watched. */
  public final class Watch implements AutoCloseable {
    private final Principal principal;
    private final Classroom first;
    private final Holdings.Hold hold;

    private Watch(Principal principal, Classroom first, Holdings.Hold hold) {
      this.principal = principal;
      this.first = first;
      this.hold = hold;
    }

    /**
     * Sends the classroom at once, then again whenever it changes, until the sink closes or the
     * workshop ends. Runs on the caller's thread.
     */
    public void to(Sink sink) throws Exception {
      Classroom now = first;
      Classroom sent = null;
      while (sink.isOpen()) {
        if (!now.equals(sent)) {
          sink.send(now);
          sent = now;
        }
        if (!now.workshop().openAt(clock.instant())) {
          return;
        }
        Thread.sleep(REFRESH.toMillis());
        now = view(principal, now.workshop().id());
      }
    }

    @Override
    public void close() {
      hold.close();
    }
  }

  private Seat seat(Principal student) {
    Caller seat = Access.seat(student);
    List<RecordedRun> recent = runs.list(seat, new RunQuery("", "", "", 0, LATEST_RUNS + 1));
    Optional<RecordedRun> current = recent.stream().filter(r -> r.run().state() == RunState.RUNNING).findFirst();
    List<RecordedRun> finished = recent.stream().filter(r -> r.run().state() != RunState.RUNNING).limit(LATEST_RUNS)
        .toList();
    List<Lab> held = labs.list(seat);
    Map<TcpState, Integer> sockets = new EnumMap<>(TcpState.class);
    held.forEach(l -> labs.sockets(l.id()).forEach((state, n) -> sockets.merge(state, n, Integer::sum)));
    return new Seat(student, held, current, finished, sockets, shells.openBy(student.id()));
  }
}

package io.twlab.app;

import io.twlab.core.Caller;
import io.twlab.identity.Principal;
import io.twlab.identity.Workshop;
import io.twlab.lab.Lab;
import io.twlab.scenario.RunState;
import io.twlab.store.RecordedRun;
import io.twlab.store.RunQuery;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** A workshop as its instructor watches it: every seat with its labs, its run in progress and its latest runs. */
public final class Classrooms {
  /** How often a watched classroom is looked at again; it is sent only when it changed. */
  private static final Duration REFRESH = Duration.ofSeconds(1);
  private static final int LATEST_RUNS = 5;

  private final Access access;
  private final Labs labs;
  private final Runs runs;
  private final EventStreams events;
  private final Clock clock;

  /** {@code events} counts a classroom view among its caller's watchers. */
  public Classrooms(Access access, Labs labs, Runs runs, EventStreams events, Clock clock) {
    this.access = access;
    this.labs = labs;
    this.runs = runs;
    this.events = events;
    this.clock = clock;
  }

  /** A workshop's seats now. */
  public record Classroom(Workshop workshop, List<Seat> seats) {
    public Classroom {
      seats = List.copyOf(seats);
    }
  }

  /** One student's seat: their labs, their run in progress, their newest finished runs. */
  public record Seat(Principal student, List<Lab> labs, Optional<RecordedRun> current, List<RecordedRun> latest) {
    public Seat {
      labs = List.copyOf(labs);
      latest = List.copyOf(latest);
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

  /** One of the caller's workshops (any for the admin) as it is now. */
  public Classroom view(Principal caller, String workshopId) {
    Access.Roster roster = access.roster(caller, workshopId);
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
    return new Seat(student, labs.list(seat), current, finished);
  }
}

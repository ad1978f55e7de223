package io.twlab.app;

import io.twlab.core.Bounded;
import io.twlab.core.Caller;
import io.twlab.core.ConflictException;
import io.twlab.core.FieldViolation;
import io.twlab.core.InvalidArgumentException;
import io.twlab.core.PermissionDeniedException;
import io.twlab.core.TooManyRequestsException;
import io.twlab.identity.Principal;
import io.twlab.lab.Lab;
import io.twlab.lab.LabNode;
import io.twlab.lab.LabStatus;
import io.twlab.runtime.LabRuntime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Students' shells in the nodes of their own labs. Each runs in a container of its own that shares
 * the node's network namespace and nothing else: as {@value #USER}, without capabilities and unable
 * to gain any, it sees the node's sockets and counters but not its processes (the observers), cannot
 * change its firewall or NAT, and reaches only what the node reaches: the lab's nodes. Counted per
 * seat and on the server; closed after the server's idle time without input or output, when its lab
 * goes, and when the server stops; every open and close is in the audit log, what is typed nowhere.
 */
public final class Shells implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Shells.class);
  public static final String USER = "student";
  /** One message of input: a paste of a page of commands, not a file upload. */
  public static final int MAX_INPUT = 64 * 1024;
  private static final int MIN_COLUMNS = 10;
  private static final int MAX_COLUMNS = 500;
  private static final int MIN_ROWS = 2;
  private static final int MAX_ROWS = 200;

  private final Labs labs;
  private final Access access;
  private final ServerLimits limits;
  private final Clock clock;
  private final Holdings held = new Holdings();
  private final Map<String, Shell> open = new ConcurrentHashMap<>();
  private final ScheduledExecutorService idleReaper = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "twlab-shell-idle");
    t.setDaemon(true);
    return t;
  });

  public Shells(Labs labs, Access access, ServerLimits limits, Clock clock) {
    this.labs = labs;
    this.access = access;
    this.limits = limits;
    this.clock = clock;
    long every = Math.max(200, Math.min(5_000, limits.shellIdle().toMillis() / 5));
    idleReaper.scheduleWithFixedDelay(this::closeStale, every, every, TimeUnit.MILLISECONDS);
  }

  /** Which node of which lab, and how: a terminal of {@code columns} × {@code rows}, or plain input and output. */
  public record Request(String labId, String node, boolean tty, int columns, int rows) {}

  /** Why a shell ended; {@code exitCode}: its status when it exited by itself, else -1. */
  public record Ended(Reason reason, int exitCode, String message) {
    public enum Reason {
      EXITED, IDLE, LAB_GONE, CLOSED, SERVER_STOPPING;

      /** As the APIs spell it: exited, idle, lab-gone, closed, server-stopping. */
      public String id() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
      }
    }
  }

  /** Where a shell's output and end go; called on the engine's threads. */
  public interface Client {
    void output(byte[] bytes);

    void ended(Ended end);
  }

  /** Opens a shell for the caller, or refuses naming why; the client hears its output and its end. */
  public Shell open(Principal principal, Caller caller, String address, Request request, Client client) {
    checkShape(request);
    LabSession session = labs.session(caller, request.labId());
    Lab lab = session.lab();
    if (!caller.owns(lab.tenant())) {
      throw new PermissionDeniedException("lab " + lab.id() + " is a seat of your workshop: you may watch it, only "
          + "its student opens shells there");
    }
    if (caller.limits().shells() == 0) {
      throw new PermissionDeniedException("this credential opens no shells");
    }
    LabNode node = lab.nodes().stream().filter(n -> n.name().equals(request.node())).findFirst()
        .orElseThrow(() -> new InvalidArgumentException("node", "lab " + lab.id() + " has no node "
            + Bounded.quote(request.node()) + "; its nodes are "
            + String.join(", ", lab.nodes().stream().map(LabNode::name).toList())));
    if (lab.status() != LabStatus.READY || session.deleting()) {
      throw new ConflictException("lab " + lab.id() + " is " + lab.status().name().toLowerCase(Locale.ROOT)
          + ": a shell opens in a ready lab");
    }
    if (session.graded() && !caller.shellsWhileGraded()) {
      throw new ConflictException("lab " + lab.id() + " is being graded: a shell could change the grade, so it opens "
          + "when the grading is over (your instructor may allow shells while graded)");
    }
    String owner = lab.tenant().owner();
    Holdings.Hold seat = reserve(caller, owner);
    Shell shell = new Shell(Ids.newId("shell"), session, node.name(), principal, address, client, seat);
    open.put(shell.id, shell);
    session.shellOpened(node.name());
    try {
      shell.start(labs.provisioner().startShell(lab, node, shell.id, request.tty(), request.columns(),
          request.rows(), shell::output, shell::terminalEnded));
    } catch (RuntimeException e) {
      open.remove(shell.id);
      session.shellClosed(node.name());
      seat.close();
      throw e;
    }
    access.audit(Optional.of(principal), address, "shell open", lab.id() + "/" + node.name(), "OK");
    LOG.info("shell={} lab={} node={} opened for {}", shell.id, lab.id(), node.name(), owner);
    return shell;
  }

  /** The shells open in the owner's labs, as "lab/node". */
  public List<String> openBy(String owner) {
    return open.values().stream().filter(s -> s.owner().equals(owner)).map(s -> s.session.lab().id() + "/" + s.node)
        .sorted().toList();
  }

  public Duration idleTimeout() {
    return limits.shellIdle();
  }

  private Holdings.Hold reserve(Caller caller, String owner) {
    int all = held.total();
    if (all >= limits.shells()) {
      throw TooManyRequestsException.quota("server shells", all, limits.shells(),
          "the server has as many shells open as it allows; try again when others have closed", 30);
    }
    return held.take(owner, caller.limits().shells(), used -> TooManyRequestsException.quota("shells", used,
        caller.limits().shells(), "close one (exit, or close its tab) first", 5));
  }

  private static void checkShape(Request request) {
    List<FieldViolation> bad = new ArrayList<>();
    if (request.labId().isBlank()) {
      bad.add(new FieldViolation("lab_id", "must name one of your labs"));
    }
    if (request.node().isBlank()) {
      bad.add(new FieldViolation("node", "must name a node of the lab (client, server, gateway, redis...)"));
    }
    checkSize(bad, request.columns(), request.rows());
    if (!bad.isEmpty()) {
      throw new InvalidArgumentException(bad);
    }
  }

  private static void checkSize(List<FieldViolation> bad, int columns, int rows) {
    if (columns < MIN_COLUMNS || columns > MAX_COLUMNS) {
      bad.add(new FieldViolation("columns", "must be " + MIN_COLUMNS + " to " + MAX_COLUMNS + ", got " + columns));
    }
    if (rows < MIN_ROWS || rows > MAX_ROWS) {
      bad.add(new FieldViolation("rows", "must be " + MIN_ROWS + " to " + MAX_ROWS + ", got " + rows));
    }
  }

  /**
   * Closes the shells idle for too long, and those whose lab is going: its removal ends their
   * containers too, but the engine's report of that is not something to count on.
   */
  private void closeStale() {
    Instant now = clock.instant();
    for (Shell shell : open.values()) {
      try {
        if (shell.session.deleting()) {
          shell.end(shell.labGone());
        } else if (shell.lastActivity.plus(limits.shellIdle()).isBefore(now)) {
          shell.end(new Ended(Ended.Reason.IDLE, -1, "no input or output for " + limits.shellIdle().toSeconds()
              + " s: the shell was closed; open it again to go on"));
        }
      } catch (RuntimeException e) {
        // One shell's failure must not stop the reaper for every other one.
        LOG.warn("shell={} could not be closed: {}", shell.id, e.toString(), e);
      }
    }
  }

  @Override
  public void close() {
    idleReaper.shutdownNow();
    open.values().forEach(s -> s.end(new Ended(Ended.Reason.SERVER_STOPPING, -1, "the server is stopping: open the shell again "
        + "once it is back")));
  }

  /** One open shell: its input and window size come from its client, its output goes to it. */
  public final class Shell {
    private final String id;
    private final LabSession session;
    private final String node;
    private final Principal principal;
    private final String address;
    private final Client client;
    private final Holdings.Hold seat;
    private final Instant openedAt = clock.instant();
    private final AtomicReference<Ended> ending = new AtomicReference<>();
    private volatile Instant lastActivity = openedAt;
    private volatile LabRuntime.Terminal terminal;

    private Shell(String id, LabSession session, String node, Principal principal, String address, Client client,
        Holdings.Hold seat) {
      this.id = id;
      this.session = session;
      this.node = node;
      this.principal = principal;
      this.address = address;
      this.client = client;
      this.seat = seat;
    }

    public String id() {
      return id;
    }

    public String labId() {
      return session.lab().id();
    }

    public String node() {
      return node;
    }

    private String owner() {
      return session.lab().tenant().owner();
    }

    /** Its terminal, once started; one that ended while it started is removed at once. */
    private void start(LabRuntime.Terminal started) {
      terminal = started;
      if (ending.get() != null) {
        started.close();
      }
    }

    /** Keystrokes, or a script's input; refused when larger than {@value #MAX_INPUT} bytes or faster than it is read. */
    public void input(byte[] bytes) {
      if (bytes.length > MAX_INPUT) {
        throw new InvalidArgumentException("input", "at most " + MAX_INPUT + " bytes a message, got " + bytes.length);
      }
      lastActivity = clock.instant();
      if (terminal == null || !terminal.write(bytes)) {
        throw new TooManyRequestsException("the shell reads its input more slowly than it comes: send less at once",
            1);
      }
    }

    public void resize(int columns, int rows) {
      List<FieldViolation> bad = new ArrayList<>();
      checkSize(bad, columns, rows);
      if (!bad.isEmpty()) {
        throw new InvalidArgumentException(bad);
      }
      terminal.resize(columns, rows);
    }

    /** The end of a script's input: the shell reads no more and exits once it has run what came. */
    public void endInput() {
      terminal.endInput();
    }

    /** Closed by its client (the page or the command went away). */
    public void close() {
      end(new Ended(Ended.Reason.CLOSED, -1, "closed by its client"));
    }

    private void output(byte[] bytes) {
      lastActivity = clock.instant();
      client.output(bytes);
    }

    private void terminalEnded(int exitCode) {
      end(session.deleting() ? labGone()
          : new Ended(Ended.Reason.EXITED, exitCode, "the shell exited with status " + exitCode));
    }

    private Ended labGone() {
      return new Ended(Ended.Reason.LAB_GONE, -1, "lab " + labId() + " was deleted or expired");
    }

    /** Ends it once, whoever asks first: its terminal goes, its seat is given back, its client hears why. */
    private void end(Ended why) {
      if (!ending.compareAndSet(null, why)) {
        return;
      }
      open.remove(id);
      LabRuntime.Terminal t = terminal;
      try {
        if (t != null) {
          t.close();
        }
      } catch (RuntimeException e) {
        // Its seat, its lab's count and its client are told all the same.
        LOG.warn("shell={} terminal not removed: {}", id, e.toString());
      }
      seat.close();
      session.shellClosed(node);
      boolean asked = why.reason() == Ended.Reason.EXITED || why.reason() == Ended.Reason.CLOSED;
      access.audit(Optional.of(principal), address, "shell close", labId() + "/" + node,
          asked ? "OK" : why.reason().name());
      LOG.info("shell={} lab={} node={} ended after {} s: {}", id, labId(), node,
          Duration.between(openedAt, clock.instant()).toSeconds(), why.reason().id());
      client.ended(why);
    }
  }
}

package io.twlab.app;

import io.twlab.capture.CaptureFilter;
import io.twlab.capture.PcapBudget;
import io.twlab.core.Bounded;
import io.twlab.core.Caller;
import io.twlab.core.ExecResult;
import io.twlab.core.InvalidArgumentException;
import io.twlab.core.PermissionDeniedException;
import io.twlab.core.TooManyRequestsException;
import io.twlab.lab.Lab;
import io.twlab.lab.LabNode;
import io.twlab.runtime.LabRuntime;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Packet captures on demand: tcpdump on one node of a lab, its pcap streamed to the caller as it
 * comes, bounded in time and bytes, for the lab's owner only, a few at once per seat and on the
 * server.
 */
public final class Captures {
  public static final int DEFAULT_SECONDS = 30;
  public static final int MAX_SECONDS = 300;
  public static final long DEFAULT_BYTES = 8L * 1024 * 1024;
  public static final long MAX_BYTES = 64L * 1024 * 1024;
  static final int PER_SEAT = 2;
  static final int ON_THE_SERVER = 16;
  private static final Duration CHECK = Duration.ofSeconds(10);
  /** After its time is up, tcpdump writes what it holds and exits; this is how long that may take. */
  private static final long GRACE_SECONDS = 10;

  private final LabRuntime runtime;
  private final Labs labs;
  private final Holdings capturing = new Holdings();
  private final Semaphore server = new Semaphore(ON_THE_SERVER);

  public Captures(LabRuntime runtime, Labs labs) {
    this.runtime = runtime;
    this.labs = labs;
  }

  /** What to capture: a node of the lab, a filter, for how long, and at most how many bytes of pcap. */
  public record Request(String node, String filter, int seconds, long maxBytes) {}

  /**
   * Checks the request whole, then writes the node's pcap to {@code sink} until its time is up or
   * its bytes are; returns how many bytes it wrote. Nothing is written for a refused request.
   */
  public long capture(Caller caller, String labId, Request request, OutputStream sink) throws InterruptedException {
    LabSession session = labs.session(caller, labId);
    Lab lab = session.lab();
    if (!caller.owns(lab.tenant())) {
      throw new PermissionDeniedException("lab " + labId + " is a seat of your workshop: only its student captures in it");
    }
    LabNode node = lab.nodes().stream().filter(n -> n.name().equals(request.node())).findFirst()
        .orElseThrow(() -> new InvalidArgumentException("node", "lab " + labId + " has no node "
            + Bounded.quote(request.node()) + "; its nodes are " + String.join(", ",
                lab.nodes().stream().map(LabNode::name).toList())));
    CaptureFilter filter = CaptureFilter.parse("filter", request.filter());
    if (request.seconds() < 1 || request.seconds() > MAX_SECONDS) {
      throw new InvalidArgumentException("seconds", "must be 1 to " + MAX_SECONDS + ", got " + request.seconds());
    }
    if (request.maxBytes() < 1024 || request.maxBytes() > MAX_BYTES) {
      throw new InvalidArgumentException("max_bytes", "must be 1024 to " + MAX_BYTES + ", got " + request.maxBytes());
    }
    try (Holdings.Hold held = capturing.take(lab.tenant().owner(), PER_SEAT, used -> TooManyRequestsException.quota(
        "captures", used, PER_SEAT, "wait for one of your captures to end", request.seconds()))) {
      if (!server.tryAcquire()) {
        throw TooManyRequestsException.quota("captures on the server", ON_THE_SERVER, ON_THE_SERVER,
            "try again when one has ended", request.seconds());
      }
      try {
        check(node, filter);
        return stream(node, filter, request, sink);
      } finally {
        server.release();
      }
    }
  }

  /** tcpdump compiles the expression (-d) without capturing: what it cannot compile is refused with its words. */
  private void check(LabNode node, CaptureFilter filter) {
    List<String> command = new ArrayList<>(List.of("tcpdump", "-d", "-i", "any"));
    command.addAll(filter.words());
    ExecResult compiled = runtime.exec(node.containerId(), command, CHECK);
    if (!compiled.ok()) {
      String why = compiled.stderr().lines().filter(l -> !l.isBlank()).reduce((a, b) -> b).orElse("exit "
          + compiled.exitCode());
      throw new InvalidArgumentException("filter", Bounded.quote(filter.text()) + " is not a pcap expression: "
          + Bounded.quote(why));
    }
  }

  private long stream(LabNode node, CaptureFilter filter, Request request, OutputStream sink)
      throws InterruptedException {
    List<String> command = new ArrayList<>(List.of("timeout", "-s", "INT", String.valueOf(request.seconds()),
        "tcpdump", "-Z", "root", "-U", "-p", "-w", "-", "-i", "any"));
    command.addAll(filter.words());
    PcapBudget budget = new PcapBudget(request.maxBytes());
    CountDownLatch done = new CountDownLatch(1);
    AtomicReference<IOException> lost = new AtomicReference<>();
    LabRuntime.ExecStream capture = runtime.execBytes(node.containerId(), command, chunk -> {
      if (done.getCount() == 0) {
        return;
      }
      try {
        byte[] whole = budget.accept(chunk);
        if (whole.length > 0) {
          sink.write(whole);
          sink.flush();
        }
      } catch (IOException e) {
        lost.set(e);
      }
      if (budget.exhausted() || lost.get() != null) {
        done.countDown();
      }
    }, line -> { }, done::countDown);
    try {
      done.await(request.seconds() + GRACE_SECONDS, TimeUnit.SECONDS);
    } finally {
      capture.close();
    }
    // A receiver that went away (lost) ended the capture early; what it got was whole packets.
    return budget.passed();
  }
}

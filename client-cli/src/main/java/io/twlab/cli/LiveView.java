package io.twlab.cli;

import java.io.PrintWriter;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Rows on stdout, and on a terminal a spinner line on stderr saying what is going on and for how
 * long. Off a terminal (CI logs, pipes) only the rows are printed.
 */
final class LiveView implements AutoCloseable {
  private static final String[] FRAMES = {"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"};
  private static final String CLEAR_LINE = "\r\u001b[K";

  private final PrintWriter out;
  private final PrintWriter err;
  private final boolean terminal = System.console() != null;
  private final long started = System.nanoTime();
  private final ScheduledExecutorService ticker;
  private String status = "";
  private Supplier<String> detail = () -> "";
  private int frame;

  LiveView(PrintWriter out, PrintWriter err) {
    this.out = out;
    this.err = err;
    this.ticker = terminal ? Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "twlab-spinner");
      t.setDaemon(true);
      return t;
    }) : null;
    if (ticker != null) {
      ticker.scheduleAtFixedRate(this::redraw, 0, 100, TimeUnit.MILLISECONDS);
    }
  }

  synchronized void status(String text) {
    status = text;
    if (!terminal) {
      err.println(text);
      err.flush();
    }
  }

  /** Extra text for the status line, recomputed at every redraw (e.g. a countdown). */
  synchronized void detail(Supplier<String> newDetail) {
    detail = newDetail;
  }

  synchronized void row(String line) {
    if (terminal) {
      err.print(CLEAR_LINE);
      err.flush();
    }
    out.println(line);
    out.flush();
    redraw();
  }

  private synchronized void redraw() {
    if (!terminal || status.isEmpty()) {
      return;
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    String extra = detail.get();
    err.printf("%s%s %s  %.1fs%s", CLEAR_LINE, FRAMES[frame++ % FRAMES.length], status, seconds,
        extra.isEmpty() ? "" : "  " + extra);
    err.flush();
  }

  @Override
  public synchronized void close() {
    if (ticker != null) {
      ticker.shutdownNow();
      err.print(CLEAR_LINE);
      err.flush();
    }
  }
}

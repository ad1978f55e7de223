package io.twlab.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Rows on stdout, and on a terminal a live footer on stderr: an optional panel (e.g. a table of
 * states) and a spinner line saying what is going on and for how long, redrawn in place. Off a
 * terminal (CI logs, pipes) only the rows are printed.
 */
final class LiveView implements AutoCloseable {
  private static final String[] FRAMES = {"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"};
  private static final String CLEAR_LINE = "\r\u001b[K";
  private static final String CLEAR_BELOW = "\u001b[J";

  private final PrintWriter out;
  private final PrintWriter err;
  private final boolean terminal = System.console() != null;
  private final long started = System.nanoTime();
  private final ScheduledExecutorService ticker;
  private String status = "";
  private Supplier<String> detail = () -> "";
  private Supplier<List<String>> panel = List::of;
  private int footerLines;
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

  /** Lines drawn above the spinner line, recomputed at every redraw. */
  synchronized void panel(Supplier<List<String>> newPanel) {
    panel = newPanel;
  }

  synchronized void row(String line) {
    if (terminal) {
      clearFooter();
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
    clearFooter();
    List<String> lines = panel.get();
    lines.forEach(err::println);
    err.printf("%s %s  %.1fs%s", FRAMES[frame++ % FRAMES.length], status, seconds, extra.isEmpty() ? "" : "  " + extra);
    err.flush();
    footerLines = lines.size() + 1;
  }

  private void clearFooter() {
    err.print(footerLines > 1 ? "\r\u001b[" + (footerLines - 1) + "A" + CLEAR_BELOW : CLEAR_LINE);
    err.flush();
    footerLines = 0;
  }

  @Override
  public synchronized void close() {
    if (ticker != null) {
      ticker.shutdownNow();
      clearFooter();
    }
  }
}

package io.twlab.app;

import io.twlab.capture.CaptureFilter;
import io.twlab.capture.PcapBudget;
import io.twlab.lab.Lab;
import io.twlab.lab.LabNode;
import io.twlab.runtime.LabRuntime;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The packets of a run: tcpdump on every node of its lab from before the scenario starts until it
 * has ended, each node's pcap kept whole within its budget. Closing it stops every tcpdump.
 */
final class RunCapture implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RunCapture.class);
  private static final long BYTES_PER_NODE = 4L * 1024 * 1024;
  /** tcpdump outlives the longest run by far; the run stops it. */
  private static final int LIFETIME_SECONDS = 3600;
  private static final long START_SECONDS = 10;
  /** The last packets of a run are written before tcpdump is stopped. */
  private static final long SETTLE_MS = 300;
  /**
   * Packets tcpdump wrote still travel through Docker's exec stream, later on a loaded host: the
   * capture is stopped once no node's pcap grew for this long, at most {@link #MAX_SETTLE_CHECKS} times.
   */
  private static final long QUIET_MS = 250;
  private static final int MAX_SETTLE_CHECKS = 12;

  private final Map<String, NodeCapture> nodes = new LinkedHashMap<>();

  private record NodeCapture(LabRuntime.ExecStream stream, ByteArrayOutputStream pcap) {}

  private RunCapture() {}

  /** Starts tcpdump on every node of the lab and returns once each listens (or has had its time to). */
  static RunCapture start(LabRuntime runtime, Lab lab) throws InterruptedException {
    RunCapture capture = new RunCapture();
    CountDownLatch listening = new CountDownLatch(lab.nodes().size());
    for (LabNode node : lab.nodes()) {
      List<String> command = new ArrayList<>(List.of("timeout", String.valueOf(LIFETIME_SECONDS), "tcpdump", "-Z",
          "root", "-U", "-p", "-w", "-", "-i", "any"));
      command.addAll(CaptureFilter.TCP.words());
      PcapBudget budget = new PcapBudget(BYTES_PER_NODE);
      ByteArrayOutputStream pcap = new ByteArrayOutputStream();
      LabRuntime.ExecStream stream = runtime.execBytes(node.containerId(), command, chunk -> {
        synchronized (pcap) {
          pcap.writeBytes(budget.accept(chunk));
        }
      }, line -> {
        if (line.contains("listening on")) { // "tcpdump: listening on any, link-type …"
          listening.countDown();
        }
      }, () -> { });
      capture.nodes.put(node.name(), new NodeCapture(stream, pcap));
    }
    if (!listening.await(START_SECONDS, TimeUnit.SECONDS)) {
      LOG.warn("lab={} tcpdump did not say it listens on every node within {} s; the run's capture may miss its "
          + "first packets", lab.id(), START_SECONDS);
    }
    return capture;
  }

  /** Stops every tcpdump; returns each node's pcap. */
  Map<String, byte[]> stop() throws InterruptedException {
    Thread.sleep(SETTLE_MS);
    long received = received();
    for (int check = 0; check < MAX_SETTLE_CHECKS; check++) {
      Thread.sleep(QUIET_MS);
      long now = received();
      if (now == received) {
        break;
      }
      received = now;
    }
    close();
    Map<String, byte[]> pcaps = new LinkedHashMap<>();
    nodes.forEach((node, c) -> {
      synchronized (c.pcap()) {
        pcaps.put(node, c.pcap().toByteArray());
      }
    });
    return pcaps;
  }

  private long received() {
    long bytes = 0;
    for (NodeCapture c : nodes.values()) {
      synchronized (c.pcap()) {
        bytes += c.pcap().size();
      }
    }
    return bytes;
  }

  @Override
  public void close() {
    nodes.values().forEach(c -> c.stream().close());
  }
}

package io.twlab.observe;

import io.twlab.core.SocketKey;
import io.twlab.core.TcpState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the sampler's line protocol (the host observer's, {@code twlab-observer} in lab-images/tracer,
 * after its key): batches of {@code B <epoch_ms> <monotonic_ns>} ({@code S <epoch_ms> <monotonic_ns>
 * <netns>} for the baseline), both taken as the dump began, {@code C <from> <to> <local> <remote>
 * <timer_ms>} and {@code K <counter> <delta>} lines, and {@code E <dumped_ns>} (the dump's end; when
 * absent, its start). Not thread-safe: one parser per sampler stream.
 */
public final class SamplerParser {
  private static final Logger LOG = LoggerFactory.getLogger(SamplerParser.class);

  private Instant batchTime;
  private long monotonicNanos;
  private long netns;
  private boolean baseline;
  private final List<SocketDelta> deltas = new ArrayList<>();
  private final Map<String, Long> counters = new TreeMap<>();

  /** Feeds one line; returns the batch that this line completes, if any. */
  public Optional<SamplerBatch> accept(String line) {
    LineFields f = new LineFields(line);
    int fields = f.count();
    boolean batch = f.is("B");
    boolean baselineBatch = !batch && f.is("S");
    if (batch || baselineBatch) {
      batchTime = Instant.ofEpochMilli(f.signed());
      monotonicNanos = fields > 2 ? f.signed() : 0;
      netns = fields > 3 ? f.signed() : 0;
      baseline = baselineBatch;
      deltas.clear();
      counters.clear();
    } else if (f.is("K")) {
      if (batchTime != null && fields == 3) {
        counters.put(f.text(), f.signed());
      }
    } else if (f.is("C")) {
      if (batchTime != null && fields == 6) {
        Optional<TcpState> from = TcpState.parse(f.text());
        Optional<TcpState> to = TcpState.parse(f.text());
        SocketKey key = new SocketKey(f.text(), f.text());
        long timerMs = f.signed();
        if (from.isPresent() && to.isPresent()) {
          deltas.add(new SocketDelta(key, from.get(), to.get(),
              timerMs >= 0 ? Optional.of(Duration.ofMillis(timerMs)) : Optional.empty()));
        }
      }
    } else if (f.is("E")) {
      if (batchTime != null) {
        long dumpedNanos = fields > 1 ? f.signed() : monotonicNanos;
        // A socket is read some time into the dump (later still when the observer was preempted):
        // a change stamped at the dump's start could precede the packet that caused it.
        Instant dumped = batchTime.plusNanos(Math.max(0, dumpedNanos - monotonicNanos));
        SamplerBatch done = new SamplerBatch(dumped, monotonicNanos, dumpedNanos, baseline, netns, deltas, counters);
        batchTime = null;
        deltas.clear();
        counters.clear();
        return Optional.of(done);
      }
    } else {
      LOG.debug("sampler line ignored: {}", line);
    }
    return Optional.empty();
  }
}

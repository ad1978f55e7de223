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
    String[] f = line.trim().split(" ");
    switch (f[0]) {
      case "B", "S" -> {
        batchTime = Instant.ofEpochMilli(Long.parseLong(f[1]));
        monotonicNanos = f.length > 2 ? Long.parseLong(f[2]) : 0;
        netns = f.length > 3 ? Long.parseLong(f[3]) : 0;
        baseline = f[0].equals("S");
        deltas.clear();
        counters.clear();
      }
      case "K" -> {
        if (batchTime != null && f.length == 3) {
          counters.put(f[1], Long.parseLong(f[2]));
        }
      }
      case "C" -> {
        if (batchTime != null && f.length == 6) {
          Optional<TcpState> from = TcpState.parse(f[1]);
          Optional<TcpState> to = TcpState.parse(f[2]);
          long timerMs = Long.parseLong(f[5]);
          if (from.isPresent() && to.isPresent()) {
            deltas.add(new SocketDelta(new SocketKey(f[3], f[4]), from.get(), to.get(),
                timerMs >= 0 ? Optional.of(Duration.ofMillis(timerMs)) : Optional.empty()));
          }
        }
      }
      case "E" -> {
        if (batchTime != null) {
          long dumpedNanos = f.length > 1 ? Long.parseLong(f[1]) : monotonicNanos;
          // A socket is read some time into the dump (later still when the observer was preempted):
          // a change stamped at the dump's start could precede the packet that caused it.
          Instant dumped = batchTime.plusNanos(Math.max(0, dumpedNanos - monotonicNanos));
          SamplerBatch batch = new SamplerBatch(dumped, monotonicNanos, dumpedNanos, baseline, netns, deltas,
              counters);
          batchTime = null;
          deltas.clear();
          counters.clear();
          return Optional.of(batch);
        }
      }
      default -> LOG.debug("sampler line ignored: {}", line);
    }
    return Optional.empty();
  }
}

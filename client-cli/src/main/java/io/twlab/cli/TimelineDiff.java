package io.twlab.cli;

import com.google.protobuf.util.Timestamps;
import io.twlab.proto.v1.V1.LabEvent;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Two runs' timelines side by side: per node, how often each transition happened, each state's
 * peak and final count, when the first TIME_WAIT came, and the kernel counters' total moves.
 */
final class TimelineDiff {
  /** One run's figures, metric name → value, in a stable order. */
  static Map<String, Double> figures(List<LabEvent> timeline) {
    Map<String, Double> f = new TreeMap<>();
    long start = timeline.isEmpty() ? 0 : Timestamps.toMillis(timeline.get(0).getTime());
    for (LabEvent e : timeline) {
      switch (e.getKindCase()) {
        case TRANSITION -> {
          var t = e.getTransition();
          f.merge(t.getNode() + " " + Render.state(t.getFrom()) + " → " + Render.state(t.getTo()), 1.0, Double::sum);
          if (Render.state(t.getTo()).equals("TIME_WAIT")) {
            f.putIfAbsent(t.getNode() + " first TIME_WAIT (s)", (Timestamps.toMillis(e.getTime()) - start) / 1000.0);
          }
        }
        case STATE_COUNTS -> {
          String node = e.getStateCounts().getNode();
          f.keySet().removeIf(k -> k.startsWith(node + " at the end "));
          e.getStateCounts().getCountsMap().forEach((state, n) -> {
            f.merge(node + " peak " + state, (double) n, Math::max);
            f.put(node + " at the end " + state, (double) n);
          });
        }
        case COUNTERS -> e.getCounters().getDeltasMap().forEach((name, n) ->
            f.merge(e.getCounters().getNode() + " " + name, (double) n, Double::sum));
        default -> { }
      }
    }
    return f;
  }

  /** The rows of the diff: metric, A, B, B − A; only metrics that differ unless {@code all}. */
  static Table table(List<LabEvent> a, List<LabEvent> b, String nameA, String nameB, boolean all) {
    Map<String, Double> fa = figures(a);
    Map<String, Double> fb = figures(b);
    Table table = new Table("METRIC", nameA, nameB, "B − A");
    for (String metric : new TreeSet<>(union(fa, fb))) {
      Double va = fa.get(metric);
      Double vb = fb.get(metric);
      if (!all && va != null && va.equals(vb)) {
        continue;
      }
      table.row(metric, number(va), number(vb), va == null || vb == null ? "" : signed(vb - va));
    }
    return table;
  }

  private static TreeSet<String> union(Map<String, Double> a, Map<String, Double> b) {
    TreeSet<String> keys = new TreeSet<>(a.keySet());
    keys.addAll(b.keySet());
    return keys;
  }

  private static String number(Double v) {
    if (v == null) {
      return "-";
    }
    return v == Math.rint(v) ? String.valueOf(v.longValue()) : String.format(Locale.ROOT, "%.3f", v);
  }

  private static String signed(double d) {
    return (d > 0 ? "+" : "") + number(d);
  }

  private TimelineDiff() {}
}

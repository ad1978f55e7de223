package io.twlab.core;

import java.util.Map;
import java.util.TreeMap;

/**
 * A node's kernel counters at one moment, named as {@code nstat} names them ({@code TcpExtTW},
 * {@code TcpEstabResets}), plus the gateway's conntrack statistics ({@code conntrack.insert_failed}).
 */
public record KernelCounters(Map<String, Long> values) {
  public static final String PAWS_TIMEWAIT = "TcpExtPAWSTimewait";
  public static final String TW_RECYCLED = "TcpExtTWRecycled";
  public static final String TIME_WAIT_OVERFLOW = "TcpExtTCPTimeWaitOverflow";
  public static final String CONNTRACK_INSERT_FAILED = "conntrack.insert_failed";

  public KernelCounters {
    values = Map.copyOf(values);
  }

  /**
   * Reads {@code /proc/net/netstat} and {@code /proc/net/snmp} text: pairs of lines, a header
   * ({@code TcpExt: SyncookiesSent ...}) then its values ({@code TcpExt: 0 ...}).
   */
  public static KernelCounters parseProc(String text) {
    Map<String, Long> values = new TreeMap<>();
    String[] lines = text.split("\n");
    for (int i = 0; i + 1 < lines.length; i++) {
      String[] names = lines[i].trim().split("\\s+");
      String[] numbers = lines[i + 1].trim().split("\\s+");
      if (names.length < 2 || !names[0].endsWith(":") || !names[0].equals(numbers[0])
          || names.length != numbers.length || !numbers[1].matches("-?\\d+")) {
        continue;
      }
      String prefix = names[0].substring(0, names[0].length() - 1);
      for (int k = 1; k < names.length; k++) {
        values.put(prefix + names[k], Long.parseLong(numbers[k]));
      }
      i++;
    }
    return new KernelCounters(values);
  }

  /** Sums {@code conntrack -S}'s per-CPU lines ({@code cpu=0 found=0 insert_failed=2 ...}). */
  public static KernelCounters parseConntrackStats(String text) {
    Map<String, Long> values = new TreeMap<>();
    for (String line : text.split("\n")) {
      for (String field : line.trim().split("\\s+")) {
        int eq = field.indexOf('=');
        if (eq > 0 && !field.startsWith("cpu=") && field.substring(eq + 1).matches("\\d+")) {
          values.merge("conntrack." + field.substring(0, eq), Long.parseLong(field.substring(eq + 1)), Long::sum);
        }
      }
    }
    return new KernelCounters(values);
  }

  /** These counters and another node-wide set (e.g. conntrack's), whose names do not overlap. */
  public KernelCounters with(KernelCounters other) {
    Map<String, Long> all = new TreeMap<>(values);
    all.putAll(other.values);
    return new KernelCounters(all);
  }

  /** What changed since {@code before}: only the counters that moved. */
  public KernelCounters since(KernelCounters before) {
    Map<String, Long> delta = new TreeMap<>();
    values.forEach((name, value) -> {
      long d = value - before.values.getOrDefault(name, 0L);
      if (d != 0) {
        delta.put(name, d);
      }
    });
    return new KernelCounters(delta);
  }

  /** The TCP counters ({@code Tcp*}, {@code TcpExt*}) and conntrack's, without the IP-level noise. */
  public KernelCounters tcpOnly() {
    Map<String, Long> tcp = new TreeMap<>();
    values.forEach((name, value) -> {
      if (name.startsWith("Tcp") || name.startsWith("conntrack.")) {
        tcp.put(name, value);
      }
    });
    return new KernelCounters(tcp);
  }

  public long get(String name) {
    return values.getOrDefault(name, 0L);
  }
}

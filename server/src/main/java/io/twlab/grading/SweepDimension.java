package io.twlab.grading;

import java.util.List;

/** One axis of a sweep: a sysctl of a node (or role), or a scenario parameter, and its values. */
public sealed interface SweepDimension {

  /** How a cell names it: {@code client.net.ipv4.tcp_tw_reuse} or the parameter's name. */
  String label();

  /** The short column title: the sysctl's last part ({@code tcp_tw_reuse}) or the parameter's name. */
  String title();

  List<String> values();

  record Sysctl(String node, String key, List<String> values) implements SweepDimension {
    public Sysctl {
      values = List.copyOf(values);
    }

    @Override
    public String label() {
      return node + "." + key;
    }

    @Override
    public String title() {
      return key.substring(key.lastIndexOf('.') + 1);
    }
  }

  record Param(String name, List<String> values) implements SweepDimension {
    public Param {
      values = List.copyOf(values);
    }

    @Override
    public String label() {
      return name;
    }

    @Override
    public String title() {
      return name;
    }
  }
}

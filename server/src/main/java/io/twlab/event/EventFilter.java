package io.twlab.event;

import io.twlab.core.Bounded;
import io.twlab.core.FieldViolation;
import io.twlab.core.InvalidArgumentException;
import io.twlab.core.SocketChange;
import io.twlab.core.TcpState;
import io.twlab.event.EventPayload.ConnectionTransition;
import io.twlab.event.EventPayload.CounterDeltas;
import io.twlab.event.EventPayload.StateCounts;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Which events a watcher wants. Each set narrows only when it is not empty: nodes apply to
 * transitions, state counts, counters and NAT mappings; ports to transitions (either end) and NAT
 * mappings (any end of either tuple); states to transitions, and a watcher asking for states gets
 * no NAT mappings. Lab status, run and
 * gap events always pass: a watcher must know where the lab and its runs are.
 */
public record EventFilter(Set<String> nodes, Set<TcpState> states, Set<Integer> ports) {
  public static final EventFilter ALL = new EventFilter(Set.of(), Set.of(), Set.of());

  public EventFilter {
    nodes = Set.copyOf(nodes);
    states = states.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(states));
    ports = Set.copyOf(ports);
  }

  /** From text (HTTP query parameters, proto enum names); bad values are named as {@code states} or {@code ports}. */
  public static EventFilter parse(Collection<String> nodes, Collection<String> states, Collection<String> ports) {
    List<FieldViolation> violations = new ArrayList<>();
    Set<TcpState> stateSet = new LinkedHashSet<>();
    for (String s : states) {
      String name = s.trim().toUpperCase(Locale.ROOT).replaceFirst("^TCP_STATE_", "");
      try {
        stateSet.add(TcpState.valueOf(name));
      } catch (IllegalArgumentException e) {
        violations.add(new FieldViolation("states", Bounded.quote(s) + " is not a TCP state; use one of "
            + String.join(", ", EnumSet.allOf(TcpState.class).stream().map(Enum::name).toList())));
      }
    }
    Set<Integer> portSet = new LinkedHashSet<>();
    for (String p : ports) {
      try {
        int port = Integer.parseInt(p.trim());
        if (port < 1 || port > 65_535) {
          throw new NumberFormatException();
        }
        portSet.add(port);
      } catch (NumberFormatException e) {
        violations.add(new FieldViolation("ports", Bounded.quote(p) + " is not a port (1 to 65535)"));
      }
    }
    if (!violations.isEmpty()) {
      throw new InvalidArgumentException(violations);
    }
    return new EventFilter(Set.copyOf(nodes.stream().map(String::trim).toList()), stateSet, portSet);
  }

  public boolean matches(EventPayload payload) {
    if (payload instanceof EventPayload.ConnectionTransition transition) {
      SocketChange t = transition.change();
      return (nodes.isEmpty() || nodes.contains(t.node()))
          && (states.isEmpty() || states.contains(t.from()) || states.contains(t.to()))
          && (ports.isEmpty() || ports.contains(port(t.socket().local())) || ports.contains(port(t.socket().remote())));
    }
    if (payload instanceof EventPayload.StateCounts c) {
      return nodes.isEmpty() || nodes.contains(c.node());
    }
    if (payload instanceof EventPayload.CounterDeltas c) {
      return nodes.isEmpty() || nodes.contains(c.node());
    }
    if (payload instanceof EventPayload.NatMapping n) {
      return (nodes.isEmpty() || nodes.contains(n.node())) && states.isEmpty()
          && (ports.isEmpty() || tuplePorts(n.original(), n.reply()).stream().anyMatch(ports::contains));
    }
    return true;
  }

  /** The four ports of "a:p -> b:q" and "c:r -> d:s". */
  private static List<Integer> tuplePorts(String... tuples) {
    List<Integer> found = new ArrayList<>();
    for (String tuple : tuples) {
      for (String endpoint : tuple.split(" -> ")) {
        found.add(port(endpoint));
      }
    }
    return found;
  }

  private static int port(String endpoint) {
    int colon = endpoint.lastIndexOf(':');
    try {
      return colon < 0 ? -1 : Integer.parseInt(endpoint.substring(colon + 1));
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}

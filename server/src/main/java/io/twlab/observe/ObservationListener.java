package io.twlab.observe;

import java.util.List;

/**
 * Receives the transitions of every node of a lab as they are logged (traced or sampled), on the
 * thread that observed them.
 */
@FunctionalInterface
public interface ObservationListener {
  void onTransitions(String node, List<Transition> transitions);
}

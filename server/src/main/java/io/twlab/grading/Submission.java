package io.twlab.grading;

import io.twlab.core.TcpState;
import java.util.List;
import java.util.Map;

/** What a student submits for an assignment: a value per setting and an answer per prediction, by name. */
public record Submission(Map<String, String> settings, Map<String, Answer> predictions) {
  public Submission {
    settings = Map.copyOf(settings);
    predictions = Map.copyOf(predictions);
  }

  /** A predicted number, or a predicted sequence of states. */
  public sealed interface Answer {
    record Number(double value) implements Answer {}

    record States(List<TcpState> states) implements Answer {
      public States {
        states = List.copyOf(states);
      }
    }
  }
}

package io.twlab.grading;

import io.twlab.core.TcpState;
import io.twlab.scenario.Program;
import java.util.List;
import java.util.Map;

/**
 * What a student submits for an assignment: a value per setting, an answer per prediction and a
 * program per program slot, by name.
 */
public record Submission(Map<String, String> settings, Map<String, Answer> predictions, Map<String, Program> programs) {
  public Submission {
    settings = Map.copyOf(settings);
    predictions = Map.copyOf(predictions);
    programs = Map.copyOf(programs);
  }

  /**
   * A program file as a client sent it, before it is read against the assignment: the slot it is
   * for, its language (empty: told by its content or name), its file name and its bytes.
   */
  public record ProgramFile(String name, String language, String fileName, byte[] content) {
    public ProgramFile {
      content = content.clone();
    }

    @Override
    public byte[] content() {
      return content.clone();
    }
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

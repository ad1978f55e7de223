package io.twlab.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "watch", description = "Stream a lab's connection states and run progress until the lab is deleted (Ctrl-C stops).")
final class WatchCommand implements Callable<Integer> {
  @ParentCommand
  Twlab twlab;
  @Spec
  CommandSpec spec;
  @Parameters(paramLabel = "LAB")
  String labId;
  @Option(names = "--after", defaultValue = "0",
      description = "resume after this sequence number (0: every retained event, -1: only new events)")
  long after;

  @Override
  public Integer call() {
    var out = spec.commandLine().getOut();
    try (ServerConnection server = new ServerConnection(twlab.server);
         LiveView view = new LiveView(out, spec.commandLine().getErr())) {
      if (twlab.output == Twlab.Output.json) {
        EventFeed.follow(server, labId, after, event -> {
          Render.jsonLine(out, event);
          return true;
        });
      } else {
        view.status("watching " + labId);
        view.row(Render.transitionHeader());
        EventFeed.follow(server, labId, after, event -> {
          String line = Render.eventLine(event);
          if (line != null) {
            view.row(line);
          }
          return true;
        });
      }
      return 0;
    }
  }
}

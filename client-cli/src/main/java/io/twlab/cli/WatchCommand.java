package io.twlab.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "watch", description = "Stream a lab's connection states and run progress until the lab is deleted (Ctrl-C stops).")
final class WatchCommand extends ServerCommand {
  @Parameters(paramLabel = "LAB")
  String labId;
  @Option(names = "--after", defaultValue = "0",
      description = "resume after this sequence number (0: every retained event, -1: only new events)")
  long after;

  @Override
  int call(ServerConnection server) {
    var out = out();
    try (LiveView view = liveView()) {
      if (json()) {
        EventFeed.follow(server, labId, after, event -> {
          Render.jsonLine(out, event);
          return true;
        });
      } else {
        view.status("watching " + labId);
        TimeWaitTracker timeWaits = new TimeWaitTracker();
        view.detail(() -> timeWaits.describe(System.currentTimeMillis()));
        view.row(Render.transitionHeader());
        EventFeed.follow(server, labId, after, event -> {
          timeWaits.accept(event);
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

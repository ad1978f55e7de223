package io.twlab.cli;

import io.twlab.proto.v1.V1.WatchDetail;
import io.twlab.proto.v1.V1.WatchLabRequest;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;

@Command(name = "watch", description = "Stream a lab's connection states and run progress until the lab is deleted "
    + "(Ctrl-C stops): a transition log, and on a terminal a live table of each node's states and TIME_WAIT timers.")
final class WatchCommand extends ServerCommand {
  @Parameters(paramLabel = "LAB")
  String labId;
  @Option(names = "--after", defaultValue = "0",
      description = "resume after this sequence number (0: every retained event, -1: only new events)")
  long after;
  @Option(names = "--node", split = ",", description = "only these nodes (repeat or comma-separate)")
  List<String> nodes = List.of();
  @Option(names = "--state", split = ",", description = "only transitions from or to these states, e.g. TIME_WAIT")
  List<String> states = List.of();
  @Option(names = "--port", split = ",", description = "only transitions with this local or remote port")
  List<Integer> ports = List.of();
  @Option(names = "--detail", defaultValue = "auto",
      description = "auto (summaries when a node passes 200 transitions/s), connections (every one) or aggregated")
  String detail;

  @Override
  int call(ServerConnection server) {
    var out = out();
    WatchLabRequest.Builder request = WatchLabRequest.newBuilder().setLabId(labId).setAfterSequence(after)
        .addAllNodes(nodes).addAllPorts(ports).setDetail(detail(detail));
    for (String state : states) {
      request.addStates(Render.tcpState(state));
    }
    try (LiveView view = liveView()) {
      if (json()) {
        EventFeed.follow(server, request.build(), event -> {
          Render.jsonLine(out, event);
          return true;
        });
      } else {
        view.status("watching " + labId);
        NodeStateTable states = new NodeStateTable();
        view.panel(() -> states.lines(System.currentTimeMillis()));
        view.row(Render.transitionHeader());
        EventFeed.follow(server, request.build(), event -> {
          states.accept(event);
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

  private WatchDetail detail(String text) {
    try {
      return WatchDetail.valueOf("WATCH_DETAIL_" + text.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), "--detail '" + text + "' is not auto, connections or aggregated");
    }
  }
}

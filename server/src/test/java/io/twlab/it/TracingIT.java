package io.twlab.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.twlab.proto.v1.V1.ConnectionTransition;
import io.twlab.proto.v1.V1.Lab;
import io.twlab.proto.v1.V1.LabSpec;
import io.twlab.proto.v1.V1.Node;
import io.twlab.proto.v1.V1.TcpState;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Exact transitions from the kernel tracepoint: every state of every connection on both ends,
 * attributed to the right lab; and, when the tracer cannot start, sampling that says so.
 */
class TracingIT {
  @RegisterExtension
  static final TwlabFixture twlab = new TwlabFixture();
  @RegisterExtension
  static final TwlabFixture untraced = new TwlabFixture().untraced();

  private static final int CONNECTIONS = 5;
  private static final int PORT = 7000;

  @Test
  void everyConnectionShowsEveryStateOnBothEndsAndOnlyInItsOwnLab() throws Exception {
    Lab lab = twlab.createLab(LabSpec.newBuilder().setTopology("direct").build());
    Lab neighbour = twlab.createLab(LabSpec.newBuilder().setTopology("direct").build());
    assertTrue(lab.getObservationMode().startsWith("tracing:"), lab.getObservationMode());
    try (LabWatch watch = LabWatch.of(twlab, lab); LabWatch other = LabWatch.of(twlab, neighbour)) {
      List<String> ports = connect(lab);
      connect(neighbour);

      String client = ip(lab, "client");
      String server = ip(lab, "server") + ":" + PORT;
      for (String port : ports) {
        String clientEnd = client + ":" + port;
        List<ConnectionTransition> clientSide = watch.await(t -> t.getNode().equals("client")
            && t.getLocal().equals(clientEnd), t -> t.getTo() == TcpState.TCP_STATE_TIME_WAIT);
        List<ConnectionTransition> serverSide = watch.await(t -> t.getNode().equals("server")
            && t.getLocal().equals(server) && t.getRemote().equals(clientEnd), t -> t.getTo() == TcpState.TCP_STATE_CLOSED);
        assertEquals("CLOSED>SYN_SENT SYN_SENT>ESTABLISHED ESTABLISHED>FIN_WAIT1 FIN_WAIT1>FIN_WAIT2 FIN_WAIT2>TIME_WAIT",
            sequence(clientSide), clientEnd);
        assertEquals("CLOSED>SYN_RECV SYN_RECV>ESTABLISHED ESTABLISHED>CLOSE_WAIT CLOSE_WAIT>LAST_ACK LAST_ACK>CLOSED",
            sequence(serverSide), clientEnd);
        assertTrue(clientSide.stream().allMatch(ConnectionTransition::getTraced), clientSide.toString());
        assertTrue(serverSide.stream().allMatch(ConnectionTransition::getTraced), serverSide.toString());
        assertTrue(clientSide.get(4).getTimeWaitRemaining().getSeconds() >= 58, "the kernel's timer at entry");
      }
      other.await(t -> t.getNode().equals("client"), t -> t.getTo() == TcpState.TCP_STATE_TIME_WAIT);
      assertOnlyOwnAddresses(watch, lab);
      assertOnlyOwnAddresses(other, neighbour);
    }
  }

  @Test
  void withoutTheTracerTheLabSaysItSamplesAndWhy() throws Exception {
    Lab lab = untraced.createLab(LabSpec.newBuilder().setTopology("direct").build());
    assertTrue(lab.getObservationMode().startsWith("sampling:"), lab.getObservationMode());
    assertTrue(lab.getObservationMode().contains("tracing is off (--tracer off)"), lab.getObservationMode());
    try (LabWatch watch = LabWatch.of(untraced, lab)) {
      String port = connect(lab).get(0);
      List<ConnectionTransition> clientSide = watch.await(t -> t.getNode().equals("client")
          && t.getLocal().endsWith(":" + port), t -> t.getTo() == TcpState.TCP_STATE_TIME_WAIT);
      assertTrue(clientSide.stream().noneMatch(ConnectionTransition::getTraced), clientSide.toString());
    }
  }

  /** Opens {@link #CONNECTIONS} connections from the client to an echo server; the client closes first. */
  private static List<String> connect(Lab lab) throws Exception {
    String server = TwlabFixture.container(lab, "server");
    TwlabFixture.docker("exec", "-d", server, "twlab-conn", "serve", "--port", String.valueOf(PORT), "--mode", "echo",
        "--max-seconds", "30");
    TwlabFixture.docker("exec", server, "sh", "-c",
        "for i in $(seq 50); do ss -ltnH | grep -q ':" + PORT + " ' && exit 0; sleep 0.1; done; exit 1");
    TwlabFixture.docker("exec", TwlabFixture.container(lab, "client"), "twlab-conn", "load", "--to",
        ip(lab, "server") + ":" + PORT, "--count", String.valueOf(CONNECTIONS), "--rate", "20", "--max-seconds", "10",
        "--payload", "hi", "--timeout", "2");
    List<String> ports = TwlabFixture.docker("exec", TwlabFixture.container(lab, "client"), "ss", "-tanH", "state",
        "time-wait", "( dport = :" + PORT + " )").stream().map(l -> l.trim().split("\\s+")[2].replaceAll(".*:", ""))
        .toList();
    assertEquals(CONNECTIONS, ports.size(), "the client's TIME_WAIT sockets: " + ports);
    return ports;
  }

  private static void assertOnlyOwnAddresses(LabWatch watch, Lab lab) {
    List<String> own = lab.getNodesList().stream().flatMap(n -> n.getAddressesList().stream()).map(a -> a.getIp()).toList();
    List<ConnectionTransition> foreign = watch.transitions().stream()
        .filter(t -> own.stream().noneMatch(ip -> t.getLocal().startsWith(ip + ":") || t.getLocal().startsWith("0.0.0.0:")
            || t.getLocal().startsWith("[")))
        .toList();
    assertEquals(List.of(), foreign, "transitions of another lab in " + lab.getId());
  }

  private static String ip(Lab lab, String node) {
    Node n = lab.getNodesList().stream().filter(x -> x.getName().equals(node)).findFirst().orElseThrow();
    return n.getAddresses(0).getIp();
  }

  private static String sequence(List<ConnectionTransition> transitions) {
    return transitions.stream().map(t -> t.getFrom().name().replace("TCP_STATE_", "") + ">"
        + t.getTo().name().replace("TCP_STATE_", "")).collect(Collectors.joining(" "));
  }
}

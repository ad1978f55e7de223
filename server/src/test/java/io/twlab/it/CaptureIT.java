package io.twlab.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.twlab.app.ServerSettings;
import io.twlab.capture.CapturedPacket;
import io.twlab.capture.PcapReader;
import io.twlab.proto.v1.V1.AddInstructorRequest;
import io.twlab.proto.v1.V1.CaptureChunk;
import io.twlab.proto.v1.V1.CaptureRequest;
import io.twlab.proto.v1.V1.DeleteLabRequest;
import io.twlab.proto.v1.V1.GetRunCaptureRequest;
import io.twlab.proto.v1.V1.GetRunLaddersRequest;
import io.twlab.proto.v1.V1.Lab;
import io.twlab.proto.v1.V1.LabSpec;
import io.twlab.proto.v1.V1.Ladder;
import io.twlab.proto.v1.V1.Run;
import io.twlab.proto.v1.V1.RunScenarioRequest;
import io.twlab.proto.v1.V1.RunState;
import io.twlab.proto.v1.V1.Rung;
import io.twlab.proto.v1.V1.TcpState;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Packets on the real kernel: a run's capture of S1 across a NAT gateway, the ladder of its
 * connection, captures on demand over gRPC and HTTP, and what a capture refuses.
 */
class CaptureIT {
  @RegisterExtension
  static final TwlabFixture twlab = new TwlabFixture().authenticated();

  private static Run runWithCapture(Lab lab) {
    Run run = twlab.grpc().runScenario(RunScenarioRequest.newBuilder().setLabId(lab.getId()).setScenario("nc-timewait")
        .putParams("capture", "true").setWait(true).build());
    assertEquals(RunState.RUN_STATE_SUCCEEDED, run.getState(), run.getError());
    return run;
  }

  private static byte[] bytes(Iterator<CaptureChunk> chunks) {
    ByteArrayOutputStream pcap = new ByteArrayOutputStream();
    chunks.forEachRemaining(c -> pcap.writeBytes(c.getData().toByteArray()));
    return pcap.toByteArray();
  }

  /** tcpdump -r, in a lab image (the host need not have tcpdump): the pcap is one it reads. */
  private static String tcpdumpRead(byte[] pcap) throws Exception {
    Process tcpdump = new ProcessBuilder("docker", "run", "--rm", "-i", "--network", "none", "--entrypoint", "tcpdump",
        "twlab/client:" + ServerSettings.defaults().imageTag(), "-nn", "-r", "-").redirectErrorStream(true).start();
    tcpdump.getOutputStream().write(pcap);
    tcpdump.getOutputStream().close();
    String text = new String(tcpdump.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(tcpdump.waitFor(60, TimeUnit.SECONDS), text);
    assertEquals(0, tcpdump.exitValue(), text);
    return text;
  }

  /** Whether {@code flags} holds {@code wanted} in this order, other packets (data) between them. */
  static boolean inOrder(List<String> flags, List<String> wanted) {
    int at = 0;
    for (String f : flags) {
      if (at < wanted.size() && f.equals(wanted.get(at))) {
        at++;
      }
    }
    return at == wanted.size();
  }

  private static final List<String> HANDSHAKE_AND_CLOSE = List.of("S", "S.", ".", "F.", ".", "F.", ".");

  @Test
  void aRunsCaptureShowsS1OnBothSidesOfTheGatewayWithTheTranslatedAddresses() throws Exception {
    Lab lab = twlab.createLab(LabSpec.newBuilder().setTopology("nat").setClients(1).build());
    Run run = runWithCapture(lab);
    String client = lab.getNodesList().stream().filter(n -> n.getName().startsWith("client")).findFirst().orElseThrow()
        .getName();
    String clientAddress = lab.getNodesList().stream().filter(n -> n.getName().equals(client)).findFirst().orElseThrow()
        .getAddresses(0).getIp();
    byte[] pcap = bytes(twlab.grpc().getRunCapture(GetRunCaptureRequest.newBuilder().setRunId(run.getId())
        .setNode("gateway").build()));
    List<CapturedPacket> packets = PcapReader.read(pcap);
    List<String> lan = new ArrayList<>();
    List<String> wan = new ArrayList<>();
    for (CapturedPacket p : packets) {
      boolean fromClient = p.source().startsWith(clientAddress + ":") || p.destination().startsWith(clientAddress + ":");
      (fromClient ? lan : wan).add(p.flags());
    }
    assertTrue(inOrder(lan, HANDSHAKE_AND_CLOSE), "the client's side of the gateway: " + lan);
    assertTrue(inOrder(wan, HANDSHAKE_AND_CLOSE), "the server's side, translated: " + wan);
    assertTrue(packets.stream().noneMatch(p -> !p.source().startsWith(clientAddress) && !p.destination()
        .startsWith(clientAddress) && (p.source().startsWith(clientAddress) || p.destination().startsWith(clientAddress))));
    String read = tcpdumpRead(pcap);
    assertTrue(read.contains("Flags [S]") && read.contains("Flags [F.]"), read);
    assertTrue(read.contains(clientAddress + "."), "tcpdump reads the client's address on the LAN side: " + read);
    twlab.grpc().deleteLab(DeleteLabRequest.newBuilder().setLabId(lab.getId()).build());
  }

  @Test
  void theLadderOfS1PutsEachCloseStateAtItsPacket() {
    Lab lab = twlab.createLab(LabSpec.newBuilder().setTopology("direct").build());
    Run run = runWithCapture(lab);
    List<Ladder> ladders = twlab.grpc().getRunLadders(GetRunLaddersRequest.newBuilder().setRunId(run.getId())
        .setNode("client").build()).getLaddersList();
    Ladder ladder = ladders.stream().filter(l -> l.getRungsList().stream().anyMatch(r -> r.getFlags().contains("F")))
        .findFirst().orElseThrow(() -> new AssertionError("no connection closed in " + ladders));
    List<Rung> fins = ladder.getRungsList().stream().filter(r -> r.getFlags().contains("F")).toList();
    assertEquals(2, fins.size(), ladder.toString());
    Rung first = fins.get(0);
    Rung second = fins.get(1);
    // The first FIN: its sender enters FIN_WAIT1, the receiver CLOSE_WAIT; the second: LAST_ACK and TIME_WAIT.
    assertEquals(List.of(TcpState.TCP_STATE_FIN_WAIT1), sender(first), ladder.toString());
    assertEquals(List.of(TcpState.TCP_STATE_CLOSE_WAIT), receiver(first), ladder.toString());
    assertTrue(sender(second).contains(TcpState.TCP_STATE_LAST_ACK), ladder.toString());
    assertTrue(receiver(second).contains(TcpState.TCP_STATE_TIME_WAIT), ladder.toString());
    assertTrue(ladder.getRungsList().stream().anyMatch(r -> r.getFlags().equals("S") && r.getFromA()
        && r.getAEnteredList().contains(TcpState.TCP_STATE_SYN_SENT)), ladder.toString());
    twlab.grpc().deleteLab(DeleteLabRequest.newBuilder().setLabId(lab.getId()).build());
  }

  private static List<TcpState> sender(Rung rung) {
    return rung.getFromA() ? rung.getAEnteredList() : rung.getBEnteredList();
  }

  private static List<TcpState> receiver(Rung rung) {
    return rung.getFromA() ? rung.getBEnteredList() : rung.getAEnteredList();
  }

  @Test
  void aCaptureOnDemandStreamsAPcapToItsOwnerOnlyWithinItsBoundsAndQuota() throws Exception {
    Lab lab = twlab.createLab(LabSpec.newBuilder().setTopology("direct").build());
    CompletableFuture<byte[]> live = CompletableFuture.supplyAsync(() -> bytes(twlab.grpc().capture(
        CaptureRequest.newBuilder().setLabId(lab.getId()).setNode("server").setSeconds(12).build())));
    Thread.sleep(1500);
    twlab.run(lab, "nc-timewait", Map.of());
    List<String> flags = PcapReader.read(live.get(1, TimeUnit.MINUTES)).stream().map(CapturedPacket::flags).toList();
    assertTrue(inOrder(flags, HANDSHAKE_AND_CLOSE), "the server's capture while S1 ran: " + flags);

    HttpResponse<byte[]> http = twlab.sendBytes(twlab.adminToken(), HttpRequest.newBuilder(URI.create(twlab.httpBase()
        + "/api/v1/labs/" + lab.getId() + "/capture?node=client&seconds=1&filter=tcp%20port%205000")));
    assertEquals(200, http.statusCode());
    assertEquals("application/vnd.tcpdump.pcap", http.headers().firstValue("Content-Type").orElse(""));
    tcpdumpRead(http.body());

    for (String hostile : List.of("port 5000; id", "$(id)", "tcp and `id`")) {
      HttpResponse<String> refused = twlab.send(twlab.adminToken(), HttpRequest.newBuilder(URI.create(twlab.httpBase()
          + "/api/v1/labs/" + lab.getId() + "/capture?node=client&filter=" + java.net.URLEncoder.encode(hostile,
          StandardCharsets.UTF_8))));
      assertEquals(400, refused.statusCode(), hostile + ": " + refused.body());
      assertTrue(refused.body().contains("\"field\":\"filter\""), refused.body());
    }
    assertEquals(Status.Code.INVALID_ARGUMENT, code(() -> bytes(twlab.grpc().capture(CaptureRequest.newBuilder()
        .setLabId(lab.getId()).setNode("client").setFilter("port banana").build()))));
    assertEquals(Status.Code.INVALID_ARGUMENT, code(() -> bytes(twlab.grpc().capture(CaptureRequest.newBuilder()
        .setLabId(lab.getId()).setNode("nowhere").build()))));
    assertEquals(Status.Code.INVALID_ARGUMENT, code(() -> bytes(twlab.grpc().capture(CaptureRequest.newBuilder()
        .setLabId(lab.getId()).setNode("client").setSeconds(301).build()))));

    String other = twlab.workshops(twlab.adminToken()).addInstructor(AddInstructorRequest.newBuilder().setName("Eve")
        .build()).getToken();
    assertEquals(Status.Code.NOT_FOUND, code(() -> bytes(twlab.as(Optional.of(other)).capture(CaptureRequest.newBuilder()
        .setLabId(lab.getId()).setNode("client").setSeconds(1).build()))));

    List<CompletableFuture<byte[]>> two = List.of(1, 2).stream().map(i -> CompletableFuture.supplyAsync(() -> bytes(
        twlab.grpc().capture(CaptureRequest.newBuilder().setLabId(lab.getId()).setNode("client").setSeconds(4)
            .build())))).toList();
    Thread.sleep(1500);
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, code(() -> bytes(twlab.grpc().capture(CaptureRequest.newBuilder()
        .setLabId(lab.getId()).setNode("client").setSeconds(1).build()))));
    for (CompletableFuture<byte[]> capture : two) {
      assertTrue(capture.get(1, TimeUnit.MINUTES).length >= 24, "a pcap has its header at least");
    }
    twlab.grpc().deleteLab(DeleteLabRequest.newBuilder().setLabId(lab.getId()).build());
  }

  private static Status.Code code(Runnable call) {
    try {
      call.run();
    } catch (StatusRuntimeException e) {
      return e.getStatus().getCode();
    }
    throw new AssertionError("the call was not refused");
  }
}

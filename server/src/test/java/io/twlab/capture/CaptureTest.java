package io.twlab.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.twlab.core.InvalidArgumentException;
import io.twlab.core.SocketChange;
import io.twlab.core.SocketKey;
import io.twlab.core.TcpState;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Pcap streams cut at packet boundaries, read back, and drawn as ladders; filters refused by name. */
class CaptureTest {
  private static final Instant T0 = Instant.parse("2026-12-03T12:00:00Z");
  private static final String CLIENT = "10.250.1.2:40000";
  private static final String SERVER = "10.250.1.3:5000";

  /** A pcap file as tcpdump -i any writes it (little-endian, Linux cooked v2), of these segments. */
  private static byte[] pcap(List<CapturedPacket> packets) {
    ByteBuffer header = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
    header.putInt(0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(262144).putInt(276);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(header.array());
    for (CapturedPacket p : packets) {
      ByteBuffer frame = ByteBuffer.allocate(20 + 20 + 20).order(ByteOrder.BIG_ENDIAN);
      frame.putShort(0, (short) 0x0800).put(10, (byte) (p.outgoing() ? 4 : 0));
      frame.put(20, (byte) 0x45).putShort(22, (short) 40).put(29, (byte) 6);
      frame.put(32, ip(p.source()), 0, 4).put(36, ip(p.destination()), 0, 4);
      frame.putShort(40, (short) port(p.source())).putShort(42, (short) port(p.destination()));
      frame.putInt(44, (int) p.seq()).putInt(48, (int) p.ack()).put(52, (byte) 0x50).put(53, bits(p.flags()));
      ByteBuffer record = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
      record.putInt((int) p.time().getEpochSecond()).putInt(p.time().getNano() / 1000).putInt(60).putInt(60);
      out.writeBytes(record.array());
      out.writeBytes(frame.array());
    }
    return out.toByteArray();
  }

  private static byte[] ip(String endpoint) {
    String[] octets = endpoint.split(":")[0].split("\\.");
    byte[] ip = new byte[4];
    for (int i = 0; i < 4; i++) {
      ip[i] = (byte) Integer.parseInt(octets[i]);
    }
    return ip;
  }

  private static int port(String endpoint) {
    return Integer.parseInt(endpoint.split(":")[1]);
  }

  private static byte bits(String flags) {
    int b = 0;
    b |= flags.contains("S") ? 0x02 : 0;
    b |= flags.contains("F") ? 0x01 : 0;
    b |= flags.contains("R") ? 0x04 : 0;
    b |= flags.contains("P") ? 0x08 : 0;
    b |= flags.contains(".") ? 0x10 : 0;
    return (byte) b;
  }

  private static CapturedPacket packet(long micros, boolean fromClient, String flags, long seq, long ack) {
    return new CapturedPacket(T0.plusNanos(micros * 1000), fromClient ? CLIENT : SERVER, fromClient ? SERVER : CLIENT,
        flags, seq, ack, 0, fromClient);
  }

  /** S1's connection: handshake, then the client closes first. */
  private static final List<CapturedPacket> S1 = List.of(
      packet(0, true, "S", 1000, 0), packet(100, false, "S.", 5000, 1001), packet(200, true, ".", 1001, 5001),
      packet(300_000, true, "F.", 1001, 5001), packet(300_100, false, ".", 5001, 1002),
      packet(500_000, false, "F.", 5001, 1002), packet(500_100, true, ".", 1002, 5002));

  private static SocketChange change(String local, String remote, long micros, TcpState from, TcpState to) {
    return new SocketChange("n", T0.plusNanos(micros * 1000), new SocketKey(local, remote), from, to, Optional.empty(),
        true);
  }

  @Test
  void aPcapIsReadBackWithItsFlagsEndsAndNumbers() {
    List<CapturedPacket> read = PcapReader.read(pcap(S1));
    assertEquals(S1.size(), read.size());
    for (int i = 0; i < S1.size(); i++) {
      assertEquals(S1.get(i).flags(), read.get(i).flags());
      assertEquals(S1.get(i).source(), read.get(i).source());
      assertEquals(S1.get(i).seq(), read.get(i).seq());
      assertEquals(S1.get(i).time(), read.get(i).time());
      assertEquals(S1.get(i).outgoing(), read.get(i).outgoing());
    }
  }

  @Test
  void aBudgetPassesWholeRecordsOnlyHoweverTheStreamIsCut() {
    byte[] file = pcap(S1);
    PcapBudget budget = new PcapBudget(24 + 3 * 76);
    ByteArrayOutputStream passed = new ByteArrayOutputStream();
    for (int at = 0; at < file.length; at += 7) {
      passed.writeBytes(budget.accept(Arrays.copyOfRange(file, at, Math.min(file.length, at + 7))));
    }
    assertTrue(budget.exhausted());
    assertEquals(24 + 3 * 76, passed.size());
    assertEquals(List.of("S", "S.", "."), PcapReader.read(passed.toByteArray()).stream().map(CapturedPacket::flags).toList());
  }

  @Test
  void theLadderPutsEachStateAtThePacketThatWentWithIt() {
    List<SocketChange> changes = new ArrayList<>(List.of(
        change(CLIENT, SERVER, -5, TcpState.CLOSED, TcpState.SYN_SENT),
        change(CLIENT, SERVER, 150, TcpState.SYN_SENT, TcpState.ESTABLISHED),
        change(SERVER, CLIENT, 250, TcpState.SYN_RECV, TcpState.ESTABLISHED),
        change(CLIENT, SERVER, 299_990, TcpState.ESTABLISHED, TcpState.FIN_WAIT1),
        change(SERVER, CLIENT, 300_050, TcpState.ESTABLISHED, TcpState.CLOSE_WAIT),
        change(CLIENT, SERVER, 300_150, TcpState.FIN_WAIT1, TcpState.FIN_WAIT2),
        change(SERVER, CLIENT, 499_995, TcpState.CLOSE_WAIT, TcpState.LAST_ACK),
        change(CLIENT, SERVER, 500_050, TcpState.FIN_WAIT2, TcpState.TIME_WAIT),
        change(SERVER, CLIENT, 500_150, TcpState.LAST_ACK, TcpState.CLOSED),
        change(CLIENT, SERVER, 60_500_000, TcpState.TIME_WAIT, TcpState.CLOSED)));
    Ladder ladder = Ladder.of("client", S1, changes, 10).get(0);
    assertEquals(CLIENT, ladder.a());
    List<Ladder.Rung> r = ladder.rungs();
    assertEquals(List.of(TcpState.SYN_SENT), r.get(0).aEntered());
    assertEquals(List.of(TcpState.ESTABLISHED), r.get(1).aEntered());
    assertEquals(List.of(TcpState.ESTABLISHED), r.get(2).bEntered());
    assertEquals(List.of(TcpState.FIN_WAIT1), r.get(3).aEntered());
    assertEquals(List.of(TcpState.CLOSE_WAIT), r.get(3).bEntered());
    assertEquals(List.of(TcpState.FIN_WAIT2), r.get(4).aEntered());
    assertEquals(List.of(TcpState.LAST_ACK), r.get(5).bEntered());
    assertEquals(List.of(TcpState.TIME_WAIT), r.get(5).aEntered());
    assertEquals(List.of(TcpState.CLOSED), r.get(6).bEntered());
    assertEquals(List.of(), r.get(6).aEntered(), "TIME_WAIT's end 60 s later is its timer's, not a packet's");
    assertEquals(1, r.get(3).seq());
    assertEquals(1, r.get(3).ack());
  }

  @Test
  void aSampledTimeWaitStampedAtItsDumpsEndGoesWithThePeersFin() {
    SocketChange traced = change(SERVER, CLIENT, 300_050, TcpState.ESTABLISHED, TcpState.CLOSE_WAIT);
    for (long stampMicros : List.of(499_000L, 500_000L, 580_000L)) {
      SocketChange sampled = new SocketChange("n", T0.plusNanos(stampMicros * 1000), new SocketKey(CLIENT, SERVER),
          TcpState.FIN_WAIT2, TcpState.TIME_WAIT, Optional.empty(), false);
      List<Ladder.Rung> r = Ladder.of("client", S1, List.of(sampled, traced), 10).get(0).rungs();
      assertEquals(List.of(TcpState.TIME_WAIT), r.get(5).aEntered(),
          "stamped at " + stampMicros + " µs (a dump's start in whole ms, up to a tick late): the server's FIN");
      assertEquals(List.of(TcpState.CLOSE_WAIT), r.get(3).bEntered(), "a traced change is exact: the FIN before it");
    }
  }

  @Test
  void aFilterTakesOnlyWhatPcapExpressionsUse() {
    assertEquals(List.of("tcp", "port", "5000", "and", "host", "10.250.1.3"),
        CaptureFilter.parse("filter", " tcp port 5000 and host 10.250.1.3 ").words());
    assertEquals(CaptureFilter.TCP, CaptureFilter.parse("filter", ""));
    for (String hostile : List.of("port 5000; id", "$(id)", "`id`", "tcp > /etc/x'", "a\nb")) {
      InvalidArgumentException refused = assertThrows(InvalidArgumentException.class,
          () -> CaptureFilter.parse("filter", hostile));
      assertEquals("filter", refused.violations().get(0).field(), hostile);
    }
  }
}

package io.twlab.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.twlab.core.TcpState;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SamplerParserTest {

  @Test
  void readsBatchesOfChangesAndKeepsTheTableAndCounts() {
    SamplerParser parser = new SamplerParser();
    NodeSockets sockets = new NodeSockets();
    List<String> lines = List.of(
        "S 1795329222876 9424662019667 4026532258",
        "C - LISTEN 0.0.0.0:5000 0.0.0.0:0 -1",
        "C - ESTABLISHED 10.0.0.2:40000 10.0.0.3:5000 -1",
        "E",
        "B 1795329223000 9424786143000",
        "C ESTABLISHED TIME_WAIT 10.0.0.2:40000 10.0.0.3:5000 59940",
        "C - CLOSE 10.0.0.2:40001 10.0.0.3:5000 -1",
        "K TcpExtTW 1",
        "K conntrack.insert_failed 2",
        "E 9424789500000");
    List<SamplerBatch> batches = lines.stream().map(parser::accept).flatMap(Optional::stream).toList();

    assertEquals(2, batches.size());
    assertEquals(Instant.ofEpochMilli(1795329222876L), batches.get(0).time());
    assertTrue(batches.get(0).baseline());
    assertEquals(4026532258L, batches.get(0).netns());
    assertEquals(Instant.ofEpochMilli(1795329223000L).plusNanos(3_357_000), batches.get(1).time(),
        "a batch's time is its dump's end: its start plus the dump's length");
    assertEquals(9424786143000L, batches.get(1).monotonicNanos());
    assertEquals(9424789500000L, batches.get(1).dumpedNanos(), "the dump's end");
    assertEquals(9424662019667L, batches.get(0).dumpedNanos(), "an end not given is the start");
    assertFalse(batches.get(1).baseline());
    assertEquals(Map.of(), batches.get(0).counterDeltas());
    assertEquals(Map.of("TcpExtTW", 1L, "conntrack.insert_failed", 2L), batches.get(1).counterDeltas());
    SocketDelta timeWait = batches.get(1).deltas().get(0);
    assertEquals(TcpState.ESTABLISHED, timeWait.from());
    assertEquals(TcpState.TIME_WAIT, timeWait.to());
    assertEquals(Optional.of(Duration.ofMillis(59940)), timeWait.timeWaitRemaining());
    assertEquals("10.0.0.3:5000", timeWait.socket().remote());

    batches.forEach(sockets::apply);
    assertEquals(Map.of(TcpState.TIME_WAIT, 1), sockets.counts());
  }

  @Test
  void aSocketThatDisappearsLeavesTheTable() {
    SamplerParser parser = new SamplerParser();
    NodeSockets sockets = new NodeSockets();
    for (String line : List.of("B 1", "C - TIME_WAIT a:1 b:2 100", "E", "B 2", "C TIME_WAIT - a:1 b:2 -1", "E")) {
      parser.accept(line).ifPresent(sockets::apply);
    }
    assertEquals(Map.of(), sockets.counts());
  }

  @Test
  void ignoresNoiseOutsideBatches() {
    SamplerParser parser = new SamplerParser();
    assertEquals(Optional.empty(), parser.accept("C - LISTEN a:1 b:2 -1"));
    assertEquals(Optional.empty(), parser.accept("E"));
    assertEquals(Optional.empty(), parser.accept("garbage"));
  }
}

package io.twlab.grading;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.twlab.core.FieldViolation;
import io.twlab.core.InvalidArgumentException;
import io.twlab.core.TcpState;
import io.twlab.grading.Comparison.Op;
import io.twlab.grading.Expectation.CounterDelta;
import io.twlab.grading.Expectation.EffectiveSysctl;
import io.twlab.grading.Expectation.ErrorCount;
import io.twlab.grading.Expectation.Sequence;
import io.twlab.grading.Expectation.StateCount;
import io.twlab.grading.Expectation.StateCount.When;
import io.twlab.grading.Expectation.StateDuration;
import io.twlab.grading.Experiment.Step;
import io.twlab.lab.TopologyKind;
import io.twlab.sysctl.SysctlPolicy;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ExperimentReaderTest {
  private static final SysctlPolicy POLICY = new SysctlPolicy();

  @Test
  void readsTheLabTheRunsAndEveryKindOfExpectation() {
    Experiment e = ExperimentReader.read("""
        name: short connections
        lab:
          topology: direct
          ttl: 30m
          nodes:
            client:
              sysctls:
                net.ipv4.tcp_max_tw_buckets: "5000"
        runs:
          - scenario: redis-flood
            params: {connections: 10000}
            expect:
              - count: client TIME_WAIT >= 4000 at peak
              - count: {node: server, state: TIME_WAIT, op: "==", value: 0}
              - sequence: {node: client, states: [FIN_WAIT1, FIN_WAIT2, TIME_WAIT]}
              - duration: {node: client, state: TIME_WAIT, op: "±", seconds: 60, tolerance: 2}
              - counter: {node: client, name: TcpExtTCPTimeWaitOverflow, op: ">", value: 0}
              - errors: {errno: EADDRNOTAVAIL, op: "==", value: 0}
              - sysctl: {node: client, name: net.ipv4.tcp_max_tw_buckets, value: "5000"}
        """, POLICY);

    assertEquals("short connections", e.name());
    assertEquals(TopologyKind.DIRECT, e.lab().topology());
    assertEquals(Map.of("client", Map.of("net.ipv4.tcp_max_tw_buckets", "5000")), e.lab().sysctls());
    assertEquals(1, e.steps().size());
    Experiment.Step step = e.steps().get(0);
    assertEquals("redis-flood", step.scenario());
    assertEquals(Map.of("connections", "10000"), step.params());
    assertEquals(List.of(
        new Expectation.StateCount("client", TcpState.TIME_WAIT, new Comparison(Op.AT_LEAST, 4000, 0), When.PEAK),
        new Expectation.StateCount("server", TcpState.TIME_WAIT, new Comparison(Op.EQUAL, 0, 0), When.END),
        new Expectation.Sequence("client", List.of(TcpState.FIN_WAIT1, TcpState.FIN_WAIT2, TcpState.TIME_WAIT)),
        new Expectation.StateDuration("client", TcpState.TIME_WAIT, new Comparison(Op.ABOUT, 60, 2)),
        new Expectation.CounterDelta("client", "TcpExtTCPTimeWaitOverflow", new Comparison(Op.MORE, 0, 0)),
        new Expectation.ErrorCount("EADDRNOTAVAIL", new Comparison(Op.EQUAL, 0, 0)),
        new Expectation.EffectiveSysctl("client", "net.ipv4.tcp_max_tw_buckets", "5000")), step.expectations());
    assertEquals("client TIME_WAIT >= 4000 at its peak", step.expectations().get(0).describe());
    assertEquals("client stays in TIME_WAIT for 60 ± 2 s", step.expectations().get(3).describe());
  }

  @Test
  void aLabWrittenOutAsNetworksAndNodesIsTheShapeItSpells() {
    Experiment e = ExperimentReader.read("""
        name: two clients behind a NAT
        lab:
          networks: [lan, wan]
          nodes:
            client1: {role: client, networks: [lan], sysctls: {net.ipv4.tcp_timestamps: "0"}}
            client2: {role: client, networks: [lan]}
            gateway: {role: gateway, networks: [wan, lan]}
            server: {role: server, networks: [wan]}
            redis: {role: redis, networks: [wan]}
        runs:
          - scenario: redis-flood
        """, POLICY);

    assertEquals(TopologyKind.NAT, e.lab().topology());
    assertEquals(2, e.lab().clients());
    assertEquals(Map.of("net.ipv4.tcp_timestamps", "0"), e.lab().sysctls().get("client1"));
  }

  @Test
  void aWrittenOutLabThatNoBuiltInShapeMatchesIsRefusedNodeByNode() {
    String serverOnTheLan = """
          networks: [lan, wan]
          nodes:
            client1: {role: client, networks: [lan]}
            gateway: {role: gateway, networks: [lan, wan]}
            server: {role: server, networks: [lan]}
            db: {role: redis, networks: [wan]}
        """;
    assertEquals(Map.of(
            "lab.topology", "line 3: a lab written out as networks and nodes takes its topology from them; remove this line"),
        refusedLab("  topology: nat\n" + serverOnTheLan));
    assertEquals(Map.of(
            "lab.nodes[extra].role", "line 9: unknown role 'router'; use one of client, server, gateway, redis",
            "lab.nodes[extra].networks", "line 9: missing"),
        refusedLab(serverOnTheLan + "    extra: {role: router}\n"));
    assertEquals(Map.of(
            "lab.nodes[server].networks", "line 7: in the nat shape (there is a gateway) server joins [wan]",
            "lab.nodes[db]", "line 8: the nat shape (there is a gateway) has no node 'db'; its nodes are "
                + "client1 (client on lan), gateway (gateway on lan, wan), server (server on wan), redis (redis on wan)",
            "lab.nodes", "line 5: the nat shape (there is a gateway) needs the node redis (redis on wan)"),
        refusedLab(serverOnTheLan));
  }

  /** The violations of a file with this lab block (indented by two) and one run. */
  private static Map<String, String> refusedLab(String lab) {
    return fields(assertThrows(InvalidArgumentException.class, () -> ExperimentReader.read(
        "name: routed\nlab:\n" + lab + "runs:\n  - scenario: redis-flood\n", POLICY)));
  }

  private static Map<String, String> fields(InvalidArgumentException e) {
    return e.violations().stream().collect(java.util.stream.Collectors.toMap(FieldViolation::field,
        FieldViolation::reason));
  }

  @Test
  void aSweepMakesOneCellPerCombinationAndExpectationsCanApplyToSomeCells() {
    Experiment e = ExperimentReader.read("""
        name: reuse matrix
        lab: {topology: direct}
        sweep:
          sysctls:
            client:
              net.ipv4.tcp_tw_reuse: [0, 1]
              net.ipv4.tcp_timestamps: [0, 1]
          params:
            rate: [60]
        runs:
          - scenario: port-exhaustion
            expect:
              - errors: {errno: EADDRNOTAVAIL, op: "==", value: 0}
                where: {tcp_tw_reuse: 1, client.net.ipv4.tcp_timestamps: 1}
              - count: narrow-client TIME_WAIT >= 1 at 2.5s
        """, POLICY);

    List<Map<String, String>> cells = e.cells();
    assertEquals(4, cells.size());
    assertEquals(Map.of("client.net.ipv4.tcp_tw_reuse", "0", "client.net.ipv4.tcp_timestamps", "1", "rate", "60"),
        cells.get(1));
    assertEquals(Map.of("client", Map.of("net.ipv4.tcp_tw_reuse", "1", "net.ipv4.tcp_timestamps", "1")),
        e.labIn(cells.get(3)).sysctls());
    assertEquals(Map.of("rate", "60"), e.paramsIn(e.steps().get(0), cells.get(0), java.util.Set.of("rate", "ports")));
    assertEquals(Map.of(), e.paramsIn(e.steps().get(0), cells.get(0), java.util.Set.of("ports")));
    Experiment.Step step = e.steps().get(0);
    assertEquals(1, step.expectationsIn(cells.get(0)).size());
    assertEquals(2, step.expectationsIn(cells.get(3)).size());
    assertEquals("narrow-client TIME_WAIT >= 1 2.5 s into the run", step.expectations().get(1).describe());
  }

  @Test
  void badSweepsAreNamedWithTheirLines() {
    InvalidArgumentException refused = assertThrows(InvalidArgumentException.class, () -> ExperimentReader.read("""
        name: bad sweep
        lab: {topology: direct}
        sweep:
          sysctls:
            client:
              net.ipv4.tcp_tw_reuse: [0, 7]
        runs:
          - scenario: port-exhaustion
            expect:
              - errors: {errno: EADDRNOTAVAIL, value: 0}
                where: {tcp_timestamps: 1}
              - count: client TIME_WAIT >= 1 at noon
        """, POLICY));

    List<String> fields = refused.violations().stream().map(FieldViolation::field).toList();
    assertEquals(List.of("runs[0].expect[0].where[tcp_timestamps]", "runs[0].expect[1].count"), fields.subList(0, 2));
    assertEquals("sweep.sysctls[client][net.ipv4.tcp_tw_reuse][1]", fields.get(2));
    assertEquals("line 6: value 7 is out of range: must be between 0 and 2",
        refused.violations().get(2).reason());
  }

  @Test
  void jsonIsReadToo() {
    Experiment e = ExperimentReader.read("""
        {"name": "s1", "lab": {"topology": "nat", "clients": 2},
         "runs": [{"scenario": "nc-timewait", "expect": [{"count": "client1 TIME_WAIT >= 1"}]}]}
        """, POLICY);
    assertEquals(2, e.lab().clients());
    assertEquals("nc-timewait", e.steps().get(0).scenario());
  }

  @Test
  void everyBadFieldIsNamedWithItsLine() {
    InvalidArgumentException refused = assertThrows(InvalidArgumentException.class, () -> ExperimentReader.read("""
        name: broken
        lab:
          topology: direct
          colour: blue
        runs:
          - scenario: redis-flood
            expect:
              - count: client TIME_WAITING >= 10
              - duration: {node: server, state: CLOSE_WAIT, op: "=>", seconds: 30}
              - sequence: {node: client, states: [TIME_WAIT]}
              - errors: {errno: addrnotavail, value: 1}
              - count: {node: client, state: TIME_WAIT}
        """, POLICY));

    assertEquals(List.of(
        new FieldViolation("lab.colour", "line 4: unknown field; expected one of clients, networks, nodes, snat_port_range, topology, ttl"),
        new FieldViolation("runs[0].expect[0].count", "line 8: 'TIME_WAITING' is not a TCP state (ESTABLISHED, TIME_WAIT, CLOSE_WAIT, ...)"),
        new FieldViolation("runs[0].expect[1].duration.op", "line 9: '=>' is not one of < <= == >= > ±"),
        new FieldViolation("runs[0].expect[2].sequence.states", "line 10: needs at least two states in the order they must come"),
        new FieldViolation("runs[0].expect[3].errors.errno", "line 11: 'addrnotavail' is not an errno name such as EADDRNOTAVAIL"),
        new FieldViolation("runs[0].expect[4].count.value", "line 12: missing")), refused.violations());
  }

  @Test
  void theLabIsCheckedAsCreateLabChecksItWithTheFilesLines() {
    InvalidArgumentException refused = assertThrows(InvalidArgumentException.class, () -> ExperimentReader.read("""
        name: recycle
        lab:
          topology: direct
          nodes:
            client:
              sysctls:
                net.ipv4.tcp_tw_recycle: "1"
        runs:
          - scenario: tw-reuse
        """, POLICY));
    FieldViolation v = refused.violations().get(0);
    assertEquals("lab.nodes[client].sysctls[net.ipv4.tcp_tw_recycle]", v.field());
    assertEquals(true, v.reason().startsWith("line 7: "), v.reason());
  }

  @Test
  void notYamlAtAllSaysWhere() {
    InvalidArgumentException refused = assertThrows(InvalidArgumentException.class,
        () -> ExperimentReader.read("name: x\nlab: [\nruns: ]]\n", POLICY));
    assertEquals("experiment", refused.violations().get(0).field());
    assertEquals(true, refused.violations().get(0).reason().startsWith("line "), refused.violations().get(0).reason());
    assertThrows(InvalidArgumentException.class, () -> ExperimentReader.read("", POLICY));
  }
}

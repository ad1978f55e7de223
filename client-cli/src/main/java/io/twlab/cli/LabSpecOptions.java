package io.twlab.cli;

import com.google.protobuf.Duration;
import io.twlab.proto.v1.V1.LabSpec;
import io.twlab.proto.v1.V1.NodeConfig;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** The options that describe a lab, shared by {@code labs create} and {@code run}. */
final class LabSpecOptions {
  @Spec(Spec.Target.MIXEE)
  CommandSpec command;

  @Option(names = {"-t", "--topology"},
      description = "direct or nat (default: direct, or for `run` the first topology the scenario runs on)")
  String topology;

  @Option(names = "--clients", description = "nat: number of clients (1-8)")
  int clients;

  @Option(names = "--snat-ports", paramLabel = "A-B", description = "nat: the gateway's SNAT source port pool")
  String snatPorts;

  @Option(names = "--set", paramLabel = "NODE.KEY=VALUE",
      description = "a sysctl for a node or role, e.g. --set client.net.ipv4.tcp_fin_timeout=5 (repeatable)")
  List<String> sysctls = new ArrayList<>();

  @Option(names = "--ttl", paramLabel = "SECONDS", description = "lab lifetime in seconds (default 7200)")
  long ttlSeconds;

  /** The topology asked for, else {@code fallback}. */
  String topology(String fallback) {
    return topology != null ? topology : fallback;
  }

  LabSpec toSpec(String fallbackTopology) {
    LabSpec.Builder spec = LabSpec.newBuilder().setTopology(topology(fallbackTopology)).setClients(clients);
    if (snatPorts != null) {
      spec.setSnatPortRange(snatPorts);
    }
    if (ttlSeconds > 0) {
      spec.setTtl(Duration.newBuilder().setSeconds(ttlSeconds));
    }
    for (String setting : sysctls) {
      int dot = setting.indexOf('.');
      int eq = setting.indexOf('=');
      if (dot <= 0 || eq < dot) {
        throw new ParameterException(command.commandLine(),
            "--set '" + setting + "' must be NODE.KEY=VALUE, e.g. client.net.ipv4.tcp_fin_timeout=5");
      }
      String node = setting.substring(0, dot);
      NodeConfig existing = spec.getNodesOrDefault(node, NodeConfig.getDefaultInstance());
      spec.putNodes(node, existing.toBuilder()
          .putSysctls(setting.substring(dot + 1, eq), setting.substring(eq + 1)).build());
    }
    return spec.build();
  }
}

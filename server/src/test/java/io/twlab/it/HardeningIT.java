package io.twlab.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.twlab.proto.v1.V1.Lab;
import io.twlab.proto.v1.V1.LabSpec;
import io.twlab.proto.v1.V1.LabStatus;
import io.twlab.proto.v1.V1.Node;
import io.twlab.proto.v1.V1.NodeConfig;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What a lab node may use and reach, read back from the engine: its limits and capabilities, the
 * tracer's, and that no node reaches the host or the control plane (listening on every address)
 * while nodes still reach each other.
 */
class HardeningIT {
  @RegisterExtension
  static final TwlabFixture twlab = new TwlabFixture().everyAddress();

  private static Lab lab;

  @BeforeAll
  static void natLab() {
    lab = twlab.createLab(LabSpec.newBuilder().setTopology("nat").setClients(1)
        .putNodes("client", NodeConfig.newBuilder().putSysctls("net.ipv4.ip_local_port_range", "40000-40100").build())
        .build());
  }

  @Test
  void everyNodeHasLimitsAndOnlyItsRolesCapabilities() throws Exception {
    for (Node node : lab.getNodesList()) {
      String container = TwlabFixture.container(lab, node.getName());
      assertEquals(List.of(64L * 1024 * 1024 + " 256 1000000000 [ALL] [no-new-privileges] false"),
          inspect(container, "{{.HostConfig.Memory}} {{.HostConfig.PidsLimit}} {{.HostConfig.NanoCpus}} "
              + "{{.HostConfig.CapDrop}} {{.HostConfig.SecurityOpt}} {{.HostConfig.ReadonlyRootfs}}"), node.getName());
      assertEquals(node.getRole().equals("gateway") ? Set.of("NET_ADMIN", "NET_RAW", "SETGID", "SETUID")
          : Set.of("NET_RAW", "SETGID", "SETUID"), capabilities(container), node.getName());
    }
    // The host observer sees the host's processes (to reach each node's namespace), but has no network
    // (the engine turns SELinux labels off for a container in the host's PID namespace).
    String observer = "twlab-observer-" + twlab.owner;
    assertEquals(List.of("[ALL] [no-new-privileges label=disable] true none map[/tmp:rw,noexec,nosuid,size="
        + 16 * 1024 * 1024 + "] " + 256L * 1024 * 1024 + " 64 host"), inspect(observer, "{{.HostConfig.CapDrop}} "
        + "{{.HostConfig.SecurityOpt}} {{.HostConfig.ReadonlyRootfs}} {{.HostConfig.NetworkMode}} "
        + "{{.HostConfig.Tmpfs}} {{.HostConfig.Memory}} {{.HostConfig.PidsLimit}} {{.HostConfig.PidMode}}"));
    assertEquals(Set.of("IPC_LOCK", "SYS_ADMIN", "SYS_PTRACE"), capabilities(observer));
    for (String network : TwlabFixture.docker("network", "ls", "-q", "--filter", "label=io.twlab.lab=" + lab.getId())) {
      assertEquals(List.of("true true"), TwlabFixture.docker("network", "inspect", "--format",
          "{{.Internal}} {{index .Options \"com.docker.network.bridge.inhibit_ipv4\"}}", network));
    }
  }

  @Test
  void aPortRangeWrittenWithADashReachesTheKernelInItsOwnSyntax() throws Exception {
    assertEquals(LabStatus.LAB_STATUS_READY, lab.getStatus());
    assertEquals(List.of("40000\t40100"), TwlabFixture.docker("exec", TwlabFixture.container(lab, "client1"),
        "cat", "/proc/sys/net/ipv4/ip_local_port_range"));
  }

  @Test
  void aNodeReachesNeitherTheHostNorTheControlPlaneButReachesTheOtherNodes() throws Exception {
    Set<String> hostAddresses = hostAddresses();
    for (String address : hostAddresses) {
      try (Socket control = new Socket()) {
        control.connect(new InetSocketAddress(address, twlab.httpPort()), 2000);
      }
    }
    Set<String> targets = new LinkedHashSet<>(hostAddresses);
    for (Node node : lab.getNodesList()) {
      node.getAddressesList().forEach(a -> targets.add(a.getIp().replaceFirst("\\.\\d+$", ".1")));
    }
    List<String> probes = new ArrayList<>();
    for (String address : targets) {
      for (int port : List.of(twlab.httpPort(), twlab.grpcPort())) {
        probes.add("(nc -z -w 2 " + address + " " + port + " && echo REACHED " + address + ":" + port + ") &");
      }
    }
    for (String node : List.of("client1", "gateway")) {
      List<String> reached = TwlabFixture.docker("exec", TwlabFixture.container(lab, node), "sh", "-c",
          String.join(" ", probes) + " wait");
      assertEquals(List.of(), reached, node + " probed " + targets + " on the HTTP and gRPC ports");
    }
    String gatewayLan = lab.getNodesList().stream().filter(n -> n.getName().equals("gateway")).findFirst()
        .orElseThrow().getAddressesList().stream().filter(a -> a.getNetwork().equals("lan")).findFirst()
        .orElseThrow().getIp();
    assertEquals(List.of("PONG"), TwlabFixture.docker("exec", TwlabFixture.container(lab, "client1"),
        "redis-cli", "-h", gatewayLan, "ping"), "a client reaches redis through the gateway");
  }

  /** This host's IPv4 addresses other than loopback: where the control plane listens besides 127.0.0.1. */
  private static Set<String> hostAddresses() throws Exception {
    return Collections.list(NetworkInterface.getNetworkInterfaces()).stream()
        .flatMap(i -> Collections.list(i.getInetAddresses()).stream())
        .filter(a -> a instanceof Inet4Address && !a.isLoopbackAddress())
        .map(a -> a.getHostAddress()).collect(Collectors.toCollection(LinkedHashSet::new));
  }

  private static Set<String> capabilities(String container) throws Exception {
    String added = inspect(container, "{{.HostConfig.CapAdd}}").get(0);
    return Set.of(added.substring(1, added.length() - 1).split(" "));
  }

  private static List<String> inspect(String container, String format) throws Exception {
    return TwlabFixture.docker("inspect", "--format", format, container);
  }
}

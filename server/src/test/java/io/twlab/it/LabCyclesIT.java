package io.twlab.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.twlab.proto.v1.V1.DeleteLabRequest;
import io.twlab.proto.v1.V1.Lab;
import io.twlab.proto.v1.V1.LabSpec;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Labs made and deleted over and over leave nothing behind: no container, network or subnet on the
 * engine, no memory in the server (bench/run.sh cycles does 200).
 */
class LabCyclesIT {
  private static final int CYCLES = 50;

  @RegisterExtension
  static final TwlabFixture twlab = new TwlabFixture();

  @Test
  void fiftyCreateDeleteCyclesLeakNothing() throws Exception {
    cycle(); // the first lab starts the host observer and warms the server's code up
    TreeSet<String> subnetsBefore = subnets();
    long heapBefore = heapAfterGc();
    for (int i = 0; i < CYCLES; i++) {
      cycle();
    }
    long heapAfter = heapAfterGc();

    assertEquals(List.of(), TwlabFixture.dockerObjects("io.twlab.owner=" + twlab.owner));
    assertEquals(subnetsBefore, subnets(), "the engine's networks are as before");
    assertTrue(heapAfter <= heapBefore * 1.10, "heap after a full GC: " + heapBefore / 1024 + " KiB before, "
        + heapAfter / 1024 + " KiB after " + CYCLES + " cycles");
  }

  private static void cycle() {
    Lab lab = twlab.createLab(LabSpec.newBuilder().setTopology("nat").build());
    twlab.grpc().deleteLab(DeleteLabRequest.newBuilder().setLabId(lab.getId()).build());
    twlab.forget(lab.getId());
  }

  private static TreeSet<String> subnets() throws Exception {
    TreeSet<String> subnets = new TreeSet<>();
    for (String network : TwlabFixture.docker("network", "ls", "-q")) {
      subnets.addAll(TwlabFixture.docker("network", "inspect", "-f", "{{range .IPAM.Config}}{{.Subnet}} {{end}}",
          network));
    }
    return subnets;
  }

  /** The heap in use once garbage is collected (the server runs in this JVM). */
  private static long heapAfterGc() throws InterruptedException {
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(200);
      used = Math.min(used, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
    }
    return used;
  }
}

package io.twlab.app;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Hands out /24 subnets from a /16 pool that overlap neither each other nor any network the
 * engine already has, so that labs side by side never collide.
 */
final class SubnetAllocator {
  private final int poolBase;
  private final Supplier<Set<String>> existing;
  private final Set<Integer> reserved = new HashSet<>();

  /** {@code pool} is the first two octets, e.g. "10.213". */
  SubnetAllocator(String pool, Supplier<Set<String>> existing) {
    String[] octets = pool.split("\\.");
    this.poolBase = (Integer.parseInt(octets[0]) << 24) | (Integer.parseInt(octets[1]) << 16);
    this.existing = existing;
  }

  synchronized List<String> allocate(int count) {
    List<long[]> used = existing.get().stream().map(SubnetAllocator::range).filter(r -> r != null).toList();
    List<String> chosen = new ArrayList<>();
    for (int third = 0; third < 256 && chosen.size() < count; third++) {
      long start = Integer.toUnsignedLong(poolBase | (third << 8));
      long end = start + 255;
      boolean free = !reserved.contains(third) && used.stream().noneMatch(r -> r[0] <= end && start <= r[1]);
      if (free) {
        reserved.add(third);
        chosen.add(toText(start) + "/24");
      }
    }
    if (chosen.size() < count) {
      release(chosen);
      throw new IllegalStateException("no free /24 subnet left in the lab pool: delete some labs");
    }
    return chosen;
  }

  synchronized void release(List<String> subnets) {
    for (String subnet : subnets) {
      long[] r = range(subnet);
      if (r != null) {
        reserved.remove((int) ((r[0] >> 8) & 0xff));
      }
    }
  }

  /** [first, last] address of an IPv4 CIDR, or null for anything else (IPv6). */
  static long[] range(String cidr) {
    String[] parts = cidr.split("/");
    String[] octets = parts[0].split("\\.");
    if (parts.length != 2 || octets.length != 4) {
      return null;
    }
    long address = 0;
    for (String octet : octets) {
      address = (address << 8) | Integer.parseInt(octet);
    }
    int prefix = Integer.parseInt(parts[1]);
    long size = 1L << (32 - prefix);
    long first = address & ~(size - 1) & 0xffffffffL;
    return new long[] {first, first + size - 1};
  }

  private static String toText(long address) {
    return ((address >> 24) & 0xff) + "." + ((address >> 16) & 0xff) + "." + ((address >> 8) & 0xff) + "." + (address & 0xff);
  }
}

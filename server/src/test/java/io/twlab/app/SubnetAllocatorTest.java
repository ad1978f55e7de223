package io.twlab.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SubnetAllocatorTest {

  @Test
  void skipsSubnetsTheEngineHasAndOnesAlreadyHandedOut() {
    Set<String> existing = new HashSet<>(Set.of("10.213.0.0/24", "172.17.0.0/16", "10.213.2.128/25", "fd00::/64"));
    SubnetAllocator allocator = new SubnetAllocator("10.213", () -> existing);
    assertEquals(List.of("10.213.1.0/24", "10.213.3.0/24"), allocator.allocate(2));
    assertEquals(List.of("10.213.4.0/24"), allocator.allocate(1));
    allocator.release(List.of("10.213.1.0/24"));
    assertEquals(List.of("10.213.1.0/24"), allocator.allocate(1));
  }

  @Test
  void aWiderNetworkCoveringThePoolLeavesNothing() {
    SubnetAllocator allocator = new SubnetAllocator("10.213", () -> Set.of("10.0.0.0/8"));
    assertThrows(IllegalStateException.class, () -> allocator.allocate(1));
  }
}

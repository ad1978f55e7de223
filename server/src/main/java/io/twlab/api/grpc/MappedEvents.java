package io.twlab.api.grpc;

import io.twlab.api.ProtoMapper;
import io.twlab.event.LabEvent;
import io.twlab.proto.v1.V1;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Maps each event of a lab's log to its message once for all its watchers: a flood's hundred
 * thousand events go to hundreds of them. The watchers of a log read the same event objects, so
 * an event is found again by identity; a slot taken by another event is mapped anew.
 */
final class MappedEvents {
  private static final int SLOTS = 16_384;

  private final AtomicReferenceArray<Mapped> slots = new AtomicReferenceArray<>(SLOTS);

  private record Mapped(LabEvent event, V1.LabEvent message) {}

  V1.LabEvent of(LabEvent event) {
    int slot = Math.floorMod(31 * event.labId().hashCode() + Long.hashCode(event.sequence()), SLOTS);
    Mapped mapped = slots.get(slot);
    if (mapped != null && mapped.event() == event) {
      return mapped.message();
    }
    V1.LabEvent message = ProtoMapper.event(event);
    slots.set(slot, new Mapped(event, message));
    return message;
  }
}

package io.twlab.api.grpc;

import com.google.protobuf.ByteString;
import io.twlab.api.ProtoMapper;
import io.twlab.event.LabEvent;
import io.twlab.proto.v1.V1;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Maps each event of a lab's log once for all its watchers, and encodes it once for all batches:
 * a flood's hundred thousand events go to hundreds of them. The watchers of a log read the same
 * event objects, so an event (and its message) is found again by identity; a slot taken by
 * another event is mapped and encoded anew.
 */
final class MappedEvents {
  private static final int SLOTS = 16_384;

  private final AtomicReferenceArray<Mapped> slots = new AtomicReferenceArray<>(SLOTS);

  private record Mapped(LabEvent event, V1.LabEvent message, ByteString encoded) {
    Mapped encodedOnce() {
      return encoded != null ? this : new Mapped(event, message, message.toByteString());
    }
  }

  V1.LabEvent of(LabEvent event) {
    int slot = slot(event.labId(), event.sequence());
    Mapped mapped = slots.get(slot);
    if (mapped != null && mapped.event() == event) {
      return mapped.message();
    }
    V1.LabEvent message = ProtoMapper.event(event);
    slots.set(slot, new Mapped(event, message, null));
    return message;
  }

  /** The message's encoding, made once for every batch that carries it (WatchLab needs none). */
  ByteString encoded(V1.LabEvent message) {
    int slot = slot(message.getLabId(), message.getSequence());
    Mapped mapped = slots.get(slot);
    if (mapped == null || mapped.message() != message) {
      return message.toByteString();
    }
    Mapped encoded = mapped.encodedOnce();
    slots.compareAndSet(slot, mapped, encoded);
    return encoded.encoded();
  }

  private static int slot(String labId, long sequence) {
    return Math.floorMod(31 * labId.hashCode() + Long.hashCode(sequence), SLOTS);
  }
}

package io.twlab.event;

import java.time.Instant;

/** One entry of a lab's event log. */
public record LabEvent(long sequence, String labId, Instant time, EventPayload payload) {}

package io.twlab.identity;

import java.time.Instant;

/**
 * One call that changed something, or was refused: who (empty when no credential worked), from
 * where, in which workshop, what they asked (the API and call), on what (a lab, run, workshop or
 * principal id; empty when none), and how it ended (OK, or the error's kind).
 */
public record AuditEntry(Instant at, String principalId, String principalName, String workshopId, String address,
    String action, String target, String outcome) {}

package io.twlab.observe;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * A socket of a node changed state. {@code traced}: the kernel reported it when it happened
 * (tracepoint); otherwise a sample found it, up to one sampling interval late.
 */
public record Transition(Instant time, String local, String remote, TcpState from, TcpState to,
    Optional<Duration> timeWaitRemaining, boolean traced) {}

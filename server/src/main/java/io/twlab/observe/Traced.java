package io.twlab.observe;

/** What the kernel tracer reports, in the network namespace {@code netns} at kernel time {@code monotonicNanos}. */
public sealed interface Traced permits TraceEvent, ResetSent {
  long monotonicNanos();

  long netns();
}

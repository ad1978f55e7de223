package io.twlab.runtime;

/** One kind of call to the container engine since the start: how many, and their time in all. */
public record EngineCall(String operation, long count, long totalNanos) {}

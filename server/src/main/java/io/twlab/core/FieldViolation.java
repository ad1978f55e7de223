package io.twlab.core;

/** One bad field of a request: its path (as the client wrote it) and what is wrong with it. */
public record FieldViolation(String field, String reason) {}

package io.twlab.scenario;

/**
 * What a student's program did in a run, part of the run's outcome: the slot it filled, its
 * language and size, how it ended and the last lines it wrote.
 */
public record ProgramReport(String slot, String language, int bytes, String ended, String output) {}

package io.twlab.scenario;

/** What a run measured: one human sentence and the typed figures. */
public record ScenarioResult(String summary, ScenarioOutcome outcome) {}

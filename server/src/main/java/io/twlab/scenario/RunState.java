package io.twlab.scenario;

/** INTERRUPTED: the server stopped (or died) while the run was in progress; its error says which. */
public enum RunState { RUNNING, SUCCEEDED, FAILED, INTERRUPTED }

package io.twlab.scenario;

public enum RunState { RUNNING, SUCCEEDED, FAILED }

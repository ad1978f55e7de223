package io.twlab.app;

/** The use cases the API adapters translate to: gRPC and HTTP take this one bundle. */
public record TwlabServices(Labs labs, Runs runs, EventStreams events, ExperimentService experiments,
    Access access, Classrooms classrooms, Courses courses, Captures captures, Shells shells) {}

package io.twlab.lab;

public enum LabStatus { CREATING, READY, DELETING, DELETED, FAILED }

package io.twlab.identity;

/** What a caller may do: the server's admin, a workshop's instructor, a student's seat, a grading platform. */
public enum Role {
  ADMIN, INSTRUCTOR, STUDENT, SUBMITTER
}

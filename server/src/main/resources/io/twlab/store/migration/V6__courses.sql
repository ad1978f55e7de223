-- Assignments: an instructor's experiment with marks, settings and predictions. A change is a new
-- version; the old ones are kept, as the jobs graded by them name them.
CREATE TABLE assignments (
  id            TEXT NOT NULL,
  version       INTEGER NOT NULL,
  name          TEXT NOT NULL,
  instructor_id TEXT NOT NULL,
  -- The workshop whose students may read and submit ('' for none: platforms and the instructor only).
  workshop_id   TEXT NOT NULL,
  due_ms        INTEGER NOT NULL,
  created_ms    INTEGER NOT NULL,
  text          TEXT NOT NULL,
  PRIMARY KEY (id, version)
);
CREATE INDEX assignments_by_instructor ON assignments (instructor_id);
CREATE INDEX assignments_by_workshop ON assignments (workshop_id);

-- A grading platform's submit-only credential is scoped to one assignment.
CREATE TABLE platform_credentials (
  principal_id  TEXT PRIMARY KEY REFERENCES principals (id) ON DELETE CASCADE,
  assignment_id TEXT NOT NULL,
  instructor_id TEXT NOT NULL
);

-- The grading queue: every job from the moment it is accepted, and its scorecard once graded.
CREATE TABLE jobs (
  id                 TEXT PRIMARY KEY,
  assignment_id      TEXT NOT NULL,
  assignment_version INTEGER NOT NULL,
  submitter_id       TEXT NOT NULL,
  student            TEXT NOT NULL,
  state              TEXT NOT NULL,
  submitted_ms       INTEGER NOT NULL,
  started_ms         INTEGER,
  finished_ms        INTEGER,
  submission         TEXT NOT NULL,
  lab_id             TEXT NOT NULL,
  run_ids            TEXT NOT NULL,
  scorecard_json     TEXT,
  error              TEXT NOT NULL
);
CREATE INDEX jobs_by_assignment ON jobs (assignment_id, submitted_ms DESC);
CREATE INDEX jobs_by_state ON jobs (state);

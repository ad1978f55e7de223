-- The programs a submission brought (course grading 2/2), one row per program slot, kept with its
-- job so that a queued job is graded after a restart, and pruned with it.
CREATE TABLE job_programs (
  job_id    TEXT NOT NULL,
  name      TEXT NOT NULL,
  -- As the client named it ('' when it left that to the file's first bytes or name).
  language  TEXT NOT NULL,
  file_name TEXT NOT NULL,
  content   BLOB NOT NULL,
  PRIMARY KEY (job_id, name)
);

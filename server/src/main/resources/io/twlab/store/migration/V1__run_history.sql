-- Finished runs: the domain records as JSON, with the columns runs are listed and filtered by.
CREATE TABLE runs (
  id           TEXT PRIMARY KEY,
  lab_id       TEXT NOT NULL,
  scenario     TEXT NOT NULL,
  state        TEXT NOT NULL,
  started_ms   INTEGER NOT NULL,
  run_json     TEXT NOT NULL,
  sysctls_json TEXT NOT NULL,
  experiment   TEXT NOT NULL DEFAULT '',
  verdicts_json TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX runs_by_start ON runs (started_ms DESC);
CREATE INDEX runs_by_lab ON runs (lab_id, started_ms DESC);

-- Each run's events in order, replayable through WatchLab.
CREATE TABLE run_events (
  run_id       TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  sequence     INTEGER NOT NULL,
  at           TEXT NOT NULL,
  payload_json TEXT NOT NULL,
  PRIMARY KEY (run_id, sequence)
) WITHOUT ROWID;

-- Workshops: an instructor's class, joined with a code of which only the hash is kept.
CREATE TABLE workshops (
  id             TEXT PRIMARY KEY,
  name           TEXT NOT NULL,
  -- An instructor's principal id, or the admin's (or the developer's, without authentication).
  instructor_id  TEXT NOT NULL,
  seats          INTEGER NOT NULL,
  ends_ms        INTEGER NOT NULL,
  code_hash      TEXT NOT NULL UNIQUE,
  ended_ms       INTEGER
);
CREATE INDEX workshops_by_instructor ON workshops (instructor_id);

-- A student's seat belongs to one workshop.
ALTER TABLE principals ADD COLUMN workshop_id TEXT REFERENCES workshops (id);
CREATE INDEX principals_by_workshop ON principals (workshop_id);

-- Who changed what, and which calls were refused; only ever appended to.
CREATE TABLE audit (
  seq            INTEGER PRIMARY KEY AUTOINCREMENT,
  at_ms          INTEGER NOT NULL,
  principal_id   TEXT NOT NULL,
  principal_name TEXT NOT NULL,
  workshop_id    TEXT NOT NULL,
  address        TEXT NOT NULL,
  action         TEXT NOT NULL,
  target         TEXT NOT NULL,
  outcome        TEXT NOT NULL
);
CREATE INDEX audit_by_principal ON audit (principal_id, seq DESC);
CREATE INDEX audit_by_workshop ON audit (workshop_id, seq DESC);

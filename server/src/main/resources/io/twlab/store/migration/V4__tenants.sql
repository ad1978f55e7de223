-- Whose each run is: the principal that started it and its workshop ('' when none). Runs recorded
-- before twlab had identities belong to nobody: only the admin sees them.
ALTER TABLE runs ADD COLUMN owner_id TEXT NOT NULL DEFAULT '';
ALTER TABLE runs ADD COLUMN workshop_id TEXT NOT NULL DEFAULT '';
CREATE INDEX runs_by_owner ON runs (owner_id, started_ms DESC);
CREATE INDEX runs_by_workshop ON runs (workshop_id, started_ms DESC);

-- What each seat of a workshop may hold at once, and the scenarios its students may run
-- (comma-separated; '' for all).
ALTER TABLE workshops ADD COLUMN seat_labs INTEGER NOT NULL DEFAULT 2;
ALTER TABLE workshops ADD COLUMN seat_nodes INTEGER NOT NULL DEFAULT 16;
ALTER TABLE workshops ADD COLUMN seat_runs INTEGER NOT NULL DEFAULT 1;
ALTER TABLE workshops ADD COLUMN seat_watchers INTEGER NOT NULL DEFAULT 8;
ALTER TABLE workshops ADD COLUMN seat_sweep_cells INTEGER NOT NULL DEFAULT 24;
ALTER TABLE workshops ADD COLUMN scenarios TEXT NOT NULL DEFAULT '';

-- The packets a run kept (its `capture` parameter): one pcap file per node of its lab, removed with
-- the run when the history is pruned.
CREATE TABLE run_captures (
  run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  node   TEXT NOT NULL,
  pcap   BLOB NOT NULL,
  PRIMARY KEY (run_id, node)
);

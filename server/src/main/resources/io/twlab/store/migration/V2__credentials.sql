-- Who may call the server, and the hashes of their bearer tokens (never the tokens).
CREATE TABLE principals (
  id         TEXT PRIMARY KEY,
  role       TEXT NOT NULL,
  name       TEXT NOT NULL,
  revoked_ms INTEGER
);

CREATE TABLE tokens (
  hash         TEXT PRIMARY KEY,
  principal_id TEXT NOT NULL REFERENCES principals (id) ON DELETE CASCADE,
  expires_ms   INTEGER NOT NULL
);
CREATE INDEX tokens_by_principal ON tokens (principal_id);

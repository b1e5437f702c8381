-- Terminals and their credentials. A terminal is enrolled with a one-time code printed
-- by `loyalty-server terminal enroll`, and exchanges it for a 256-bit credential that
-- only the terminal knows: the server keeps its SHA-256, never the credential.

CREATE TABLE terminals (
  id                TEXT PRIMARY KEY,
  store_id          TEXT NOT NULL REFERENCES stores(id),
  name              TEXT NOT NULL,
  credential_sha256 TEXT NOT NULL UNIQUE,
  status            TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'revoked')),
  enrolled_at       INTEGER NOT NULL,
  revoked_at        INTEGER,
  last_seen_at      INTEGER,
  backlog           INTEGER,  -- sales waiting in its journal, from its last heartbeat
  software_version  TEXT
) WITHOUT ROWID;
CREATE INDEX terminals_by_store ON terminals(store_id);

CREATE TABLE enrollment_codes (
  code_sha256 TEXT PRIMARY KEY,
  store_id    TEXT NOT NULL REFERENCES stores(id),
  created_at  INTEGER NOT NULL,
  expires_at  INTEGER NOT NULL,
  used_at     INTEGER,
  terminal_id TEXT
) WITHOUT ROWID;

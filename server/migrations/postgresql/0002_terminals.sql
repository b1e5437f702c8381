-- Terminals and their credentials (as migrations/sqlite/0002_terminals.sql). The server
-- keeps only SHA-256 hashes of enrollment codes and credentials.

CREATE TABLE terminals (
  id                TEXT COLLATE "C" PRIMARY KEY,
  store_id          TEXT NOT NULL REFERENCES stores(id),
  name              TEXT NOT NULL,
  credential_sha256 TEXT NOT NULL UNIQUE,
  status            TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'revoked')),
  enrolled_at       BIGINT NOT NULL,
  revoked_at        BIGINT,
  last_seen_at      BIGINT,
  backlog           BIGINT,  -- sales waiting in its journal, from its last heartbeat
  software_version  TEXT
);
CREATE INDEX terminals_by_store ON terminals(store_id);

CREATE TABLE enrollment_codes (
  code_sha256 TEXT COLLATE "C" PRIMARY KEY,
  store_id    TEXT NOT NULL REFERENCES stores(id),
  created_at  BIGINT NOT NULL,
  expires_at  BIGINT NOT NULL,
  used_at     BIGINT,
  terminal_id TEXT
);

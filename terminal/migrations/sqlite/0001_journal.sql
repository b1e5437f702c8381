-- Loyalty POS terminal journal, version 1 (SQLite). Times are Unix seconds, UTC.

-- Every finished sale, written with synchronous=FULL before its receipt prints.
CREATE TABLE sales (
  seq          INTEGER PRIMARY KEY AUTOINCREMENT,  -- upload order
  id           TEXT NOT NULL UNIQUE,               -- the purchase UUID
  body         TEXT NOT NULL,                      -- the purchase JSON as uploaded
  finished_at  INTEGER NOT NULL,
  state        TEXT NOT NULL DEFAULT 'pending'
               CHECK (state IN ('pending', 'uploaded', 'rejected')),
  attempts     INTEGER NOT NULL DEFAULT 0,
  last_error   TEXT,
  uploaded_at  INTEGER,
  ack          TEXT                                -- the server's answer
);
CREATE INDEX sales_pending ON sales(state, seq);

-- The last good copy of the server's catalog, so the terminal sells while offline.
CREATE TABLE catalog_products (
  sku  TEXT PRIMARY KEY,
  json TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;

-- Store manager portal: accounts, their stores, login sessions and the audit log.

CREATE TABLE portal_users (
  id            INTEGER PRIMARY KEY,
  email         TEXT NOT NULL UNIQUE,          -- lower-cased: logins ignore case
  name          TEXT NOT NULL,
  role          TEXT NOT NULL CHECK (role IN ('admin', 'store_manager', 'analyst')),
  password_hash TEXT NOT NULL,                 -- scrypt, PHC string (auth/password.h)
  created_at    INTEGER NOT NULL,
  disabled_at   INTEGER
);

-- The stores a store manager may see; admins and analysts see the whole chain.
CREATE TABLE portal_user_stores (
  user_id  INTEGER NOT NULL REFERENCES portal_users(id),
  store_id TEXT NOT NULL REFERENCES stores(id),
  PRIMARY KEY (user_id, store_id)
) WITHOUT ROWID;

-- A session is its cookie's SHA-256: a copy of the database gives nobody a login.
CREATE TABLE portal_sessions (
  token_hash   TEXT PRIMARY KEY,
  user_id      INTEGER NOT NULL REFERENCES portal_users(id),
  csrf_token   TEXT NOT NULL,
  created_at   INTEGER NOT NULL,
  expires_at   INTEGER NOT NULL,
  remote_address TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX portal_sessions_by_user ON portal_sessions(user_id);

-- Every manager action, appended, never updated.
CREATE TABLE audit_log (
  seq         INTEGER PRIMARY KEY,
  at          INTEGER NOT NULL,
  user_id     INTEGER REFERENCES portal_users(id),  -- null: the command line
  action      TEXT NOT NULL,                        -- e.g. "login", "customer.merge"
  target      TEXT NOT NULL,                        -- what it acted on, e.g. "customer:42"
  detail      TEXT NOT NULL,                        -- JSON
  remote_address TEXT NOT NULL
);
CREATE INDEX audit_log_by_user ON audit_log(user_id, at);

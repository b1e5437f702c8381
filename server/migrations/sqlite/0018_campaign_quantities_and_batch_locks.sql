-- Campaigns of every discount type (loyalty/domain/campaign.h): buy_x_get_y names the
-- items to buy and to get, free_item the items it gives. 0 for the other types, which
-- is what every campaign stored before this migration is.
ALTER TABLE campaigns ADD COLUMN buy_quantity INTEGER NOT NULL DEFAULT 0;
ALTER TABLE campaigns ADD COLUMN get_quantity INTEGER NOT NULL DEFAULT 0;

-- One row per batch job that must not run twice at once (`loyalty-batch coupons`: two
-- runs planning together would each spend a campaign's remaining budget). The row names
-- its holder so the second run can say who holds it; the holder rewrites heartbeat_at
-- while it works, and a row whose heartbeat is older than the taker's staleness limit
-- was left by a killed run and is taken over. A row, not a file lock, because the runs
-- may be on different machines sharing one PostgreSQL database; the same table on both
-- engines keeps one implementation of the rules (storage/*_batch_locks.cc).
CREATE TABLE batch_locks (
  name         TEXT PRIMARY KEY,    -- the job, e.g. "coupons"
  token        TEXT NOT NULL,       -- random per holder: only it heartbeats or releases
  host         TEXT NOT NULL,
  pid          INTEGER NOT NULL,
  detail       TEXT NOT NULL,       -- what it runs, e.g. "coupons --date 2026-12-05"
  started_at   INTEGER NOT NULL,    -- Unix seconds, UTC
  heartbeat_at INTEGER NOT NULL
) WITHOUT ROWID;

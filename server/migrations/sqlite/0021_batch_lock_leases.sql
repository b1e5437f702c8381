-- The batch lock as a lease (batch/run_lock.h, docs/targeting.md "One run at a time").
-- Before, a taker judged the holder's heartbeat (whole seconds) by the taker's own
-- staleness limit, so a run given a shorter --lock-stale could take a live run's lock.
-- Now the holder writes when its lease ends, each heartbeat extending it by the holder's
-- own lease length, in milliseconds; a taker may take only a lease that has ended.
-- A row left by a run before this migration keeps the old default staleness (120 s).
ALTER TABLE batch_locks ADD COLUMN heartbeat_ms INTEGER NOT NULL DEFAULT 0;  -- Unix ms, UTC
ALTER TABLE batch_locks ADD COLUMN lease_ms INTEGER NOT NULL DEFAULT 120000;
ALTER TABLE batch_locks ADD COLUMN expires_ms INTEGER NOT NULL DEFAULT 0;    -- Unix ms, UTC
UPDATE batch_locks SET heartbeat_ms = heartbeat_at * 1000,
  expires_ms = heartbeat_at * 1000 + 120000;

-- Every coupon this till redeemed, written in the same transaction as its sale, so a
-- coupon is never applied twice here, whether the server has heard of the sale or not.
CREATE TABLE coupon_ledger (
  coupon_id   TEXT PRIMARY KEY,
  sale_id     TEXT NOT NULL,
  redeemed_at INTEGER NOT NULL   -- Unix seconds, UTC
) WITHOUT ROWID;
CREATE INDEX coupon_ledger_by_time ON coupon_ledger(redeemed_at);

-- Returns, and the per-product side of the customer profile.

-- A return refers to the purchase it takes back, nets out of the profile, and voids the
-- unredeemed coupons that purchase earned (so buying, earning and returning pays nothing).
CREATE TABLE returns (
  seq                   INTEGER PRIMARY KEY,
  id                    TEXT NOT NULL UNIQUE,   -- UUID made at the terminal: idempotency key
  original_purchase_seq INTEGER NOT NULL REFERENCES purchases(seq),
  customer_id           INTEGER REFERENCES customers(id),
  store_id              TEXT NOT NULL,
  terminal_id           TEXT NOT NULL,
  occurred_at           INTEGER NOT NULL,
  received_at           INTEGER NOT NULL,
  refund_minor          INTEGER NOT NULL,
  body_sha256           TEXT NOT NULL
);
CREATE INDEX returns_by_purchase ON returns(original_purchase_seq);

CREATE TABLE return_lines (
  return_seq   INTEGER NOT NULL REFERENCES returns(seq),
  line_no      INTEGER NOT NULL,
  customer_id  INTEGER,
  sku          TEXT NOT NULL,
  quantity     INTEGER NOT NULL,
  amount_minor INTEGER NOT NULL,
  PRIMARY KEY (return_seq, line_no)
) WITHOUT ROWID;

ALTER TABLE coupons ADD COLUMN voided_at INTEGER;
ALTER TABLE coupons ADD COLUMN void_reason TEXT;

-- What each customer buys, product by product: count, last time, and a score that halves
-- every 30 days without a purchase (score = score * 0.5^(days/30) + quantity), so recent
-- habits outweigh old ones without rescanning history.
CREATE TABLE customer_product_stats (
  customer_id    INTEGER NOT NULL REFERENCES customers(id),
  sku            TEXT NOT NULL,
  quantity       INTEGER NOT NULL,
  purchases      INTEGER NOT NULL,
  last_bought_at INTEGER NOT NULL,
  score          REAL NOT NULL,
  score_at       INTEGER NOT NULL,
  PRIMARY KEY (customer_id, sku)
) WITHOUT ROWID;

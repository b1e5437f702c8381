-- The nightly batch's offers (loyalty-batch coupons): one row per run date, campaign,
-- customer and rank (the customer's n-th offer of that campaign in that run). Treated
-- rows name the coupon they issued; held-out rows (control) keep the offer the customer
-- would have had, so the report compares like with like. The key is what makes a rerun of
-- a date store nothing new and a run killed half way resume: it can never give a
-- customer more offers of a campaign in one run than the plan's ranks.
CREATE TABLE campaign_offers (
  run_date                TEXT NOT NULL,     -- YYYY-MM-DD, UTC
  campaign_id             TEXT NOT NULL,
  customer_id             INTEGER NOT NULL REFERENCES customers(id),
  offer_rank              INTEGER NOT NULL,
  sku                     TEXT NOT NULL,
  control                 INTEGER NOT NULL CHECK (control IN (0, 1)),
  depth_percent           INTEGER NOT NULL,
  discount_minor          INTEGER NOT NULL,
  probability             REAL NOT NULL,     -- P(buy at the next visit), no coupon
  probability_with_coupon REAL NOT NULL,
  expected_cost_minor     REAL NOT NULL,
  expected_value_minor    REAL NOT NULL,     -- expected incremental margin
  coupon_id               TEXT,              -- NULL: held out, or the customer has no active card
  created_at              INTEGER NOT NULL,
  PRIMARY KEY (run_date, campaign_id, customer_id, offer_rank)
) WITHOUT ROWID;
CREATE INDEX campaign_offers_by_campaign ON campaign_offers(campaign_id, customer_id);

-- One row per batch run date: when it started and finished, and its summary (JSON).
CREATE TABLE batch_runs (
  run_date    TEXT PRIMARY KEY,
  started_at  INTEGER NOT NULL,
  finished_at INTEGER,
  summary     TEXT
) WITHOUT ROWID;

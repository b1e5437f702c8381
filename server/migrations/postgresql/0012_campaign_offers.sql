-- The nightly batch's offers (loyalty-batch coupons): one row per run date, campaign,
-- customer and rank (the customer's n-th offer of that campaign in that run). Treated
-- rows name the coupon they issued; held-out rows (control) keep the offer the customer
-- would have had, so the report compares like with like. The key is what makes a rerun of
-- a date store nothing new and a run killed half way resume: it can never give a
-- customer more offers of a campaign in one run than the plan's ranks.
CREATE TABLE campaign_offers (
  run_date                TEXT COLLATE "C" NOT NULL,     -- YYYY-MM-DD, UTC
  campaign_id             TEXT NOT NULL,
  customer_id             BIGINT NOT NULL REFERENCES customers(id),
  offer_rank              BIGINT NOT NULL,
  sku                     TEXT NOT NULL,
  control                 BIGINT NOT NULL CHECK (control IN (0, 1)),
  depth_percent           BIGINT NOT NULL,
  discount_minor          BIGINT NOT NULL,
  probability             DOUBLE PRECISION NOT NULL,     -- P(buy at the next visit), no coupon
  probability_with_coupon DOUBLE PRECISION NOT NULL,
  expected_cost_minor     DOUBLE PRECISION NOT NULL,
  expected_value_minor    DOUBLE PRECISION NOT NULL,     -- expected incremental margin
  coupon_id               TEXT,              -- NULL: held out, or the customer has no active card
  created_at              BIGINT NOT NULL,
  PRIMARY KEY (run_date, campaign_id, customer_id, offer_rank)
);
CREATE INDEX campaign_offers_by_campaign ON campaign_offers(campaign_id, customer_id);

-- One row per batch run date: when it started and finished, and its summary (JSON).
CREATE TABLE batch_runs (
  run_date    TEXT PRIMARY KEY,
  started_at  BIGINT NOT NULL,
  finished_at BIGINT,
  summary     TEXT
);

-- Next-visit coupons chosen at every purchase from the nightly batch's scored offers
-- (targeting/scored_offer_planner.h, docs/targeting.md "At every purchase").
--
-- next_visit_candidates: per customer and running next_visit campaign, the nightly run's
-- best priced offers (at most a handful), which a purchase re-prices and chooses from.
-- Keyed by the run's date too, so a run writes its candidates beside the previous run's
-- (purchases keep using those) and switches over at once when it sets the campaign's
-- run_date below; a rerun of a date stores nothing twice. The customer id leads the key:
-- the purchase reads one customer's rows by it.
CREATE TABLE next_visit_candidates (
  customer_id          BIGINT NOT NULL REFERENCES customers(id),
  campaign_id          TEXT NOT NULL,
  run_date             TEXT COLLATE "C" NOT NULL,     -- YYYY-MM-DD, UTC
  candidate_rank       BIGINT NOT NULL,  -- 0: the best value for cost at the run
  sku                  TEXT NOT NULL,
  name                 TEXT NOT NULL,     -- the product's, for the coupon's title
  category             TEXT NOT NULL,
  unit_price_minor     BIGINT NOT NULL,
  margin_rate          DOUBLE PRECISION NOT NULL,
  probability          DOUBLE PRECISION NOT NULL,     -- P(buy at the next visit), no coupon, at the run
  gap_visits           DOUBLE PRECISION NOT NULL,     -- mean visits between the customer's purchases of it; 0: unknown
  depth_percent        BIGINT NOT NULL,  -- as the run priced it
  expected_cost_minor  DOUBLE PRECISION NOT NULL,
  expected_value_minor DOUBLE PRECISION NOT NULL,
  PRIMARY KEY (customer_id, campaign_id, run_date, candidate_rank)
);

-- What each campaign has spent (expected cost of its treated offers, the batch's and the
-- purchases'), kept by every writer of campaign_offers in the same transaction, and for
-- next_visit campaigns the nightly run's shadow price and whose candidates are current.
-- A purchase reads and updates its campaigns' rows, so a budget is checked against what
-- was spent up to that very purchase.
CREATE TABLE campaign_budgets (
  campaign_id  TEXT PRIMARY KEY,
  spent_minor  DOUBLE PRECISION NOT NULL,
  issued       BIGINT NOT NULL,
  shadow_price DOUBLE PRECISION NOT NULL,
  run_date     TEXT COLLATE "C",                    -- the run whose candidates purchases use; NULL: none
  updated_at   BIGINT NOT NULL
);
INSERT INTO campaign_budgets(campaign_id, spent_minor, issued, shadow_price, updated_at)
  SELECT campaign_id, SUM(CASE WHEN control = 0 THEN expected_cost_minor ELSE 0 END),
  SUM(1 - control), 0, extract(epoch from now())::bigint
  FROM campaign_offers GROUP BY campaign_id;

-- Offers made at a purchase go to campaign_offers beside the batch's (so the report and
-- the budgets count them alike), under the purchase's UTC date, the purchase that made
-- them, and a rank below zero that cannot meet a batch rank: -(seq × 100 + n + 1).
-- target_category: a category offer (the fallback for a customer with no candidates).
ALTER TABLE campaign_offers ADD COLUMN purchase_seq BIGINT;
ALTER TABLE campaign_offers ADD COLUMN target_category TEXT;

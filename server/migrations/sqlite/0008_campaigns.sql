-- Campaigns: what the marketing team allows the targeting to offer, to whom, for how long
-- and for how much (loyalty/domain/campaign.h, whose codec checks every field first).
--
-- The targets (products or categories a campaign may discount) are a JSON array column,
-- checked to be an array, rather than a child table: they are always read and written
-- with their campaign and never queried alone, a campaign has a handful of them, and an
-- edit replaces them whole, so one row per campaign keeps an update a single statement
-- and the copy by `loyalty-server migrate` a single table.

CREATE TABLE campaigns (
  id                   TEXT PRIMARY KEY,   -- slug, e.g. "winback-2026-12"
  name                 TEXT NOT NULL,
  kind                 TEXT NOT NULL CHECK (kind IN ('next_visit', 'win_back', 'birthday',
                         'anniversary', 'category_push', 'new_product_trial')),
  starts_at            INTEGER NOT NULL,   -- Unix seconds, UTC
  ends_at              INTEGER NOT NULL,   -- exclusive
  targets              TEXT NOT NULL       -- [{"target":"product"|"category","value":...}]
                         CHECK (json_valid(targets) AND json_type(targets) = 'array'),
  target_segment       TEXT CHECK (target_segment IN ('champions', 'loyal',
                         'potential_loyalists', 'new', 'at_risk', 'cant_lose', 'hibernating',
                         'lost')),         -- null: every customer
  discount_type        TEXT NOT NULL CHECK (discount_type IN ('percent_off', 'amount_off',
                         'buy_x_get_y', 'free_item')),
  min_depth            INTEGER NOT NULL,
  max_depth            INTEGER NOT NULL,
  max_discount_minor   INTEGER NOT NULL,   -- per coupon; 0: no cap
  min_spend_minor      INTEGER NOT NULL,
  budget_minor         INTEGER NOT NULL,
  budget_coupons       INTEGER NOT NULL,   -- 0: no count limit
  per_customer_cap     INTEGER NOT NULL,
  validity_days        INTEGER NOT NULL,
  control_basis_points INTEGER NOT NULL CHECK (control_basis_points BETWEEN 0 AND 4999),
  paused               INTEGER NOT NULL CHECK (paused IN (0, 1)),
  created_at           INTEGER NOT NULL,
  updated_at           INTEGER NOT NULL,
  created_by           INTEGER REFERENCES portal_users(id),  -- null: the command line
  CHECK (ends_at > starts_at),
  CHECK (max_depth >= min_depth)
);
-- The batch asks for the campaigns running now: those not yet ended.
CREATE INDEX campaigns_by_end ON campaigns(ends_at);

-- Campaigns (as migrations/sqlite/0008_campaigns.sql). Chain-level data, not a
-- customer's: on Citus a reference table (docs/scaling.md).
--
-- The targets are a JSON array column, checked to be an array, rather than a child
-- table: they are always read and written with their campaign and never queried alone, a
-- campaign has a handful of them, and an edit replaces them whole. TEXT rather than
-- JSONB so the column holds the same bytes as SQLite's and `loyalty-server migrate`
-- verifies it by checksum; `paused` is an INTEGER 0/1 for the same reason.

CREATE TABLE campaigns (
  id                   TEXT COLLATE "C" PRIMARY KEY,  -- slug, e.g. "winback-2026-12"
  name                 TEXT NOT NULL,
  kind                 TEXT NOT NULL CHECK (kind IN ('next_visit', 'win_back', 'birthday',
                         'anniversary', 'category_push', 'new_product_trial')),
  starts_at            BIGINT NOT NULL,   -- Unix seconds, UTC
  ends_at              BIGINT NOT NULL,   -- exclusive
  targets              TEXT NOT NULL      -- [{"target":"product"|"category","value":...}]
                         CHECK (jsonb_typeof(targets::jsonb) = 'array'),
  target_segment       TEXT CHECK (target_segment IN ('champions', 'loyal',
                         'potential_loyalists', 'new', 'at_risk', 'cant_lose', 'hibernating',
                         'lost')),        -- null: every customer
  discount_type        TEXT NOT NULL CHECK (discount_type IN ('percent_off', 'amount_off',
                         'buy_x_get_y', 'free_item')),
  min_depth            BIGINT NOT NULL,
  max_depth            BIGINT NOT NULL,
  max_discount_minor   BIGINT NOT NULL,   -- per coupon; 0: no cap
  min_spend_minor      BIGINT NOT NULL,
  budget_minor         BIGINT NOT NULL,
  budget_coupons       BIGINT NOT NULL,   -- 0: no count limit
  per_customer_cap     BIGINT NOT NULL,
  validity_days        BIGINT NOT NULL,
  control_basis_points BIGINT NOT NULL CHECK (control_basis_points BETWEEN 0 AND 4999),
  paused               INTEGER NOT NULL CHECK (paused IN (0, 1)),
  created_at           BIGINT NOT NULL,
  updated_at           BIGINT NOT NULL,
  created_by           BIGINT REFERENCES portal_users(id),  -- null: the command line
  CHECK (ends_at > starts_at),
  CHECK (max_depth >= min_depth)
);
-- The batch asks for the campaigns running now: those not yet ended.
CREATE INDEX campaigns_by_end ON campaigns(ends_at);

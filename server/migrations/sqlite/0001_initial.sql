-- Loyalty POS server schema, version 1 (SQLite).
-- Money is INTEGER minor units; times are INTEGER Unix seconds, UTC.
-- Every customer-owned table carries customer_id, so a PostgreSQL deployment can
-- distribute them by customer.

CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;
INSERT INTO meta(key, value) VALUES ('catalog_version', '0'), ('currency', 'USD');

CREATE TABLE stores (
  id         TEXT PRIMARY KEY,
  name       TEXT NOT NULL,
  currency   TEXT NOT NULL,
  created_at INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE products (
  sku          TEXT PRIMARY KEY,
  name         TEXT NOT NULL,
  department   TEXT NOT NULL,
  category     TEXT NOT NULL,
  product_type TEXT NOT NULL,
  brand        TEXT NOT NULL,
  package_size TEXT NOT NULL,
  price_minor  INTEGER NOT NULL CHECK (price_minor >= 0),
  couponable   INTEGER NOT NULL DEFAULT 1,
  version      INTEGER NOT NULL  -- catalog version of the last change to this row
) WITHOUT ROWID;
CREATE INDEX products_by_version ON products(version);

CREATE TABLE customers (
  id                INTEGER PRIMARY KEY,
  created_at        INTEGER NOT NULL,
  visits            INTEGER NOT NULL DEFAULT 0,
  total_spend_minor INTEGER NOT NULL DEFAULT 0,
  first_visit_at    INTEGER,
  last_visit_at     INTEGER
);

CREATE TABLE cards (
  number      TEXT PRIMARY KEY,
  customer_id INTEGER NOT NULL REFERENCES customers(id),
  status      TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'blocked')),
  issued_at   INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX cards_by_customer ON cards(customer_id);

-- Purchases, their lines and coupons are keyed by an increasing integer so that inserts
-- append to the end of each B-tree; the UUIDs sit in unique indexes. Keyed by UUID, each
-- purchase would dirty pages all over the tables, and ingestion would pay for it.
CREATE TABLE purchases (
  seq            INTEGER PRIMARY KEY,
  id             TEXT NOT NULL UNIQUE,      -- UUID made at the terminal: idempotency key
  customer_id    INTEGER REFERENCES customers(id),
  card_number    TEXT,
  store_id       TEXT NOT NULL,
  terminal_id    TEXT NOT NULL,
  occurred_at    INTEGER NOT NULL,
  received_at    INTEGER NOT NULL,
  currency       TEXT NOT NULL,
  subtotal_minor INTEGER NOT NULL,
  discount_minor INTEGER NOT NULL,
  total_minor    INTEGER NOT NULL,
  body_sha256    TEXT NOT NULL              -- tells a replay from a reused UUID
);
CREATE INDEX purchases_by_customer ON purchases(customer_id, occurred_at);

CREATE TABLE purchase_lines (
  purchase_seq     INTEGER NOT NULL REFERENCES purchases(seq),
  line_no          INTEGER NOT NULL,
  customer_id      INTEGER,
  sku              TEXT NOT NULL,
  category         TEXT,                    -- from the catalog when the sale was stored
  known_sku        INTEGER NOT NULL,        -- 0: not in the catalog; stored, never dropped
  quantity         INTEGER NOT NULL,
  unit_price_minor INTEGER NOT NULL,
  amount_minor     INTEGER NOT NULL,
  PRIMARY KEY (purchase_seq, line_no)
) WITHOUT ROWID;

-- Profile aggregates, updated in the purchase's own transaction.
CREATE TABLE customer_category_stats (
  customer_id    INTEGER NOT NULL REFERENCES customers(id),
  category       TEXT NOT NULL,
  spend_minor    INTEGER NOT NULL,
  items          INTEGER NOT NULL,
  last_bought_at INTEGER NOT NULL,
  PRIMARY KEY (customer_id, category)
) WITHOUT ROWID;

-- A coupon's signed token is not stored: Ed25519 signatures are deterministic, so the
-- server signs a coupon's fields whenever it hands the coupon out (same fields, same
-- token), and signing stays off the single writer thread.
CREATE TABLE coupons (
  seq                  INTEGER PRIMARY KEY,
  id                   TEXT NOT NULL UNIQUE,
  customer_id          INTEGER NOT NULL REFERENCES customers(id),
  card_number          TEXT NOT NULL,
  campaign             TEXT NOT NULL,
  title                TEXT NOT NULL,
  target               TEXT NOT NULL CHECK (target IN ('product', 'category', 'basket')),
  target_value         TEXT NOT NULL,
  discount_type        TEXT NOT NULL CHECK (discount_type IN ('percent_off', 'amount_off')),
  discount_value       INTEGER NOT NULL,
  min_spend_minor      INTEGER NOT NULL,
  max_discount_minor   INTEGER NOT NULL,
  currency             TEXT NOT NULL,
  issued_at            INTEGER NOT NULL,
  expires_at           INTEGER NOT NULL,
  issued_by_purchase   INTEGER REFERENCES purchases(seq),
  redeemed_at          INTEGER,
  redeemed_by_purchase TEXT
);
CREATE INDEX coupons_by_customer ON coupons(customer_id, expires_at);
CREATE INDEX coupons_by_purchase ON coupons(issued_by_purchase);

-- Every redemption a terminal reported, including the ones that could not count.
CREATE TABLE coupon_redemptions (
  coupon_id      TEXT NOT NULL,
  purchase_id    TEXT NOT NULL REFERENCES purchases(id),
  customer_id    INTEGER,
  discount_minor INTEGER NOT NULL,
  outcome        TEXT NOT NULL CHECK (outcome IN
                   ('redeemed', 'already_redeemed', 'unknown_coupon', 'other_customer',
                    'voided_coupon')),
  reported_at    INTEGER NOT NULL,
  PRIMARY KEY (coupon_id, purchase_id)
) WITHOUT ROWID;

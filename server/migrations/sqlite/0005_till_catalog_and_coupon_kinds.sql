-- What the checkout terminal needs of the catalog (tax, barcodes, weighed goods), the
-- coupon kinds beyond percent and amount off, and coupons spent twice while offline.

ALTER TABLE products ADD COLUMN tax_rate_bp INTEGER NOT NULL DEFAULT 0
  CHECK (tax_rate_bp BETWEEN 0 AND 10000);      -- basis points, inside the price
ALTER TABLE products ADD COLUMN barcode TEXT NOT NULL DEFAULT '';  -- GTIN, '' when none
ALTER TABLE products ADD COLUMN sold_by TEXT NOT NULL DEFAULT 'each'
  CHECK (sold_by IN ('each', 'kg'));            -- 'kg': price_minor is per kilogram

ALTER TABLE purchase_lines ADD COLUMN weight_grams INTEGER;  -- weighed lines only

-- The discount_type CHECK cannot be altered in place: the table is rebuilt with the
-- same rows (SQLite's documented procedure; nothing references coupons by key).
CREATE TABLE coupons_v5 (
  seq                  INTEGER PRIMARY KEY,
  id                   TEXT NOT NULL UNIQUE,
  customer_id          INTEGER NOT NULL REFERENCES customers(id),
  card_number          TEXT NOT NULL,
  campaign             TEXT NOT NULL,
  title                TEXT NOT NULL,
  target               TEXT NOT NULL CHECK (target IN ('product', 'category', 'basket')),
  target_value         TEXT NOT NULL,
  discount_type        TEXT NOT NULL CHECK (discount_type IN
                         ('percent_off', 'amount_off', 'buy_x_get_y', 'free_item')),
  discount_value       INTEGER NOT NULL,
  min_spend_minor      INTEGER NOT NULL,
  max_discount_minor   INTEGER NOT NULL,
  currency             TEXT NOT NULL,
  issued_at            INTEGER NOT NULL,
  expires_at           INTEGER NOT NULL,
  issued_by_purchase   INTEGER REFERENCES purchases(seq),
  redeemed_at          INTEGER,
  redeemed_by_purchase TEXT,
  voided_at            INTEGER,
  void_reason          TEXT,
  buy_quantity         INTEGER NOT NULL DEFAULT 0,  -- buy_x_get_y
  get_quantity         INTEGER NOT NULL DEFAULT 0   -- buy_x_get_y, free_item
);
INSERT INTO coupons_v5(seq, id, customer_id, card_number, campaign, title, target, target_value,
                       discount_type, discount_value, min_spend_minor, max_discount_minor,
                       currency, issued_at, expires_at, issued_by_purchase, redeemed_at,
                       redeemed_by_purchase, voided_at, void_reason)
  SELECT seq, id, customer_id, card_number, campaign, title, target, target_value,
         discount_type, discount_value, min_spend_minor, max_discount_minor, currency,
         issued_at, expires_at, issued_by_purchase, redeemed_at, redeemed_by_purchase,
         voided_at, void_reason
  FROM coupons;
DROP TABLE coupons;
ALTER TABLE coupons_v5 RENAME TO coupons;
CREATE INDEX coupons_by_customer ON coupons(customer_id, expires_at);
CREATE INDEX coupons_by_purchase ON coupons(issued_by_purchase);

ALTER TABLE coupon_redemptions ADD COLUMN verified_offline INTEGER NOT NULL DEFAULT 0;

-- A coupon spent by a second purchase after its first redemption: typically two tills
-- that were both offline. The second sale is stored (the shopper left with the goods);
-- the discount is not counted twice, and the portal lists the conflict for follow-up.
CREATE TABLE coupon_conflicts (
  coupon_id          TEXT NOT NULL,
  customer_id        INTEGER NOT NULL REFERENCES customers(id),
  first_purchase_id  TEXT NOT NULL,
  first_store_id     TEXT NOT NULL,
  first_terminal_id  TEXT NOT NULL,
  first_at           INTEGER NOT NULL,
  second_purchase_id TEXT NOT NULL REFERENCES purchases(id),
  second_store_id    TEXT NOT NULL,
  second_terminal_id TEXT NOT NULL,
  second_at          INTEGER NOT NULL,
  discount_minor     INTEGER NOT NULL,   -- what the second sale gave away
  verified_offline   INTEGER NOT NULL,   -- the second till was offline
  detected_at        INTEGER NOT NULL,
  PRIMARY KEY (coupon_id, second_purchase_id)
) WITHOUT ROWID;
CREATE INDEX coupon_conflicts_by_time ON coupon_conflicts(detected_at);
CREATE INDEX coupon_conflicts_by_customer ON coupon_conflicts(customer_id);

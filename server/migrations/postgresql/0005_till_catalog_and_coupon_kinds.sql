-- What the checkout terminal needs of the catalog (tax, barcodes, weighed goods), the
-- coupon kinds beyond percent and amount off, and coupons spent twice while offline (as
-- migrations/sqlite/0005_till_catalog_and_coupon_kinds.sql).

ALTER TABLE products ADD COLUMN tax_rate_bp BIGINT NOT NULL DEFAULT 0
  CHECK (tax_rate_bp BETWEEN 0 AND 10000);      -- basis points, inside the price
ALTER TABLE products ADD COLUMN barcode TEXT NOT NULL DEFAULT '';  -- GTIN, '' when none
ALTER TABLE products ADD COLUMN sold_by TEXT NOT NULL DEFAULT 'each'
  CHECK (sold_by IN ('each', 'kg'));            -- 'kg': price_minor is per kilogram

ALTER TABLE purchase_lines ADD COLUMN weight_grams BIGINT;  -- weighed lines only

-- PostgreSQL alters the CHECK in place (SQLite has to rebuild the table); the new
-- columns land after voided_at and void_reason, in the same order as SQLite's rebuild.
ALTER TABLE coupons DROP CONSTRAINT coupons_discount_type_check;
ALTER TABLE coupons ADD CONSTRAINT coupons_discount_type_check CHECK (discount_type IN
  ('percent_off', 'amount_off', 'buy_x_get_y', 'free_item'));
ALTER TABLE coupons ADD COLUMN buy_quantity BIGINT NOT NULL DEFAULT 0;  -- buy_x_get_y
ALTER TABLE coupons ADD COLUMN get_quantity BIGINT NOT NULL DEFAULT 0;  -- buy_x_get_y, free_item

ALTER TABLE coupon_redemptions ADD COLUMN verified_offline BIGINT NOT NULL DEFAULT 0;

-- A coupon spent by a second purchase after its first redemption: typically two tills
-- that were both offline. The second sale is stored; the discount is not counted twice,
-- and the portal lists the conflict for follow-up.
CREATE TABLE coupon_conflicts (
  coupon_id          TEXT COLLATE "C" NOT NULL,
  customer_id        BIGINT NOT NULL REFERENCES customers(id),
  first_purchase_id  TEXT NOT NULL,
  first_store_id     TEXT NOT NULL,
  first_terminal_id  TEXT NOT NULL,
  first_at           BIGINT NOT NULL,
  second_purchase_id TEXT COLLATE "C" NOT NULL REFERENCES purchases(id),
  second_store_id    TEXT NOT NULL,
  second_terminal_id TEXT NOT NULL,
  second_at          BIGINT NOT NULL,
  discount_minor     BIGINT NOT NULL,   -- what the second sale gave away
  verified_offline   BIGINT NOT NULL,   -- the second till was offline
  detected_at        BIGINT NOT NULL,
  PRIMARY KEY (coupon_id, second_purchase_id)
);
CREATE INDEX coupon_conflicts_by_time ON coupon_conflicts(detected_at);
CREATE INDEX coupon_conflicts_by_customer ON coupon_conflicts(customer_id);

-- The portal dashboard sums the sales and counts the coupons of a run of days, for the
-- chain or for some stores. These indexes let it read only that run: the purchase
-- indexes hold every column the dashboard reads, so SQLite never visits the table rows.
CREATE INDEX purchases_by_time ON purchases(occurred_at, customer_id, total_minor, card_number);
CREATE INDEX purchases_by_store_time
  ON purchases(store_id, occurred_at, customer_id, total_minor, card_number);
CREATE INDEX coupons_by_issued_at ON coupons(issued_at);
CREATE INDEX coupons_by_redeemed_at ON coupons(redeemed_at) WHERE redeemed_at IS NOT NULL;

-- The portal dashboard sums the sales and counts the coupons of a run of days, for the
-- chain or for some stores (purchases_by_store, from 0004, serves a store's run). The
-- INCLUDE columns let the chain's sums come from an index-only scan.
CREATE INDEX purchases_by_time ON purchases(occurred_at)
  INCLUDE (customer_id, total_minor, card_number);
CREATE INDEX coupons_by_issued_at ON coupons(issued_at);
CREATE INDEX coupons_by_redeemed_at ON coupons(redeemed_at) WHERE redeemed_at IS NOT NULL;

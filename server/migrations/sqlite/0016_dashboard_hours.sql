-- The portal dashboard's summable figures per UTC hour and store, so that a month of the
-- chain is a few thousand rows rather than every purchase of the month (3.2 s at a
-- million customers). Hours, not days: the viewer's day starts at their own midnight,
-- and the dashboard sums the hours of each of their days (storage/dashboard_hours.h).
-- Triggers keep the table, inside the transaction of whatever writes purchases or
-- coupons (the purchase path, the nightly batch, an erasure, an import, a copy), so
-- nothing has to remember to. A figure is where the dashboard counts it: a purchase at
-- its time and store; a coupon issued at its issue time and the store of the purchase
-- that issued it ('' for the batch's, which belong to the chain alone); a redemption at
-- its time and the store of the purchase that redeemed it. The distinct customers are
-- not here: they do not add up over hours.
CREATE TABLE dashboard_hours (
  hour             INTEGER NOT NULL,  -- the hour's start, Unix seconds
  store_id         TEXT NOT NULL,     -- '' for coupons no purchase of the chain issued
  purchases        INTEGER NOT NULL DEFAULT 0,
  sales_minor      INTEGER NOT NULL DEFAULT 0,
  card_sales_minor INTEGER NOT NULL DEFAULT 0,
  coupons_issued   INTEGER NOT NULL DEFAULT 0,
  coupons_redeemed INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (hour, store_id)
) WITHOUT ROWID;

-- Every trigger adds its change through this view, so the upsert is written once.
CREATE VIEW dashboard_hour_changes AS
  SELECT hour, store_id, purchases, sales_minor, card_sales_minor, coupons_issued,
         coupons_redeemed FROM dashboard_hours;
CREATE TRIGGER dashboard_hour_changes_add INSTEAD OF INSERT ON dashboard_hour_changes BEGIN
  INSERT INTO dashboard_hours(hour, store_id, purchases, sales_minor, card_sales_minor,
                              coupons_issued, coupons_redeemed)
  VALUES (new.hour, new.store_id, new.purchases, new.sales_minor, new.card_sales_minor,
          new.coupons_issued, new.coupons_redeemed)
  ON CONFLICT (hour, store_id) DO UPDATE SET
    purchases = purchases + excluded.purchases,
    sales_minor = sales_minor + excluded.sales_minor,
    card_sales_minor = card_sales_minor + excluded.card_sales_minor,
    coupons_issued = coupons_issued + excluded.coupons_issued,
    coupons_redeemed = coupons_redeemed + excluded.coupons_redeemed;
END;

CREATE TRIGGER dashboard_hours_purchase_insert AFTER INSERT ON purchases BEGIN
  INSERT INTO dashboard_hour_changes VALUES (new.occurred_at - new.occurred_at % 3600,
    new.store_id, 1, new.total_minor,
    CASE WHEN new.card_number IS NOT NULL THEN new.total_minor ELSE 0 END, 0, 0);
END;
CREATE TRIGGER dashboard_hours_purchase_delete AFTER DELETE ON purchases BEGIN
  INSERT INTO dashboard_hour_changes VALUES (old.occurred_at - old.occurred_at % 3600,
    old.store_id, -1, -old.total_minor,
    CASE WHEN old.card_number IS NOT NULL THEN -old.total_minor ELSE 0 END, 0, 0);
END;
-- An erasure cuts the card number from a customer's purchases: their sales stop being
-- card sales, as the dashboard read from the rows counted them.
CREATE TRIGGER dashboard_hours_purchase_update
AFTER UPDATE OF occurred_at, store_id, total_minor, card_number ON purchases BEGIN
  INSERT INTO dashboard_hour_changes VALUES (old.occurred_at - old.occurred_at % 3600,
    old.store_id, -1, -old.total_minor,
    CASE WHEN old.card_number IS NOT NULL THEN -old.total_minor ELSE 0 END, 0, 0);
  INSERT INTO dashboard_hour_changes VALUES (new.occurred_at - new.occurred_at % 3600,
    new.store_id, 1, new.total_minor,
    CASE WHEN new.card_number IS NOT NULL THEN new.total_minor ELSE 0 END, 0, 0);
END;

CREATE TRIGGER dashboard_hours_coupon_insert AFTER INSERT ON coupons BEGIN
  INSERT INTO dashboard_hour_changes VALUES (new.issued_at - new.issued_at % 3600,
    COALESCE((SELECT store_id FROM purchases WHERE seq = new.issued_by_purchase), ''),
    0, 0, 0, 1, 0);
  INSERT INTO dashboard_hour_changes SELECT new.redeemed_at - new.redeemed_at % 3600,
    COALESCE((SELECT store_id FROM purchases WHERE id = new.redeemed_by_purchase), ''),
    0, 0, 0, 0, 1 WHERE new.redeemed_at IS NOT NULL;
END;
CREATE TRIGGER dashboard_hours_coupon_delete AFTER DELETE ON coupons BEGIN
  INSERT INTO dashboard_hour_changes VALUES (old.issued_at - old.issued_at % 3600,
    COALESCE((SELECT store_id FROM purchases WHERE seq = old.issued_by_purchase), ''),
    0, 0, 0, -1, 0);
  INSERT INTO dashboard_hour_changes SELECT old.redeemed_at - old.redeemed_at % 3600,
    COALESCE((SELECT store_id FROM purchases WHERE id = old.redeemed_by_purchase), ''),
    0, 0, 0, 0, -1 WHERE old.redeemed_at IS NOT NULL;
END;
CREATE TRIGGER dashboard_hours_coupon_update
AFTER UPDATE OF issued_at, issued_by_purchase, redeemed_at, redeemed_by_purchase ON coupons
BEGIN
  INSERT INTO dashboard_hour_changes VALUES (old.issued_at - old.issued_at % 3600,
    COALESCE((SELECT store_id FROM purchases WHERE seq = old.issued_by_purchase), ''),
    0, 0, 0, -1, 0);
  INSERT INTO dashboard_hour_changes SELECT old.redeemed_at - old.redeemed_at % 3600,
    COALESCE((SELECT store_id FROM purchases WHERE id = old.redeemed_by_purchase), ''),
    0, 0, 0, 0, -1 WHERE old.redeemed_at IS NOT NULL;
  INSERT INTO dashboard_hour_changes VALUES (new.issued_at - new.issued_at % 3600,
    COALESCE((SELECT store_id FROM purchases WHERE seq = new.issued_by_purchase), ''),
    0, 0, 0, 1, 0);
  INSERT INTO dashboard_hour_changes SELECT new.redeemed_at - new.redeemed_at % 3600,
    COALESCE((SELECT store_id FROM purchases WHERE id = new.redeemed_by_purchase), ''),
    0, 0, 0, 0, 1 WHERE new.redeemed_at IS NOT NULL;
END;

-- The purchases and coupons stored before this migration.
INSERT INTO dashboard_hours(hour, store_id, purchases, sales_minor, card_sales_minor,
                            coupons_issued, coupons_redeemed)
SELECT hour, store_id, SUM(purchases), SUM(sales_minor), SUM(card_sales_minor),
       SUM(coupons_issued), SUM(coupons_redeemed) FROM (
  SELECT occurred_at - occurred_at % 3600 AS hour, store_id, COUNT(*) AS purchases,
         SUM(total_minor) AS sales_minor,
         SUM(CASE WHEN card_number IS NOT NULL THEN total_minor ELSE 0 END) AS card_sales_minor,
         0 AS coupons_issued, 0 AS coupons_redeemed
    FROM purchases GROUP BY 1, 2
  UNION ALL
  SELECT c.issued_at - c.issued_at % 3600, COALESCE(p.store_id, ''), 0, 0, 0, COUNT(*), 0
    FROM coupons c LEFT JOIN purchases p ON p.seq = c.issued_by_purchase GROUP BY 1, 2
  UNION ALL
  SELECT c.redeemed_at - c.redeemed_at % 3600, COALESCE(p.store_id, ''), 0, 0, 0, 0, COUNT(*)
    FROM coupons c LEFT JOIN purchases p ON p.id = c.redeemed_by_purchase
    WHERE c.redeemed_at IS NOT NULL GROUP BY 1, 2)
GROUP BY hour, store_id;

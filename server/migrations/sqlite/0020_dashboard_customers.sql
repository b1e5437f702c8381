-- The dashboard's customers of each day for the chain, without reading every purchase of
-- the run (1.2 s for 30 days at a million customers). A customer is active on a day when
-- they bought on it (returns are not visits), and they are counted once: at their first
-- purchase of the day. That purchase is the one whose customer's previous purchase
-- (any store) is before the day's start, so each purchase keeps the time of its
-- customer's previous one, in the order (occurred_at, seq), NULL for the first. A day's
-- customers are then its purchases with a customer, summed from dashboard_hours, less
-- those whose previous purchase is on the same day: such a purchase follows the
-- previous one by less than a day, and the partial index below holds only those (few:
-- most customers come back days later). The viewer's day may start at any offset from
-- UTC: the test against the start of the day is made on the rows, not on the hours.
--
-- Triggers keep previous_purchase_at exact whatever writes the purchases: a late upload
-- (an offline till, an import) landing before a stored purchase becomes the next one's
-- previous; a merge moves purchases to another customer, so their places in both
-- customers' orders change; a delete leaves a gap the next one closes. An erasure keeps
-- the customer id (only card numbers go), so it changes nothing here.
ALTER TABLE purchases ADD COLUMN previous_purchase_at INTEGER;

CREATE INDEX purchases_repeat_visits ON purchases(occurred_at, previous_purchase_at)
  WHERE previous_purchase_at > occurred_at - 86400;

-- Inserting (customer_id, occurred_at, seq) here sets previous_purchase_at again for the
-- purchase `seq` (if it still exists; under its current customer) and for the purchase
-- that follows that place in that customer's order: the only two a purchase arriving at,
-- or leaving, that place can change. Written once for every trigger below.
CREATE VIEW purchase_order_changes AS SELECT customer_id, occurred_at, seq FROM purchases;
CREATE TRIGGER purchase_order_changes_fix INSTEAD OF INSERT ON purchase_order_changes BEGIN
  UPDATE purchases SET previous_purchase_at = (
      SELECT p.occurred_at FROM purchases p
       WHERE p.customer_id = purchases.customer_id AND p.occurred_at <= purchases.occurred_at
         AND (p.occurred_at < purchases.occurred_at OR p.seq < purchases.seq)
       ORDER BY p.occurred_at DESC LIMIT 1)
   WHERE seq IN (new.seq, (
      SELECT n.seq FROM purchases n
       WHERE n.customer_id = new.customer_id AND n.occurred_at >= new.occurred_at
         AND (n.occurred_at > new.occurred_at OR n.seq > new.seq)
       ORDER BY n.occurred_at, n.seq LIMIT 1));
END;

CREATE TRIGGER purchases_previous_insert AFTER INSERT ON purchases
WHEN new.customer_id IS NOT NULL BEGIN
  INSERT INTO purchase_order_changes VALUES (new.customer_id, new.occurred_at, new.seq);
END;
CREATE TRIGGER purchases_previous_delete AFTER DELETE ON purchases
WHEN old.customer_id IS NOT NULL BEGIN
  INSERT INTO purchase_order_changes VALUES (old.customer_id, old.occurred_at, old.seq);
END;
CREATE TRIGGER purchases_previous_update AFTER UPDATE OF customer_id, occurred_at ON purchases
WHEN old.customer_id IS NOT new.customer_id OR old.occurred_at <> new.occurred_at BEGIN
  INSERT INTO purchase_order_changes VALUES (old.customer_id, old.occurred_at, old.seq);
  INSERT INTO purchase_order_changes VALUES (new.customer_id, new.occurred_at, new.seq);
END;

UPDATE purchases SET previous_purchase_at = w.previous FROM (
  SELECT seq, LAG(occurred_at) OVER (PARTITION BY customer_id ORDER BY occurred_at, seq)
         AS previous
    FROM purchases WHERE customer_id IS NOT NULL) AS w
 WHERE purchases.seq = w.seq AND w.previous IS NOT NULL;

-- dashboard_hours counts the purchases that have a customer, per hour and store, in the
-- same upsert as the rest (migration 0016's triggers, made again with the new column).
ALTER TABLE dashboard_hours ADD COLUMN customer_purchases INTEGER NOT NULL DEFAULT 0;

DROP TRIGGER dashboard_hours_purchase_insert;
DROP TRIGGER dashboard_hours_purchase_delete;
DROP TRIGGER dashboard_hours_purchase_update;
DROP TRIGGER dashboard_hours_coupon_insert;
DROP TRIGGER dashboard_hours_coupon_delete;
DROP TRIGGER dashboard_hours_coupon_update;
DROP TRIGGER dashboard_hour_changes_add;
DROP VIEW dashboard_hour_changes;

CREATE VIEW dashboard_hour_changes AS
  SELECT hour, store_id, purchases, sales_minor, card_sales_minor, coupons_issued,
         coupons_redeemed, customer_purchases FROM dashboard_hours;
CREATE TRIGGER dashboard_hour_changes_add INSTEAD OF INSERT ON dashboard_hour_changes BEGIN
  INSERT INTO dashboard_hours(hour, store_id, purchases, sales_minor, card_sales_minor,
                              coupons_issued, coupons_redeemed, customer_purchases)
  VALUES (new.hour, new.store_id, new.purchases, new.sales_minor, new.card_sales_minor,
          new.coupons_issued, new.coupons_redeemed, new.customer_purchases)
  ON CONFLICT (hour, store_id) DO UPDATE SET
    purchases = purchases + excluded.purchases,
    sales_minor = sales_minor + excluded.sales_minor,
    card_sales_minor = card_sales_minor + excluded.card_sales_minor,
    coupons_issued = coupons_issued + excluded.coupons_issued,
    coupons_redeemed = coupons_redeemed + excluded.coupons_redeemed,
    customer_purchases = customer_purchases + excluded.customer_purchases;
END;

CREATE TRIGGER dashboard_hours_purchase_insert AFTER INSERT ON purchases BEGIN
  INSERT INTO dashboard_hour_changes VALUES (new.occurred_at - new.occurred_at % 3600,
    new.store_id, 1, new.total_minor,
    CASE WHEN new.card_number IS NOT NULL THEN new.total_minor ELSE 0 END, 0, 0,
    new.customer_id IS NOT NULL);
END;
CREATE TRIGGER dashboard_hours_purchase_delete AFTER DELETE ON purchases BEGIN
  INSERT INTO dashboard_hour_changes VALUES (old.occurred_at - old.occurred_at % 3600,
    old.store_id, -1, -old.total_minor,
    CASE WHEN old.card_number IS NOT NULL THEN -old.total_minor ELSE 0 END, 0, 0,
    -(old.customer_id IS NOT NULL));
END;
CREATE TRIGGER dashboard_hours_purchase_update
AFTER UPDATE OF occurred_at, store_id, total_minor, card_number, customer_id ON purchases BEGIN
  INSERT INTO dashboard_hour_changes VALUES (old.occurred_at - old.occurred_at % 3600,
    old.store_id, -1, -old.total_minor,
    CASE WHEN old.card_number IS NOT NULL THEN -old.total_minor ELSE 0 END, 0, 0,
    -(old.customer_id IS NOT NULL));
  INSERT INTO dashboard_hour_changes VALUES (new.occurred_at - new.occurred_at % 3600,
    new.store_id, 1, new.total_minor,
    CASE WHEN new.card_number IS NOT NULL THEN new.total_minor ELSE 0 END, 0, 0,
    new.customer_id IS NOT NULL);
END;

CREATE TRIGGER dashboard_hours_coupon_insert AFTER INSERT ON coupons BEGIN
  INSERT INTO dashboard_hour_changes VALUES (new.issued_at - new.issued_at % 3600,
    COALESCE((SELECT store_id FROM purchases WHERE seq = new.issued_by_purchase), ''),
    0, 0, 0, 1, 0, 0);
  INSERT INTO dashboard_hour_changes SELECT new.redeemed_at - new.redeemed_at % 3600,
    COALESCE((SELECT store_id FROM purchases WHERE id = new.redeemed_by_purchase), ''),
    0, 0, 0, 0, 1, 0 WHERE new.redeemed_at IS NOT NULL;
END;
CREATE TRIGGER dashboard_hours_coupon_delete AFTER DELETE ON coupons BEGIN
  INSERT INTO dashboard_hour_changes VALUES (old.issued_at - old.issued_at % 3600,
    COALESCE((SELECT store_id FROM purchases WHERE seq = old.issued_by_purchase), ''),
    0, 0, 0, -1, 0, 0);
  INSERT INTO dashboard_hour_changes SELECT old.redeemed_at - old.redeemed_at % 3600,
    COALESCE((SELECT store_id FROM purchases WHERE id = old.redeemed_by_purchase), ''),
    0, 0, 0, 0, -1, 0 WHERE old.redeemed_at IS NOT NULL;
END;
CREATE TRIGGER dashboard_hours_coupon_update
AFTER UPDATE OF issued_at, issued_by_purchase, redeemed_at, redeemed_by_purchase ON coupons
BEGIN
  INSERT INTO dashboard_hour_changes VALUES (old.issued_at - old.issued_at % 3600,
    COALESCE((SELECT store_id FROM purchases WHERE seq = old.issued_by_purchase), ''),
    0, 0, 0, -1, 0, 0);
  INSERT INTO dashboard_hour_changes SELECT old.redeemed_at - old.redeemed_at % 3600,
    COALESCE((SELECT store_id FROM purchases WHERE id = old.redeemed_by_purchase), ''),
    0, 0, 0, 0, -1, 0 WHERE old.redeemed_at IS NOT NULL;
  INSERT INTO dashboard_hour_changes VALUES (new.issued_at - new.issued_at % 3600,
    COALESCE((SELECT store_id FROM purchases WHERE seq = new.issued_by_purchase), ''),
    0, 0, 0, 1, 0, 0);
  INSERT INTO dashboard_hour_changes SELECT new.redeemed_at - new.redeemed_at % 3600,
    COALESCE((SELECT store_id FROM purchases WHERE id = new.redeemed_by_purchase), ''),
    0, 0, 0, 0, 1, 0 WHERE new.redeemed_at IS NOT NULL;
END;

UPDATE dashboard_hours SET customer_purchases = c.purchases FROM (
  SELECT occurred_at - occurred_at % 3600 AS hour, store_id, COUNT(*) AS purchases
    FROM purchases WHERE customer_id IS NOT NULL GROUP BY 1, 2) AS c
 WHERE dashboard_hours.hour = c.hour AND dashboard_hours.store_id = c.store_id;

-- The dashboard's customers of each day for the chain from the hours (as the SQLite
-- migration 0020, which says how): each purchase keeps the time of its customer's
-- previous purchase, in the order (occurred_at, seq); dashboard_hours counts the
-- purchases that have a customer.
ALTER TABLE purchases ADD COLUMN previous_purchase_at BIGINT;

CREATE INDEX purchases_repeat_visits ON purchases(occurred_at, previous_purchase_at)
  WHERE previous_purchase_at > occurred_at - 86400;

-- The time of the purchase before (at_time, at_seq) in the customer's order.
CREATE FUNCTION purchase_previous_at(customer bigint, at_time bigint, at_seq bigint)
RETURNS bigint LANGUAGE sql STABLE AS $$
  SELECT occurred_at FROM purchases
   WHERE customer_id = customer AND occurred_at <= at_time
     AND (occurred_at < at_time OR seq < at_seq)
   ORDER BY occurred_at DESC LIMIT 1
$$;

-- The purchase after (at_time, at_seq) in the customer's order.
CREATE FUNCTION purchase_next_seq(customer bigint, at_time bigint, at_seq bigint)
RETURNS bigint LANGUAGE sql STABLE AS $$
  SELECT seq FROM purchases
   WHERE customer_id = customer AND occurred_at >= at_time
     AND (occurred_at > at_time OR seq > at_seq)
   ORDER BY occurred_at, seq LIMIT 1
$$;

-- Sets previous_purchase_at again where it is not what the rows say.
CREATE FUNCTION purchases_previous_fix(seqs bigint[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE purchases p
     SET previous_purchase_at = purchase_previous_at(p.customer_id, p.occurred_at, p.seq)
   WHERE p.seq = ANY(seqs) AND p.previous_purchase_at IS DISTINCT FROM
         purchase_previous_at(p.customer_id, p.occurred_at, p.seq);
END $$;

-- A new purchase gets its previous one before it is written (the seq is already drawn),
-- so the purchase path writes each row once. Rows of the same statement written before
-- it are visible here; those written after are mended by the statement's trigger below.
-- Two transactions writing one customer's purchases (two servers on one database) would
-- each miss the other's uncommitted row and both keep an older previous purchase: the
-- customer's row lock orders them, and the read after it, a statement of its own under
-- READ COMMITTED, sees the purchase the first one committed.
CREATE FUNCTION purchases_previous_inserting() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM 1 FROM customers WHERE id = NEW.customer_id FOR NO KEY UPDATE;
  NEW.previous_purchase_at := purchase_previous_at(NEW.customer_id, NEW.occurred_at, NEW.seq);
  RETURN NEW;
END $$;
CREATE TRIGGER purchases_previous_inserting BEFORE INSERT ON purchases
  FOR EACH ROW WHEN (NEW.customer_id IS NOT NULL)
  EXECUTE FUNCTION purchases_previous_inserting();

-- The purchases after the new ones (a late upload lands before a stored purchase) or after
-- the deleted ones. One statement for the statement's rows: the purchase path's group of
-- purchases is one update, which finds nothing to change unless a sale came late.
CREATE FUNCTION purchases_previous_statement() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM purchases_previous_fix(array_agg(purchase_next_seq(customer_id, occurred_at, seq)))
     FROM changed_purchases WHERE customer_id IS NOT NULL HAVING COUNT(*) > 0;
  RETURN NULL;
END $$;
CREATE TRIGGER purchases_previous_inserted AFTER INSERT ON purchases
  REFERENCING NEW TABLE AS changed_purchases
  FOR EACH STATEMENT EXECUTE FUNCTION purchases_previous_statement();
CREATE TRIGGER purchases_previous_deleted AFTER DELETE ON purchases
  REFERENCING OLD TABLE AS changed_purchases
  FOR EACH STATEMENT EXECUTE FUNCTION purchases_previous_statement();

-- A purchase moved to another customer (a merge) or in time: itself, the purchase after
-- its new place and the one after its old place. Row triggers run after the whole
-- statement, so each reads the final rows.
CREATE FUNCTION purchases_previous_moved() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM purchases_previous_fix(ARRAY[NEW.seq,
    purchase_next_seq(NEW.customer_id, NEW.occurred_at, NEW.seq),
    purchase_next_seq(OLD.customer_id, OLD.occurred_at, OLD.seq)]);
  RETURN NULL;
END $$;
CREATE TRIGGER purchases_previous_moved AFTER UPDATE OF customer_id, occurred_at ON purchases
  FOR EACH ROW WHEN (OLD.customer_id IS DISTINCT FROM NEW.customer_id
                     OR OLD.occurred_at <> NEW.occurred_at)
  EXECUTE FUNCTION purchases_previous_moved();

UPDATE purchases SET previous_purchase_at = w.previous FROM (
  SELECT seq, LAG(occurred_at) OVER (PARTITION BY customer_id ORDER BY occurred_at, seq)
         AS previous
    FROM purchases WHERE customer_id IS NOT NULL) AS w
 WHERE purchases.seq = w.seq AND w.previous IS NOT NULL;

-- dashboard_hours counts the purchases that have a customer, in the same upsert as the
-- rest: migration 0016's functions again, with the new column.
ALTER TABLE dashboard_hours ADD COLUMN customer_purchases BIGINT NOT NULL DEFAULT 0;

DROP FUNCTION dashboard_hours_add(bigint[], text[], bigint[], bigint[], bigint[], bigint[],
                                  bigint[]);
CREATE FUNCTION dashboard_hours_add(add_hours bigint[], add_stores text[],
                                    add_purchases bigint[], add_sales bigint[],
                                    add_card_sales bigint[], add_issued bigint[],
                                    add_redeemed bigint[], add_customer_purchases bigint[])
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO dashboard_hours AS h(hour, store_id, purchases, sales_minor, card_sales_minor,
                                   coupons_issued, coupons_redeemed, customer_purchases)
  SELECT c.hour, c.store_id, SUM(c.p), SUM(c.s), SUM(c.cs), SUM(c.i), SUM(c.r), SUM(c.cp)
    FROM unnest(add_hours, add_stores, add_purchases, add_sales, add_card_sales, add_issued,
                add_redeemed, add_customer_purchases) AS c(hour, store_id, p, s, cs, i, r, cp)
    GROUP BY c.hour, c.store_id ORDER BY c.hour, c.store_id
  ON CONFLICT (hour, store_id) DO UPDATE SET
    purchases = h.purchases + excluded.purchases,
    sales_minor = h.sales_minor + excluded.sales_minor,
    card_sales_minor = h.card_sales_minor + excluded.card_sales_minor,
    coupons_issued = h.coupons_issued + excluded.coupons_issued,
    coupons_redeemed = h.coupons_redeemed + excluded.coupons_redeemed,
    customer_purchases = h.customer_purchases + excluded.customer_purchases;
END $$;

CREATE OR REPLACE FUNCTION dashboard_hours_purchases_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  sign CONSTANT bigint := CASE TG_OP WHEN 'DELETE' THEN -1 ELSE 1 END;
BEGIN
  PERFORM dashboard_hours_add(array_agg(occurred_at - occurred_at % 3600),
                              array_agg(store_id::text), array_agg(sign),
                              array_agg(sign * total_minor),
                              array_agg(CASE WHEN card_number IS NOT NULL
                                        THEN sign * total_minor ELSE 0 END),
                              array_agg(0::bigint), array_agg(0::bigint),
                              array_agg(CASE WHEN customer_id IS NOT NULL
                                        THEN sign ELSE 0 END))
    FROM changed_purchases HAVING COUNT(*) > 0;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION dashboard_hours_purchase_updated() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM dashboard_hours_add(
    ARRAY[OLD.occurred_at - OLD.occurred_at % 3600, NEW.occurred_at - NEW.occurred_at % 3600],
    ARRAY[OLD.store_id::text, NEW.store_id::text], ARRAY[-1, 1]::bigint[],
    ARRAY[-OLD.total_minor, NEW.total_minor],
    ARRAY[CASE WHEN OLD.card_number IS NOT NULL THEN -OLD.total_minor ELSE 0 END,
          CASE WHEN NEW.card_number IS NOT NULL THEN NEW.total_minor ELSE 0 END],
    ARRAY[0, 0]::bigint[], ARRAY[0, 0]::bigint[],
    ARRAY[CASE WHEN OLD.customer_id IS NOT NULL THEN -1 ELSE 0 END,
          CASE WHEN NEW.customer_id IS NOT NULL THEN 1 ELSE 0 END]::bigint[]);
  RETURN NULL;
END $$;
DROP TRIGGER dashboard_hours_purchase_updated ON purchases;
CREATE TRIGGER dashboard_hours_purchase_updated
  AFTER UPDATE OF occurred_at, store_id, total_minor, card_number, customer_id ON purchases
  FOR EACH ROW WHEN (OLD.occurred_at <> NEW.occurred_at OR OLD.store_id <> NEW.store_id
                     OR OLD.total_minor <> NEW.total_minor
                     OR (OLD.card_number IS NULL) <> (NEW.card_number IS NULL)
                     OR (OLD.customer_id IS NULL) <> (NEW.customer_id IS NULL))
  EXECUTE FUNCTION dashboard_hours_purchase_updated();

CREATE OR REPLACE FUNCTION dashboard_hours_coupons_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  sign CONSTANT bigint := CASE TG_OP WHEN 'DELETE' THEN -1 ELSE 1 END;
BEGIN
  PERFORM dashboard_hours_add(array_agg(hour), array_agg(store_id), array_agg(0::bigint),
                              array_agg(0::bigint), array_agg(0::bigint), array_agg(issued),
                              array_agg(redeemed), array_agg(0::bigint))
    FROM (SELECT c.issued_at - c.issued_at % 3600 AS hour, COALESCE(p.store_id, '') AS store_id,
                 sign AS issued, 0::bigint AS redeemed
            FROM changed_coupons c LEFT JOIN purchases p ON p.seq = c.issued_by_purchase
          UNION ALL
          SELECT c.redeemed_at - c.redeemed_at % 3600, COALESCE(p.store_id, ''), 0, sign
            FROM changed_coupons c LEFT JOIN purchases p ON p.id = c.redeemed_by_purchase
           WHERE c.redeemed_at IS NOT NULL) AS changes
    HAVING COUNT(*) > 0;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION dashboard_hours_coupon_updated() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM dashboard_hours_add(array_agg(hour), array_agg(store_id), array_agg(0::bigint),
                              array_agg(0::bigint), array_agg(0::bigint), array_agg(issued),
                              array_agg(redeemed), array_agg(0::bigint))
    FROM (SELECT OLD.issued_at - OLD.issued_at % 3600 AS hour,
                 COALESCE((SELECT store_id FROM purchases WHERE seq = OLD.issued_by_purchase),
                          '') AS store_id, -1::bigint AS issued, 0::bigint AS redeemed
          UNION ALL
          SELECT NEW.issued_at - NEW.issued_at % 3600,
                 COALESCE((SELECT store_id FROM purchases WHERE seq = NEW.issued_by_purchase),
                          ''), 1, 0
          UNION ALL
          SELECT OLD.redeemed_at - OLD.redeemed_at % 3600,
                 COALESCE((SELECT store_id FROM purchases WHERE id = OLD.redeemed_by_purchase),
                          ''), 0, -1
           WHERE OLD.redeemed_at IS NOT NULL
          UNION ALL
          SELECT NEW.redeemed_at - NEW.redeemed_at % 3600,
                 COALESCE((SELECT store_id FROM purchases WHERE id = NEW.redeemed_by_purchase),
                          ''), 0, 1
           WHERE NEW.redeemed_at IS NOT NULL) AS changes;
  RETURN NULL;
END $$;

UPDATE dashboard_hours h SET customer_purchases = c.purchases FROM (
  SELECT occurred_at - occurred_at % 3600 AS hour, store_id::text AS store_id,
         COUNT(*) AS purchases
    FROM purchases WHERE customer_id IS NOT NULL GROUP BY 1, 2) AS c
 WHERE h.hour = c.hour AND h.store_id = c.store_id;

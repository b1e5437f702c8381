-- The portal dashboard's summable figures per UTC hour and store (as the SQLite migration
-- 0016, which says why and what counts where), kept by triggers inside the transaction of
-- whatever writes purchases or coupons. Inserts and deletes are summed per statement
-- from their transition tables: a group of purchases is one upsert per hour and store,
-- not one per purchase. Changes of single rows (an erasure cutting card numbers, a
-- redemption) go row by row, and only when a counted column changed.
CREATE TABLE dashboard_hours (
  hour             BIGINT NOT NULL,  -- the hour's start, Unix seconds
  store_id         TEXT COLLATE "C" NOT NULL,  -- '' for coupons no purchase issued
  purchases        BIGINT NOT NULL DEFAULT 0,
  sales_minor      BIGINT NOT NULL DEFAULT 0,
  card_sales_minor BIGINT NOT NULL DEFAULT 0,
  coupons_issued   BIGINT NOT NULL DEFAULT 0,
  coupons_redeemed BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (hour, store_id)
);

-- Adds the changes (the arrays run in parallel, one entry per change), summed per hour
-- and store and in key order: two writers adding to the same rows lock them in the same
-- order and cannot deadlock. PL/pgSQL rather than SQL: it keeps the upsert's plan for
-- the session instead of planning it on every call (a third less time per group of 50
-- purchases).
CREATE FUNCTION dashboard_hours_add(add_hours bigint[], add_stores text[],
                                    add_purchases bigint[], add_sales bigint[],
                                    add_card_sales bigint[], add_issued bigint[],
                                    add_redeemed bigint[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO dashboard_hours AS h(hour, store_id, purchases, sales_minor, card_sales_minor,
                                   coupons_issued, coupons_redeemed)
  SELECT c.hour, c.store_id, SUM(c.p), SUM(c.s), SUM(c.cs), SUM(c.i), SUM(c.r)
    FROM unnest(add_hours, add_stores, add_purchases, add_sales, add_card_sales, add_issued,
                add_redeemed) AS c(hour, store_id, p, s, cs, i, r)
    GROUP BY c.hour, c.store_id ORDER BY c.hour, c.store_id
  ON CONFLICT (hour, store_id) DO UPDATE SET
    purchases = h.purchases + excluded.purchases,
    sales_minor = h.sales_minor + excluded.sales_minor,
    card_sales_minor = h.card_sales_minor + excluded.card_sales_minor,
    coupons_issued = h.coupons_issued + excluded.coupons_issued,
    coupons_redeemed = h.coupons_redeemed + excluded.coupons_redeemed;
END $$;

-- Purchases inserted (+1) or deleted (-1) by one statement.
CREATE FUNCTION dashboard_hours_purchases_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  sign CONSTANT bigint := CASE TG_OP WHEN 'DELETE' THEN -1 ELSE 1 END;
BEGIN
  PERFORM dashboard_hours_add(array_agg(occurred_at - occurred_at % 3600),
                              array_agg(store_id::text), array_agg(sign),
                              array_agg(sign * total_minor),
                              array_agg(CASE WHEN card_number IS NOT NULL
                                        THEN sign * total_minor ELSE 0 END),
                              array_agg(0::bigint), array_agg(0::bigint))
    FROM changed_purchases HAVING COUNT(*) > 0;
  RETURN NULL;
END $$;
CREATE TRIGGER dashboard_hours_purchases_inserted AFTER INSERT ON purchases
  REFERENCING NEW TABLE AS changed_purchases
  FOR EACH STATEMENT EXECUTE FUNCTION dashboard_hours_purchases_changed();
CREATE TRIGGER dashboard_hours_purchases_deleted AFTER DELETE ON purchases
  REFERENCING OLD TABLE AS changed_purchases
  FOR EACH STATEMENT EXECUTE FUNCTION dashboard_hours_purchases_changed();

-- An erasure cuts the card number from a customer's purchases: their sales stop being
-- card sales, as the dashboard read from the rows counted them.
CREATE FUNCTION dashboard_hours_purchase_updated() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM dashboard_hours_add(
    ARRAY[OLD.occurred_at - OLD.occurred_at % 3600, NEW.occurred_at - NEW.occurred_at % 3600],
    ARRAY[OLD.store_id::text, NEW.store_id::text], ARRAY[-1, 1]::bigint[],
    ARRAY[-OLD.total_minor, NEW.total_minor],
    ARRAY[CASE WHEN OLD.card_number IS NOT NULL THEN -OLD.total_minor ELSE 0 END,
          CASE WHEN NEW.card_number IS NOT NULL THEN NEW.total_minor ELSE 0 END],
    ARRAY[0, 0]::bigint[], ARRAY[0, 0]::bigint[]);
  RETURN NULL;
END $$;
CREATE TRIGGER dashboard_hours_purchase_updated
  AFTER UPDATE OF occurred_at, store_id, total_minor, card_number ON purchases
  FOR EACH ROW WHEN (OLD.occurred_at <> NEW.occurred_at OR OLD.store_id <> NEW.store_id
                     OR OLD.total_minor <> NEW.total_minor
                     OR (OLD.card_number IS NULL) <> (NEW.card_number IS NULL))
  EXECUTE FUNCTION dashboard_hours_purchase_updated();

-- Coupons inserted (+1) or deleted (-1) by one statement: each counts as issued, and as
-- redeemed when it was (a copied store's coupons arrive redeemed).
CREATE FUNCTION dashboard_hours_coupons_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  sign CONSTANT bigint := CASE TG_OP WHEN 'DELETE' THEN -1 ELSE 1 END;
BEGIN
  PERFORM dashboard_hours_add(array_agg(hour), array_agg(store_id), array_agg(0::bigint),
                              array_agg(0::bigint), array_agg(0::bigint), array_agg(issued),
                              array_agg(redeemed))
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
CREATE TRIGGER dashboard_hours_coupons_inserted AFTER INSERT ON coupons
  REFERENCING NEW TABLE AS changed_coupons
  FOR EACH STATEMENT EXECUTE FUNCTION dashboard_hours_coupons_changed();
CREATE TRIGGER dashboard_hours_coupons_deleted AFTER DELETE ON coupons
  REFERENCING OLD TABLE AS changed_coupons
  FOR EACH STATEMENT EXECUTE FUNCTION dashboard_hours_coupons_changed();

-- A redemption. Deferred to the commit: the purchase path marks the coupons redeemed
-- before it inserts the purchase that redeems them, whose store this looks up.
CREATE FUNCTION dashboard_hours_coupon_updated() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM dashboard_hours_add(array_agg(hour), array_agg(store_id), array_agg(0::bigint),
                              array_agg(0::bigint), array_agg(0::bigint), array_agg(issued),
                              array_agg(redeemed))
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
CREATE CONSTRAINT TRIGGER dashboard_hours_coupon_updated
  AFTER UPDATE OF issued_at, issued_by_purchase, redeemed_at, redeemed_by_purchase ON coupons
  DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW WHEN (OLD.issued_at <> NEW.issued_at
                     OR OLD.issued_by_purchase IS DISTINCT FROM NEW.issued_by_purchase
                     OR OLD.redeemed_at IS DISTINCT FROM NEW.redeemed_at
                     OR OLD.redeemed_by_purchase IS DISTINCT FROM NEW.redeemed_by_purchase)
  EXECUTE FUNCTION dashboard_hours_coupon_updated();

-- The purchases and coupons stored before this migration.
INSERT INTO dashboard_hours(hour, store_id, purchases, sales_minor, card_sales_minor,
                            coupons_issued, coupons_redeemed)
SELECT hour, store_id, SUM(purchases), SUM(sales_minor), SUM(card_sales_minor),
       SUM(coupons_issued), SUM(coupons_redeemed) FROM (
  SELECT occurred_at - occurred_at % 3600 AS hour, store_id::text AS store_id,
         COUNT(*) AS purchases, SUM(total_minor) AS sales_minor,
         SUM(CASE WHEN card_number IS NOT NULL THEN total_minor ELSE 0 END) AS card_sales_minor,
         0 AS coupons_issued, 0 AS coupons_redeemed
    FROM purchases GROUP BY 1, 2
  UNION ALL
  SELECT c.issued_at - c.issued_at % 3600, COALESCE(p.store_id, ''), 0, 0, 0, COUNT(*), 0
    FROM coupons c LEFT JOIN purchases p ON p.seq = c.issued_by_purchase GROUP BY 1, 2
  UNION ALL
  SELECT c.redeemed_at - c.redeemed_at % 3600, COALESCE(p.store_id, ''), 0, 0, 0, 0, COUNT(*)
    FROM coupons c LEFT JOIN purchases p ON p.id = c.redeemed_by_purchase
    WHERE c.redeemed_at IS NOT NULL GROUP BY 1, 2) AS figures
GROUP BY hour, store_id;

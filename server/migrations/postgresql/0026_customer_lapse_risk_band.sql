-- The nightly run's lapse-risk band on the customer's row (as migrations/sqlite/0026):
-- 0 low, 1 medium (a risk from 0.7), 2 high (from 0.9); NULL: not scored by a run yet.
-- The run writes it with the segment (Store::SetCustomerSegments), only where it changed.
ALTER TABLE customers ADD COLUMN lapse_risk_band smallint;

UPDATE customers c
   SET lapse_risk_band = CASE WHEN f.lapse_risk >= 0.9 THEN 2
                              WHEN f.lapse_risk >= 0.7 THEN 1 ELSE 0 END
  FROM customer_features f
 WHERE f.customer_id = c.id AND c.erased_at IS NULL;

-- One index per sort order of the list, holding only the customers at risk: "low" is
-- most customers, whom a walk of the plain sort index meets at once, and a purchase
-- moves its customer to "low" (below), so the customers who shop leave these alone.
CREATE INDEX customers_at_risk_by_last_visit
  ON customers(lapse_risk_band, (COALESCE(last_visit_at, 0)), id) WHERE lapse_risk_band > 0;
CREATE INDEX customers_at_risk_by_spend
  ON customers(lapse_risk_band, total_spend_minor, id) WHERE lapse_risk_band > 0;
CREATE INDEX customers_at_risk_by_visits
  ON customers(lapse_risk_band, visits, id) WHERE lapse_risk_band > 0;

-- A customer who shops is no longer at risk, whatever the last run said: every writer of
-- a visit (the purchase path, single or grouped, an import, a merge) moves them to "low"
-- and their stored risk to 0 until the next run scores them again. The WHEN is all that
-- a purchase of a customer not at risk pays.
CREATE FUNCTION customers_visit_ends_lapse_risk() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  NEW.lapse_risk_band := 0;
  UPDATE customer_features SET lapse_risk = 0 WHERE customer_id = NEW.id;
  RETURN NEW;
END $$;
CREATE TRIGGER customers_visit_ends_lapse_risk BEFORE UPDATE OF last_visit_at ON customers
  FOR EACH ROW
  WHEN (NEW.lapse_risk_band > 0
        AND COALESCE(NEW.last_visit_at, 0) > COALESCE(OLD.last_visit_at, 0))
  EXECUTE FUNCTION customers_visit_ends_lapse_risk();

-- The nightly run's lapse-risk band on the customer's row, next to the segment, so that
-- the portal's customer list filters by it in any order at a million customers (a band
-- read from customer_features had to be sorted: 0.25 s for "high" by last visit, 1.8 s
-- for "medium" within one store). 0 low, 1 medium, 2 high, as targeting::LapseRiskBand
-- places a risk (medium from 0.7, high from 0.9); NULL: not scored by a run yet. The run
-- writes it with the segment (Store::SetCustomerSegments), only where it changed.
ALTER TABLE customers ADD COLUMN lapse_risk_band INTEGER;

UPDATE customers
   SET lapse_risk_band = CASE WHEN f.lapse_risk >= 0.9 THEN 2
                              WHEN f.lapse_risk >= 0.7 THEN 1 ELSE 0 END
  FROM customer_features f
 WHERE f.customer_id = customers.id AND customers.erased_at IS NULL;

-- One index per sort order of the list, holding only the customers at risk (a fifth or
-- so): "low" is most customers, whom a walk of the plain sort index meets at once, and a
-- purchase moves its customer to "low" (below), so the customers who shop do not keep
-- these indexes busy. The list's statements repeat "lapse_risk_band > 0" and
-- "merged_into IS NULL" word for word, which is how SQLite sees that a partial index
-- serves them; holding only customers not merged away, an index counts a band without
-- reading a row of the table (10,000 rows of "high": 0.5 ms, against 60 to 170 ms).
CREATE INDEX customers_at_risk_by_last_visit
  ON customers(lapse_risk_band, COALESCE(last_visit_at, 0), id)
  WHERE lapse_risk_band > 0 AND merged_into IS NULL;
CREATE INDEX customers_at_risk_by_spend
  ON customers(lapse_risk_band, total_spend_minor, id)
  WHERE lapse_risk_band > 0 AND merged_into IS NULL;
CREATE INDEX customers_at_risk_by_visits
  ON customers(lapse_risk_band, visits, id)
  WHERE lapse_risk_band > 0 AND merged_into IS NULL;

-- A customer who shops is no longer at risk, whatever the last run said: every writer
-- of a visit (the purchase path, single or grouped, an import, a merge) moves them to
-- "low" and their stored risk to 0 until the next run scores them again. Customers not
-- at risk cost the purchase only this WHEN.
CREATE TRIGGER customers_visit_ends_lapse_risk AFTER UPDATE OF last_visit_at ON customers
  WHEN new.lapse_risk_band > 0 AND COALESCE(new.last_visit_at, 0) > COALESCE(old.last_visit_at, 0)
BEGIN
  UPDATE customers SET lapse_risk_band = 0 WHERE id = new.id;
  UPDATE customer_features SET lapse_risk = 0 WHERE customer_id = new.id;
END;

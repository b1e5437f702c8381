-- The portal's customer list by lapse risk (as migrations/sqlite/0024): sorted by it, or
-- filtered to a band, at a million customers. The key is the risk in millionths,
-- truncated like SQLite's CAST, spelt as the list's statements spell it.
CREATE INDEX customer_features_by_lapse_risk
  ON customer_features ((CAST(floor(lapse_risk * 1000000) AS bigint)), customer_id);

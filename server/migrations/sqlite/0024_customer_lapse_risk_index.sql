-- The portal's customer list by lapse risk (storage/portal_customer_sql.cc): sorted by
-- it, or filtered to a band, at a million customers. The key is the risk in millionths,
-- an integer like the list's other keys, spelt as the list's statements spell it so that
-- SQLite walks this index for them.
CREATE INDEX customer_features_by_lapse_risk
  ON customer_features(CAST(lapse_risk * 1000000 AS INTEGER), customer_id);

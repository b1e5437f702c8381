-- next_visit_candidates keeps one row per customer, campaign and run instead of one per
-- candidate: the nightly batch wrote some 2.5 million rows of 14 columns at 250,000
-- customers (most of its time), and dropped as many of the previous run the same night.
-- The candidates of a row are packed in `candidates` in rank order
-- (storage/packed_candidates.h: a version line "v1 <count>", then one tab-separated line
-- per candidate, each ending in a newline: sku, name, category, unit_price_minor, margin_rate, probability, gap_visits,
-- depth_percent, expected_cost_minor, expected_value_minor).
--
-- The run leads the key: the previous run's rows come out as one range of the key. A
-- purchase reads its customer's row by the whole key, the run being the one
-- campaign_budgets names, in the purchase's own statement (pg_next_visit.h).
--
-- Existing rows are migrated, not dropped: they are regenerated nightly, but until the
-- next run purchases would have no candidates and fall back to category offers.
CREATE TEMPORARY TABLE next_visit_candidates_0025 AS
  SELECT campaign_id, run_date, customer_id, 'v1 ' || COUNT(*) || chr(10) || string_agg(
      replace(replace(replace(sku, '\', '\\'), chr(9), '\t'), chr(10), '\n') || chr(9) ||
      replace(replace(replace(name, '\', '\\'), chr(9), '\t'), chr(10), '\n') || chr(9) ||
      replace(replace(replace(category, '\', '\\'), chr(9), '\t'), chr(10), '\n') || chr(9) ||
      unit_price_minor::text || chr(9) || margin_rate::text || chr(9) || probability::text ||
      chr(9) || gap_visits::text || chr(9) || depth_percent::text || chr(9) ||
      expected_cost_minor::text || chr(9) || expected_value_minor::text,
      chr(10) ORDER BY candidate_rank) || chr(10) AS candidates
  FROM next_visit_candidates
  GROUP BY campaign_id, run_date, customer_id;
DROP TABLE next_visit_candidates;
CREATE TABLE next_visit_candidates (
  campaign_id  TEXT NOT NULL,
  run_date     TEXT COLLATE "C" NOT NULL,  -- YYYY-MM-DD, UTC
  customer_id  BIGINT NOT NULL REFERENCES customers(id),
  candidates   TEXT NOT NULL,              -- packed, best value for cost at the run first
  PRIMARY KEY (campaign_id, run_date, customer_id)
);
INSERT INTO next_visit_candidates(campaign_id, run_date, customer_id, candidates)
  SELECT campaign_id, run_date, customer_id, candidates FROM next_visit_candidates_0025;
DROP TABLE next_visit_candidates_0025;

-- next_visit_candidates keeps one row per customer, campaign and run instead of one per
-- candidate: the nightly batch wrote some 2.5 million rows of 14 columns at 250,000
-- customers (most of its time), and dropped as many of the previous run the same night.
-- The candidates of a row are packed in `candidates` in rank order
-- (storage/packed_candidates.h: a version line "v1 <count>", then one tab-separated line
-- per candidate, each ending in a newline: sku, name, category, unit_price_minor, margin_rate, probability, gap_visits,
-- depth_percent, expected_cost_minor, expected_value_minor).
--
-- The run leads the key: a night's rows go in one after the other and the previous run's
-- come out as one range of the key. A purchase reads its customer's row by the whole key,
-- the run being the one campaign_budgets names. An ordinary rowid table, not WITHOUT
-- ROWID: a row of ten candidates with their names runs to about a kilobyte, past what a
-- WITHOUT ROWID page keeps in place. (An integer run id instead of the campaign and date
-- would save some 25 bytes of a ~1 KB row: not worth a table of runs.)
--
-- Existing rows are migrated, not dropped: they are regenerated nightly, but until the
-- next run purchases would have no candidates and fall back to category offers. Numbers
-- come out as SQLite prints them (reals to 15 digits), which the decoder reads.
CREATE TEMPORARY TABLE next_visit_candidates_0025 AS
  SELECT campaign_id, run_date, customer_id, 'v1 ' || COUNT(*) || char(10) || group_concat(line, char(10)) ||
    char(10) AS candidates
  FROM (SELECT campaign_id, run_date, customer_id,
          replace(replace(replace(sku, '\', '\\'), char(9), '\t'), char(10), '\n') || char(9) ||
          replace(replace(replace(name, '\', '\\'), char(9), '\t'), char(10), '\n') || char(9) ||
          replace(replace(replace(category, '\', '\\'), char(9), '\t'), char(10), '\n') ||
          char(9) || unit_price_minor || char(9) || CAST(margin_rate AS TEXT) || char(9) ||
          CAST(probability AS TEXT) || char(9) || CAST(gap_visits AS TEXT) || char(9) ||
          depth_percent || char(9) || CAST(expected_cost_minor AS TEXT) || char(9) ||
          CAST(expected_value_minor AS TEXT) AS line
        FROM next_visit_candidates
        ORDER BY campaign_id, run_date, customer_id, candidate_rank)
  GROUP BY campaign_id, run_date, customer_id;
DROP TABLE next_visit_candidates;
CREATE TABLE next_visit_candidates (
  campaign_id  TEXT NOT NULL,
  run_date     TEXT NOT NULL,     -- YYYY-MM-DD, UTC
  customer_id  INTEGER NOT NULL REFERENCES customers(id),
  candidates   TEXT NOT NULL,     -- packed, best value for cost at the run first
  PRIMARY KEY (campaign_id, run_date, customer_id)
);
INSERT INTO next_visit_candidates(campaign_id, run_date, customer_id, candidates)
  SELECT campaign_id, run_date, customer_id, candidates FROM next_visit_candidates_0025
  ORDER BY campaign_id, run_date, customer_id;
DROP TABLE next_visit_candidates_0025;

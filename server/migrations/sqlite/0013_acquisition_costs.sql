-- Acquisition sources (issue 7): what each way of finding customers is called on screen
-- and what the marketing team spent on it. customer_details.acquisition_source holds the
-- source's token; a token with no row here still counts, under its own name, at no cost.
CREATE TABLE acquisition_sources (
  source       TEXT PRIMARY KEY,     -- the lower-case token registration stores
  display_name TEXT NOT NULL,
  updated_at   INTEGER NOT NULL
) WITHOUT ROWID;

-- Spend as a marketing team books it: an amount for a run of days (a month of flyers, a
-- two-week radio slot). A report spreads each amount evenly over its days.
CREATE TABLE acquisition_costs (
  source       TEXT NOT NULL REFERENCES acquisition_sources(source),
  period_start TEXT NOT NULL,        -- YYYY-MM-DD, first day
  period_end   TEXT NOT NULL,        -- YYYY-MM-DD, last day, inclusive
  cost_minor   INTEGER NOT NULL CHECK (cost_minor >= 0),
  updated_at   INTEGER NOT NULL,
  PRIMARY KEY (source, period_start, period_end),
  CHECK (period_end >= period_start)
) WITHOUT ROWID;

-- The report counts the customers who joined in a period.
CREATE INDEX customers_by_created_at ON customers(created_at);

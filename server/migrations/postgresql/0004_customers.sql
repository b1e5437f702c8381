-- Customers as stores run them (as migrations/sqlite/0004_customers.sql): registration
-- details, household cards, lost cards replaced, merged customers. Plus the indexes the
-- manager portal's customer list needs at a million customers (docs/scaling.md).

CREATE TABLE customer_details (
  customer_id        BIGINT PRIMARY KEY REFERENCES customers(id),
  name               TEXT NOT NULL,
  email              TEXT,
  phone              TEXT,
  birthday           TEXT,                 -- YYYY-MM-DD
  consent_email      BIGINT NOT NULL DEFAULT 0,
  consent_sms        BIGINT NOT NULL DEFAULT 0,
  acquisition_source TEXT,
  registered_at      BIGINT NOT NULL,
  updated_at         BIGINT NOT NULL
);
CREATE INDEX customer_details_by_email ON customer_details(email);
CREATE INDEX customer_details_by_phone ON customer_details(phone);

ALTER TABLE cards ADD COLUMN blocked_at BIGINT;
ALTER TABLE cards ADD COLUMN replaced_by TEXT;
ALTER TABLE customers ADD COLUMN merged_into BIGINT REFERENCES customers(id);

-- The portal lists customers sorted or filtered by visits, spend or last visit, a page
-- at a time (keyset: WHERE (visits, id) < ($1, $2) ORDER BY visits DESC, id DESC LIMIT
-- 50). Each index serves one such order and its range filters without a sort of a
-- million rows; id breaks ties so pages never overlap.
CREATE INDEX customers_by_visits ON customers(visits, id);
CREATE INDEX customers_by_spend ON customers(total_spend_minor, id);
CREATE INDEX customers_by_last_visit ON customers(last_visit_at, id);
-- Search by the start of a name or an email, case-insensitively (LIKE 'ada%' on
-- lower(...) with text_pattern_ops works in any database collation).
CREATE INDEX customer_details_by_name_prefix ON customer_details(lower(name) text_pattern_ops);
CREATE INDEX customer_details_by_email_prefix ON customer_details(lower(email) text_pattern_ops);
-- A store's sales over time, for a store manager's reports.
CREATE INDEX purchases_by_store ON purchases(store_id, occurred_at);

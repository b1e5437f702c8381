-- Customers brought in by a history import (loyalty-batch import) under another
-- system's customer id (as migrations/sqlite/0011_imported_customers.sql).
CREATE TABLE imported_customers (
  source_id   TEXT PRIMARY KEY,   -- the customer's id in the system the history came from
  customer_id BIGINT NOT NULL REFERENCES customers(id),
  imported_at BIGINT NOT NULL
);
CREATE INDEX imported_customers_by_customer ON imported_customers(customer_id);

-- Customers brought in by a history import (loyalty-batch import) under another
-- system's customer id. The mapping makes a second import of the same file, or a later
-- file from the same system, land on the same customer. Such a customer has no card
-- until the chain hands them one (Store::AddCard): their purchases carry the customer
-- only. (As migrations/postgresql/0011_imported_customers.sql.)
CREATE TABLE imported_customers (
  source_id   TEXT PRIMARY KEY,   -- the customer's id in the system the history came from
  customer_id INTEGER NOT NULL REFERENCES customers(id),
  imported_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX imported_customers_by_customer ON imported_customers(customer_id);

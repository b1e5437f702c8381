-- The portal's customer pages (issue 7): a segment the nightly batch fills, erasure,
-- the stores each customer shopped in (a store manager sees only those customers),
-- the staff's contact log, and the indexes the customer list needs at a million.

ALTER TABLE customers ADD COLUMN segment TEXT;      -- null until the batch sets it
ALTER TABLE customers ADD COLUMN erased_at INTEGER;  -- personal data removed (privacy)

-- One row per customer and store they bought in, kept by the purchase transaction.
CREATE TABLE customer_stores (
  customer_id   INTEGER NOT NULL REFERENCES customers(id),
  store_id      TEXT NOT NULL,
  visits        INTEGER NOT NULL,
  spend_minor   INTEGER NOT NULL,
  last_visit_at INTEGER NOT NULL,
  PRIMARY KEY (customer_id, store_id)
) WITHOUT ROWID;
CREATE INDEX customer_stores_by_store ON customer_stores(store_id, customer_id);
INSERT INTO customer_stores(customer_id, store_id, visits, spend_minor, last_visit_at)
SELECT customer_id, store_id, COUNT(*), SUM(total_minor), MAX(occurred_at) FROM purchases
WHERE customer_id IS NOT NULL GROUP BY customer_id, store_id;

-- Staff notes and complaints; a follow-up is open while done_at is null.
CREATE TABLE customer_contacts (
  id               INTEGER PRIMARY KEY,
  customer_id      INTEGER NOT NULL REFERENCES customers(id),
  kind             TEXT NOT NULL CHECK (kind IN ('note', 'complaint')),
  body             TEXT NOT NULL,              -- personal data: blanked by an erasure
  author_user_id   INTEGER REFERENCES portal_users(id),
  created_at       INTEGER NOT NULL,
  follow_up_due_at INTEGER,
  done_at          INTEGER,
  done_by_user_id  INTEGER REFERENCES portal_users(id)
);
CREATE INDEX customer_contacts_by_customer ON customer_contacts(customer_id, id);
CREATE INDEX customer_contacts_open_follow_ups ON customer_contacts(follow_up_due_at)
  WHERE done_at IS NULL AND follow_up_due_at IS NOT NULL;

-- Keyset pages of the customer list (docs/scaling.md): one index per sort order, the id
-- breaking ties. A customer who never bought sorts as last visit 0.
CREATE INDEX customers_by_visits ON customers(visits, id);
CREATE INDEX customers_by_spend ON customers(total_spend_minor, id);
CREATE INDEX customers_by_last_visit ON customers(COALESCE(last_visit_at, 0), id);
CREATE INDEX customers_by_segment ON customers(segment, id) WHERE segment IS NOT NULL;
-- Search by the start of a name or e-mail in lower case, and by a phone's digits.
CREATE INDEX customer_details_by_lower_name ON customer_details(lower(name), customer_id);
CREATE INDEX customer_details_by_lower_email ON customer_details(lower(email));
CREATE INDEX customer_details_by_phone_digits ON customer_details(
  replace(replace(replace(replace(replace(phone, ' ', ''), '-', ''), '+', ''), '(', ''), ')', ''));

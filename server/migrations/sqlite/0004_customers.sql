-- Customers as stores run them: a card works the moment it is handed out (its first use
-- makes an anonymous customer); registration adds personal details later; a household
-- shares one customer with several cards; a lost card is blocked and replaced with its
-- history kept; two customers found to be one person are merged.

-- Personal data lives here alone, so erasing a customer (portal, later) is one row.
CREATE TABLE customer_details (
  customer_id        INTEGER PRIMARY KEY REFERENCES customers(id),
  name               TEXT NOT NULL,
  email              TEXT,
  phone              TEXT,
  birthday           TEXT,                 -- YYYY-MM-DD
  consent_email      INTEGER NOT NULL DEFAULT 0,
  consent_sms        INTEGER NOT NULL DEFAULT 0,
  acquisition_source TEXT,                 -- how they heard of us: "flyer", "friend", ...
  registered_at      INTEGER NOT NULL,
  updated_at         INTEGER NOT NULL
);
CREATE INDEX customer_details_by_email ON customer_details(email);
CREATE INDEX customer_details_by_phone ON customer_details(phone);

ALTER TABLE cards ADD COLUMN blocked_at INTEGER;
ALTER TABLE cards ADD COLUMN replaced_by TEXT;
ALTER TABLE customers ADD COLUMN merged_into INTEGER REFERENCES customers(id);

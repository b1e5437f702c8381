-- The portal's queries at a million customers (issue 7: answers under 200 ms).
--
-- Searching words inside customer names: `match=contains` used to be lower(name) LIKE
-- '%q%', a scan of every registration (3.6 s at a million); it is now a word search:
-- each word typed starts a word of the name, case and accents folded. FTS5's unicode61
-- tokenizer does the folding (remove_diacritics 2: é, ü, ñ, ç, ő... become e, u, n, c,
-- o; PostgreSQL's migration 0015 folds the same letters). The index keeps only the
-- words; the names stay in customer_details (external content), and the triggers keep
-- both in step whatever path writes a name: registration, edit, merge, erasure.
-- prefix='2 3' keeps a search by the first two or three letters of a word one lookup.
CREATE VIRTUAL TABLE customer_name_words USING fts5(
  name, content = 'customer_details', content_rowid = 'customer_id',
  tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3');

CREATE TRIGGER customer_name_words_after_insert AFTER INSERT ON customer_details BEGIN
  INSERT INTO customer_name_words(rowid, name) VALUES (new.customer_id, new.name);
END;
CREATE TRIGGER customer_name_words_after_delete AFTER DELETE ON customer_details BEGIN
  INSERT INTO customer_name_words(customer_name_words, rowid, name)
  VALUES ('delete', old.customer_id, old.name);
END;
CREATE TRIGGER customer_name_words_after_update AFTER UPDATE OF customer_id, name
ON customer_details BEGIN
  INSERT INTO customer_name_words(customer_name_words, rowid, name)
  VALUES ('delete', old.customer_id, old.name);
  INSERT INTO customer_name_words(rowid, name) VALUES (new.customer_id, new.name);
END;

-- The names registered before this migration.
INSERT INTO customer_name_words(customer_name_words) VALUES ('rebuild');

-- The dashboard counts the chain's active customers of a run ending now from their last
-- visits (storage/dashboard_sql.h), less the customers merged away, whose last visit
-- stays behind with them. Merged customers no longer buy, so this index costs the
-- purchase path nothing.
CREATE INDEX customers_merged_by_last_visit ON customers(COALESCE(last_visit_at, 0))
  WHERE merged_into IS NOT NULL;

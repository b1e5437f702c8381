-- The portal's queries at a million customers, second part. PostgreSQL's 0019 makes its
-- accent folding of names (customer_name_fold, 0015) skip names all in ASCII; SQLite
-- folds in FTS5's tokenizer, in C, and has nothing to change. The migration is here so
-- that both engines list the same migrations (`loyalty-server migrate` checks it).
SELECT 1;

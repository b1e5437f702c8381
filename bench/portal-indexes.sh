#!/usr/bin/env bash
# The manager portal's customer-list queries on a million customers, to check that each is
# an index range scan (docs/scaling.md). Needs a built tree; runs in a throwaway cluster:
#   scripts/with-postgres --durable bench/portal-indexes.sh
set -euo pipefail
admin="$LOYALTY_TEST_POSTGRES_URL"
psql -q "$admin" -c "CREATE DATABASE portal_check"
url="${admin%/*}/portal_check"
# Any admin command creates the schema; its data directory (keys) is not needed after.
keys=$(mktemp -d)
trap 'rm -rf "$keys"' EXIT
build/bin/loyalty-server terminal list --data-dir "$keys" --storage-url "$url" >/dev/null
psql -q "$url" <<'SQL'
INSERT INTO customers(id, created_at, visits, total_spend_minor, first_visit_at, last_visit_at)
SELECT g, 1700000000, (random() * 200)::bigint, (random() * 5000000)::bigint,
       1700000000, 1700000000 + (random() * 30000000)::bigint
FROM generate_series(1, 1000000) AS g;
INSERT INTO customer_details(customer_id, name, email, registered_at, updated_at)
SELECT g, 'Customer ' || md5(g::text), md5(g::text) || '@example.com', 1, 1
FROM generate_series(1, 1000000) AS g;
ANALYZE;
SQL
q() {
  echo "### $1"
  psql -At "$url" -c "EXPLAIN (ANALYZE, COSTS OFF) $2" | grep -v "^Planning Time" | sed 's/^/    /'
}
q "first page by visits" "SELECT id, visits FROM customers ORDER BY visits DESC, id DESC LIMIT 50"
q "a later page by visits (keyset)" "SELECT id, visits FROM customers WHERE (visits, id) < (120, 500000) ORDER BY visits DESC, id DESC LIMIT 50"
q "first page by spend" "SELECT id, total_spend_minor FROM customers ORDER BY total_spend_minor DESC, id DESC LIMIT 50"
q "lapsed: last visit before a date, latest first" "SELECT id, last_visit_at FROM customers WHERE last_visit_at < 1710000000 ORDER BY last_visit_at DESC, id DESC LIMIT 50"
q "name starts with" "SELECT customer_id, name FROM customer_details WHERE lower(name) LIKE 'customer abc%' ORDER BY lower(name) LIMIT 50"
q "email starts with" "SELECT customer_id, email FROM customer_details WHERE lower(email) LIKE 'abcd%' ORDER BY lower(email) LIMIT 50"

#!/usr/bin/env python3
"""Builds data/completejourney/transactions_history.csv and transactions_future.csv, the
purchase history `loyalty-batch evaluate` is tried on, from The Complete Journey
(84.51°, CC0) transactions sample.

- Columns in the import format: customer_id (household_id), basket_id, product_id,
  timestamp (ISO 8601 UTC; the source is America/New_York local time), category
  (product_category from products.csv), quantity, amount (sales_value, US dollars).
- Lines of products that are not goods on a shelf (fuel, coupons, store supplies, as the
  demo catalog leaves them out) are dropped, and so are lines with a quantity the till
  could not ring up (above 9,999).
- Only households with at least two baskets in the sample (one basket cannot be split
  into a history and a next basket), and of those a fixed 60% (household_id % 5 in 0, 1,
  2) so that the two files stay under 3 MB in the repository.
- Split by time per household: its last basket (latest timestamp, ties by basket id)
  goes to the future file, every earlier basket to the history file.
- A line whose basket id the source mangled into floating point (4.0128e+10) is dropped.
- Amounts rounded to the cent (the source carries float residue such as 4.440892e-16).

Usage: scripts/data/make_transactions.py ../shared/data/completejourney data/completejourney
       [--all-households]   (every household with two baskets, for benchmarks outside the tree)
"""
import csv
import sys
from collections import defaultdict
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

EXCLUDED_DEPARTMENTS = {"FUEL", "COUPON", "CNTRL/STORE SUP", "GM MERCH EXP", "MISCELLANEOUS"}
MAX_QUANTITY = 9999
SOURCE_ZONE = ZoneInfo("America/New_York")
# Households kept: household_id % 5 in this set (a fixed 60% that keeps the files small).
KEEP_REMAINDERS = {0, 1, 2}
COLUMNS = ["customer_id", "basket_id", "product_id", "timestamp", "category", "quantity",
           "amount"]


def to_utc(local: str) -> str:
    moment = datetime.strptime(local, "%Y-%m-%d %H:%M:%S").replace(tzinfo=SOURCE_ZONE)
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def cents(value: str) -> str:
    """The amount to the cent, as the import reads it: the source has float residue such
    as 4.440892e-16."""
    return format(Decimal(value).quantize(Decimal("0.01")).normalize(), "f")


def main(source: Path, target: Path, keep_remainders: set) -> None:
    department, category = {}, {}
    with open(source / "products.csv", newline="") as f:
        for row in csv.DictReader(f):
            department[row["product_id"]] = row["department"]
            category[row["product_id"]] = row["product_category"]

    lines_by_basket = defaultdict(list)
    basket_time, basket_household = {}, {}
    dropped = 0
    with open(source / "transactions_sample.csv", newline="") as f:
        for row in csv.DictReader(f):
            product = row["product_id"]
            if (not row["basket_id"].isdigit()  # one id was written as 4.0128e+10: lost
                    or department.get(product, "") in EXCLUDED_DEPARTMENTS
                    or int(row["quantity"]) > MAX_QUANTITY
                    or int(row["household_id"]) % 5 not in keep_remainders):
                dropped += 1
                continue
            basket = row["basket_id"]
            basket_time[basket] = to_utc(row["transaction_timestamp"])
            basket_household[basket] = row["household_id"]
            lines_by_basket[basket].append(
                [row["household_id"], basket, product, basket_time[basket],
                 category.get(product, ""), row["quantity"], cents(row["sales_value"])])

    baskets_by_household = defaultdict(list)
    for basket, household in basket_household.items():
        baskets_by_household[household].append(basket)

    target.mkdir(parents=True, exist_ok=True)
    counts = {"history": 0, "future": 0}
    with open(target / "transactions_history.csv", "w", newline="") as history_file, \
            open(target / "transactions_future.csv", "w", newline="") as future_file:
        writers = {"history": csv.writer(history_file, lineterminator="\n"),
                   "future": csv.writer(future_file, lineterminator="\n")}
        for writer in writers.values():
            writer.writerow(COLUMNS)
        for household in sorted(baskets_by_household, key=int):
            baskets = sorted(baskets_by_household[household],
                             key=lambda b: (basket_time[b], int(b)))
            if len(baskets) < 2:
                continue
            for i, basket in enumerate(baskets):
                part = "future" if i == len(baskets) - 1 else "history"
                for line in lines_by_basket[basket]:
                    writers[part].writerow(line)
                    counts[part] += 1
    print(f"history {counts['history']} lines, future {counts['future']} lines, "
          f"{dropped} source lines left out", file=sys.stderr)


if __name__ == "__main__":
    if len(sys.argv) not in (3, 4) or (len(sys.argv) == 4 and sys.argv[3] != "--all-households"):
        sys.exit(__doc__)
    main(Path(sys.argv[1]), Path(sys.argv[2]),
         set(range(5)) if len(sys.argv) == 4 else KEEP_REMAINDERS)

#!/usr/bin/env python3
"""Builds data/completejourney/products.csv, the demo store's catalog, from The Complete
Journey (84.51°, CC0): every product bought in the transactions sample that has a
category, priced at the median shelf price it sold at ((sales_value + retail_disc +
coupon_match_disc) / quantity: what the shopper paid before store and coupon discounts).

Usage: scripts/data/make_catalog.py ../shared/data/completejourney data/completejourney
"""
import csv
import statistics
import sys
from collections import defaultdict
from decimal import Decimal, ROUND_HALF_UP
from pathlib import Path

# Departments that are not goods on a shelf (fuel by the gallon, coupons, store supplies).
EXCLUDED_DEPARTMENTS = {"FUEL", "COUPON", "CNTRL/STORE SUP", "GM MERCH EXP", "MISCELLANEOUS"}


def main(source: Path, target: Path) -> None:
    prices = defaultdict(list)
    with open(source / "transactions_sample.csv", newline="") as f:
        for row in csv.DictReader(f):
            quantity = int(row["quantity"])
            if quantity <= 0:
                continue
            shelf = (Decimal(row["sales_value"]) + Decimal(row["retail_disc"])
                     + Decimal(row["coupon_match_disc"])) / quantity
            if shelf > 0:
                prices[row["product_id"]].append(shelf)
    target.mkdir(parents=True, exist_ok=True)
    written = 0
    with open(source / "products.csv", newline="") as f, \
            open(target / "products.csv", "w", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["sku", "name", "department", "category", "product_type", "brand",
                         "package_size", "price"])
        for row in csv.DictReader(f):
            sku = row["product_id"]
            if sku not in prices or not row["product_category"] or not row["product_type"]:
                continue
            if row["department"] in EXCLUDED_DEPARTMENTS:
                continue
            size = " ".join(row["package_size"].split())
            price = Decimal(statistics.median(prices[sku])).quantize(Decimal("0.01"),
                                                                     ROUND_HALF_UP)
            # The data has no product names; type, brand and size make a readable one.
            name = row["product_type"].title()
            if row["brand"] == "Private":
                name += " (store brand)"
            if size:
                name += " " + size
            writer.writerow([sku, name, row["department"], row["product_category"],
                             row["product_type"], row["brand"], size, price])
            written += 1
    print(f"wrote {written} products to {target / 'products.csv'}")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))

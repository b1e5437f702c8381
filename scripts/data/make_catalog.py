#!/usr/bin/env python3
"""Builds data/completejourney/products.csv, the demo store's catalog, from The Complete
Journey (84.51°, CC0): every product bought in the transactions sample that has a
category, priced at the median shelf price it sold at ((sales_value + retail_disc +
coupon_match_disc) / quantity: what the shopper paid before store and coupon discounts).

Added for the till, since the data set has none of them (rules in the catalog README):
tax rate, a GTIN-13 barcode, how the product is sold (each or by the kg) and whether
coupons may discount it.

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

# Chicago-style sales tax, prices tax-inclusive: groceries at the reduced rate, general
# merchandise, soft drinks, candy and alcohol at the full rate.
FOOD_DEPARTMENTS = {"GROCERY", "PRODUCE", "MEAT", "MEAT-PCKGD", "DELI", "PASTRY", "NUTRITION",
                    "SEAFOOD", "SEAFOOD-PCKGD", "SALAD BAR"}
FULL_RATE_CATEGORIES = {"SOFT DRINKS", "CANDY - PACKAGED", "CANDY - CHECKLANE", "BEERS/ALES",
                        "DOMESTIC WINE", "IMPORTED WINE", "MISC WINE", "LIQUOR", "CIGARETTES",
                        "TOBACCO OTHER", "CIGARS"}
REDUCED_RATE, FULL_RATE = "2.25", "10.25"
# Coupons may not discount alcohol or tobacco (state law in much of the US).
NOT_COUPONABLE_CATEGORIES = {"BEERS/ALES", "DOMESTIC WINE", "IMPORTED WINE", "MISC WINE",
                             "LIQUOR", "CIGARETTES", "TOBACCO OTHER", "CIGARS"}
# Loose fresh goods without a package size are weighed at the till; the price is per kg.
WEIGHED_DEPARTMENTS = {"PRODUCE", "MEAT", "SEAFOOD", "SALAD BAR"}


def gtin13(sku: str) -> str:
    """A GTIN-13 in the 00 prefix (UPC-A), never the 2 prefix that loyalty cards use."""
    body = "00" + sku.zfill(10)
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body))
    return body + str((10 - total % 10) % 10)


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
                         "package_size", "price", "tax_rate", "barcode", "sold_by",
                         "couponable"])
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
            category = row["product_category"]
            full = row["department"] not in FOOD_DEPARTMENTS or category in FULL_RATE_CATEGORIES
            weighed = row["department"] in WEIGHED_DEPARTMENTS and not size
            writer.writerow([sku, name, row["department"], category, row["product_type"],
                             row["brand"], size, price, FULL_RATE if full else REDUCED_RATE,
                             "" if weighed else gtin13(sku), "kg" if weighed else "each",
                             "false" if category in NOT_COUPONABLE_CATEGORIES else "true"])
            written += 1
    print(f"wrote {written} products to {target / 'products.csv'}")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))

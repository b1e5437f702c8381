#!/usr/bin/env python3
"""Writes a synthetic purchase history in the import format, for measuring
`loyalty-batch evaluate` at a chain's scale (docs/benchmarks.md); not for judging the
model, whose figures come from real data.

Each customer has a repertoire of products drawn from a Zipf-skewed catalog, a visit
every few days, and baskets drawn mostly from the repertoire. The last basket of each
customer goes to the future file.

Usage: scripts/data/make_synthetic_history.py CUSTOMERS LINES_PER_CUSTOMER OUT_DIR [SEED]
"""
import itertools
import random
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

PRODUCTS = 30000
CATEGORIES = 300


def main(customers: int, lines_per_customer: int, out: Path, seed: int) -> None:
    rng = random.Random(seed)
    weights = [1 / (rank + 1) ** 0.9 for rank in range(PRODUCTS)]
    cumulative = list(itertools.accumulate(weights))  # so each draw is a bisection
    start = datetime(2025, 1, 1, tzinfo=timezone.utc)
    out.mkdir(parents=True, exist_ok=True)
    basket_id = 0
    with open(out / "history.csv", "w") as history, open(out / "future.csv", "w") as future:
        for f in (history, future):
            f.write("customer_id,basket_id,product_id,timestamp,category,quantity,amount\n")
        for customer in range(customers):
            repertoire = rng.choices(range(PRODUCTS), cum_weights=cumulative,
                                     k=rng.randint(10, 60))
            gap_days = rng.uniform(2, 10)
            lines_left = max(2, int(rng.gauss(lines_per_customer, lines_per_customer / 3)))
            when = start + timedelta(days=rng.uniform(0, 10))
            baskets = []
            while lines_left > 0:
                size = min(lines_left, max(1, int(rng.expovariate(1 / 6))))
                basket = [rng.choice(repertoire) if rng.random() < 0.8
                          else rng.choices(range(PRODUCTS), cum_weights=cumulative)[0]
                          for _ in range(size)]
                baskets.append((when, basket))
                lines_left -= size
                when += timedelta(days=rng.expovariate(1 / gap_days))
            for index, (when, basket) in enumerate(baskets):
                basket_id += 1
                f = future if index == len(baskets) - 1 and len(baskets) > 1 else history
                stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ")
                for product in basket:
                    f.write(f"{customer},{basket_id},{product},{stamp},C{product % CATEGORIES},1,"
                            f"{1 + product % 9}.99\n")


if __name__ == "__main__":
    if len(sys.argv) not in (4, 5):
        sys.exit(__doc__)
    main(int(sys.argv[1]), int(sys.argv[2]), Path(sys.argv[3]),
         int(sys.argv[4]) if len(sys.argv) == 5 else 1)

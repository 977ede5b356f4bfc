"""Time analyze() end to end on synthetic networks of growing size.

Run: ``python bench/bench_analyze.py`` from the repository root.
"""

from __future__ import annotations

import sys
import time

from tierform.network.analyze import analyze
from tierform.network.synthetic import synthetic_network

SIZES = ((50, 800), (100, 1600), (300, 5000), (600, 10000))


def main() -> int:
    previous: float | None = None
    print(f"{'subnets':>7} {'rules':>6} {'build s':>8} {'analyze s':>9} {'flows':>6} {'growth':>7}")
    for subnets, rules in SIZES:
        start = time.perf_counter()
        network = synthetic_network(subnets, rules, seed=1)
        built = time.perf_counter()
        result = analyze(network)
        done = time.perf_counter()
        elapsed = done - built
        growth = f"x{elapsed / previous:.1f}" if previous else "-"
        print(f"{subnets:>7} {rules:>6} {built - start:>8.2f} {elapsed:>9.2f} "
              f"{len(result.flows):>6} {growth:>7}")
        previous = elapsed
    return 0


if __name__ == "__main__":
    sys.exit(main())

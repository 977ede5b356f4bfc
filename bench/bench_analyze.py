"""Time analyze() end to end on synthetic networks of growing size.

Run: ``python bench/bench_analyze.py [--repeat N]`` from the repository root. Each size is
timed N times and the fastest run is kept (the machine is shared: the minimum is the least
noisy figure); "cpu s" is the process's CPU time of that run, steadier than wall time when
other jobs share the cores. "per doubling" is the time ratio scaled to a doubling of the
subnet count, ``(t2 / t1) ** (1 / log2(n2 / n1))``: 2 means linear growth, 4 quadratic.
"""

from __future__ import annotations

import argparse
import math
import sys
import time

from tierform.analyze import analyze
from tierform.network.synthetic import synthetic_network

SIZES = ((50, 800), (100, 1600), (300, 5000), (600, 10000))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per size (default 3)")
    args = parser.parse_args(argv)
    previous: tuple[int, float] | None = None
    print(f"{'subnets':>7} {'rules':>6} {'build s':>8} {'analyze s':>9} {'cpu s':>6} "
          f"{'flows':>6} {'ratio':>6} {'per doubling':>12}")
    for subnets, rules in SIZES:
        start = time.perf_counter()
        network = synthetic_network(subnets, rules, seed=1)
        built = time.perf_counter() - start
        times = []
        for _ in range(max(1, args.repeat)):
            start, cpu = time.perf_counter(), time.process_time()
            result = analyze(network)
            times.append((time.perf_counter() - start, time.process_time() - cpu))
        elapsed, cpu_time = min(times)
        ratio = doubling = "-"
        if previous is not None:
            size, seconds = previous
            ratio = f"x{elapsed / seconds:.1f}"
            doubling = f"x{(elapsed / seconds) ** (1 / math.log2(subnets / size)):.1f}"
        print(f"{subnets:>7} {rules:>6} {built:>8.2f} {elapsed:>9.2f} {cpu_time:>6.2f} "
              f"{len(result.flows):>6} {ratio:>6} {doubling:>12}")
        previous = (subnets, elapsed)
    return 0


if __name__ == "__main__":
    sys.exit(main())

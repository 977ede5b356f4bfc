"""Time analyze() end to end on synthetic networks of growing size.

Run: ``python bench/bench_analyze.py [--repeat N]`` from the repository root. Each size is
timed N times and the fastest run is kept (the machine is shared: the minimum is the least
noisy figure); "cpu s" is the process's CPU time of that run, steadier than wall time when
other jobs share the cores. "per doubling" is the time ratio scaled to a doubling of the
subnet count, ``(t2 / t1) ** (1 / log2(n2 / n1))``: 2 means linear growth, 4 quadratic.
Each size runs in a fresh process, so "peak MiB" is that process's peak resident set
(``ru_maxrss``: the network, its compilation and the result).
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import subprocess
import sys
import time

from tierform.analyze import analyze
from tierform.network.synthetic import synthetic_network

SIZES = ((50, 800), (100, 1600), (300, 5000), (600, 10000), (1200, 20000), (2400, 40000))


def one(subnets: int, rules: int, repeat: int) -> dict[str, float]:
    """Build and analyze one size in this process: the fastest of ``repeat`` runs."""
    start = time.perf_counter()
    network = synthetic_network(subnets, rules, seed=1)
    built = time.perf_counter() - start
    times, flows = [], 0
    for _ in range(max(1, repeat)):
        start, cpu = time.perf_counter(), time.process_time()
        flows = len(analyze(network).flows)
        times.append((time.perf_counter() - start, time.process_time() - cpu))
    elapsed, cpu_time = min(times)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    return {"built": built, "elapsed": elapsed, "cpu": cpu_time, "flows": flows, "peak": peak}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per size (default 3)")
    parser.add_argument("--one", nargs=2, type=int, metavar=("SUBNETS", "RULES"),
                        help=argparse.SUPPRESS)  # internal: one size, JSON on stdout
    args = parser.parse_args(argv)
    if args.one:
        print(json.dumps(one(*args.one, args.repeat)))
        return 0
    previous: tuple[int, float] | None = None
    print(f"{'subnets':>7} {'rules':>6} {'build s':>8} {'analyze s':>9} {'cpu s':>6} "
          f"{'flows':>6} {'peak MiB':>8} {'ratio':>6} {'per doubling':>12}")
    for subnets, rules in SIZES:
        run = subprocess.run([sys.executable, __file__, "--one", str(subnets), str(rules),
                              "--repeat", str(args.repeat)], capture_output=True, text=True,
                             check=True)
        r = json.loads(run.stdout)
        ratio = doubling = "-"
        if previous is not None:
            size, seconds = previous
            ratio = f"x{r['elapsed'] / seconds:.1f}"
            doubling = f"x{(r['elapsed'] / seconds) ** (1 / math.log2(subnets / size)):.1f}"
        print(f"{subnets:>7} {rules:>6} {r['built']:>8.2f} {r['elapsed']:>9.2f} {r['cpu']:>6.2f} "
              f"{int(r['flows']):>6} {r['peak']:>8.0f} {ratio:>6} {doubling:>12}")
        previous = (subnets, r["elapsed"])
    return 0


if __name__ == "__main__":
    sys.exit(main())

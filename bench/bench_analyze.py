"""Time analyze() end to end on synthetic networks of growing size.

Run: ``python bench/bench_analyze.py [--repeat N]`` from the repository root. Each size is
timed N times and the fastest run is kept (the machine is shared: the minimum is the least
noisy figure); "cpu s" is the process's CPU time of that run, steadier than wall time when
other jobs share the cores. "per doubling" is the time ratio scaled to a doubling of the
subnet count, ``(t2 / t1) ** (1 / log2(n2 / n1))``: 2 means linear growth, 4 quadratic.
Each size runs in a fresh process, so "peak MiB" is that process's peak resident set
(``ru_maxrss``: the network, its compilation and the result).

"/ calib" is the analysis's CPU time over a fixed baseline measured in the same process,
interleaved with the runs (before each one, the fastest kept): a pure-Python loop of the
port-range unions and intersections the matrix is made of (``calibrate``, a frozen copy
of the merge loops, so that it does not speed up with tierform's own port sets). On a loaded
machine both slow down alike, so the ratio stays comparable where seconds do not.
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


def _merge(a: tuple[tuple[int, int], ...], b: tuple[tuple[int, int], ...]
           ) -> tuple[tuple[int, int], ...]:
    """Union of two sorted, merged range tuples (the calibration's own copy, frozen: it must
    not get faster when tierform's PortSet does)."""
    out: list[tuple[int, int]] = []
    i = j = 0
    while i < len(a) or j < len(b):
        if j >= len(b) or (i < len(a) and a[i][0] <= b[j][0]):
            low, high = a[i]
            i += 1
        else:
            low, high = b[j]
            j += 1
        if out and low <= out[-1][1] + 1:
            if high > out[-1][1]:
                out[-1] = (out[-1][0], high)
        else:
            out.append((low, high))
    return tuple(out)


def _meet(a: tuple[tuple[int, int], ...], b: tuple[tuple[int, int], ...]
          ) -> tuple[tuple[int, int], ...]:
    """Intersection of two sorted, merged range tuples (frozen, as _merge)."""
    out: list[tuple[int, int]] = []
    i = j = 0
    while i < len(a) and j < len(b):
        low = max(a[i][0], b[j][0])
        high = min(a[i][1], b[j][1])
        if low <= high:
            out.append((low, high))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return tuple(out)


def calibrate() -> float:
    """CPU seconds of a fixed workload: 200,000 unions and intersections of port ranges, by
    a frozen copy of the merge loops (not tierform's PortSet, which changes)."""
    sets = [((low, low + width), (low + 2 * width, low + 3 * width))
            for low in range(0, 60000, 997) for width in (0, 10, 100)]
    start = time.process_time()
    found: tuple[tuple[int, int], ...] = ()
    for round_ in range(100_000 // len(sets) + 1):
        for index, ports in enumerate(sets):
            found = _meet(_merge(found, ports), sets[(index + round_) % len(sets)])
            found = _merge(found, ports)
    return time.process_time() - start


def one(subnets: int, rules: int, repeat: int) -> dict[str, float]:
    """Build and analyze one size in this process: the fastest of ``repeat`` runs, and the
    fastest calibration, one before each run."""
    start = time.perf_counter()
    network = synthetic_network(subnets, rules, seed=1)
    built = time.perf_counter() - start
    times, calibrations, flows = [], [], 0
    for _ in range(max(1, repeat)):
        calibrations.append(calibrate())
        start, cpu = time.perf_counter(), time.process_time()
        flows = len(analyze(network).flows)
        times.append((time.perf_counter() - start, time.process_time() - cpu))
    elapsed, cpu_time = min(times)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    return {"built": built, "elapsed": elapsed, "cpu": cpu_time, "flows": flows, "peak": peak,
            "calib": min(calibrations)}


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
          f"{'/ calib':>7} {'flows':>6} {'peak MiB':>8} {'ratio':>6} {'per doubling':>12}")
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
              f"{r['cpu'] / r['calib']:>7.1f} {int(r['flows']):>6} {r['peak']:>8.0f} {ratio:>6} "
              f"{doubling:>12}")
        previous = (subnets, r["elapsed"])
    return 0


if __name__ == "__main__":
    sys.exit(main())

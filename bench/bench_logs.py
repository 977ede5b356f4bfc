"""Records per second of ``tierform logs check`` (DuckDB) at 1M and 10M records, and the
memory peak of the checking process.

Run: ``python bench/bench_logs.py [--sizes 1000000,10000000]`` from the repository root.
The records are made by ``tierform.logs.synthetic`` for the shipped three-tier blueprint
(its 13 custom fields, gzip with a header line as S3 delivers): 10 files of 100k records
(seeds 0-9) make 1M; 10M reads each of them ten times (through links, as 100 files).
Each size is checked in a fresh process (wall and CPU seconds: CPU time is what
stays comparable on a shared machine), so its peak resident memory is the check's own
(``ru_maxrss``), not the generator's. The goal on a 2-core machine: 10M in under 20 s.
At the first size the same process also checks with the portable SQL (Athena's spelling
of the same rules, ``dialect="portable"``) before the local one, and prints the ratio:
a ratio in one process, so it stays comparable on a shared machine.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BLUEPRINT = ROOT / "blueprints" / "three-tier.yaml"
CHUNK = 100_000

CHECK = """
import json, resource, sys, time
from pathlib import Path
from tierform import workflow
from tierform.logs.check import check_sources
from tierform.logs.intent import rules_of
checked = workflow.check(workflow.load(Path(sys.argv[1])))
nat = [__import__("ipaddress").IPv4Address(a) for a in json.loads(sys.argv[2])]
rules = rules_of(checked.layout, nat)
paths = [Path(p) for p in sys.argv[4:]]
runs = {}
for dialect in sys.argv[3].split(","):
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu = usage.ru_utime + usage.ru_stime
    started = time.perf_counter()
    result = check_sources(rules, paths, checked.loaded.blueprint.flow_logs.fields,
                           dialect=dialect)
    seconds = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_SELF)
    runs[dialect] = {"records": result.records, "seconds": seconds,
                     "cpu": usage.ru_utime + usage.ru_stime - cpu,
                     "rows": sorted(map(str, result.rows))}
same = len({json.dumps(r.pop("rows")) for r in runs.values()}) == 1
print(json.dumps({"runs": runs, "same": same,
                  "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def _make(folder: Path) -> tuple[list[Path], list[str]]:
    from tierform import workflow
    from tierform.logs.synthetic import generate, write_text

    checked = workflow.check(workflow.load(BLUEPRINT))
    fields = checked.loaded.blueprint.flow_logs.fields  # type: ignore[union-attr]
    paths, nat = [], []
    for seed in range(10):
        sample = generate(checked.layout, CHUNK, seed=seed)
        nat = [str(a) for a in sample.nat_addresses]
        paths.append(write_text(sample, folder / f"part-{seed}.log.gz", fields))
    return paths, nat


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000000,10000000",
                        help="record counts, multiples of 1M (default 1M and 10M)")
    args, _ = parser.parse_known_args()  # nox -s bench passes every script the same args
    sizes = [int(s) for s in args.sizes.split(",")]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        started = time.perf_counter()
        base, nat = _make(folder)
        print(f"generated {len(base) * CHUNK:,} records in {time.perf_counter() - started:.1f} s "
              "(not timed below)")
        for size in sizes:
            copies = max(1, size // (len(base) * CHUNK))
            paths = []
            for copy in range(copies):
                for path in base:
                    link = folder / f"c{copy}-{path.name}"
                    if not link.exists():
                        os.link(path, link)
                    paths.append(link)
            env = dict(os.environ, PYTHONPATH=str(ROOT / "generator"))
            dialects = "portable,duckdb" if size == sizes[0] else "duckdb"
            done = subprocess.run([sys.executable, "-c", CHECK, str(BLUEPRINT), json.dumps(nat),
                                   dialects, *map(str, paths)], capture_output=True, text=True,
                                  check=True, env=env)
            measured = json.loads(done.stdout.strip().splitlines()[-1])
            local = measured["runs"]["duckdb"]
            rate = local["records"] / local["seconds"]
            print(f"logs check: {local['records']:>12,} records in "
                  f"{local['seconds']:6.2f} s = {rate:>12,.0f} records/s "
                  f"(CPU {local['cpu']:.1f} s = {local['records'] / local['cpu']:,.0f} "
                  "records per CPU second: on a shared machine, wall time includes waiting), "
                  f"peak {measured['peak_mib']:,.0f} MiB, load {os.getloadavg()[0]:.1f}")
            if "portable" in measured["runs"]:
                portable = measured["runs"]["portable"]
                print(f"logs check, local SQL vs the portable (Athena's) SQL, same process: "
                      f"{portable['cpu'] / local['cpu']:.2f}x less CPU "
                      f"({portable['cpu']:.1f} s -> {local['cpu']:.1f} s), "
                      f"same rows: {'yes' if measured['same'] else 'NO'}")
                if not measured["same"]:
                    return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark: apply shipped three-tier to a fresh local emulator, on a reattached provider
and with ``TIERFORM_REATTACH=0`` (terraform starts the provider itself), interleaved.

Each apply runs in a child process of its own (emulator, init, apply, outputs), so that its
CPU time (user + sys of the child and everything it started, the provider included) is
read cleanly from ``RUSAGE_CHILDREN``.

Run from the repository root with TF_CLI_CONFIG_FILE pointing at a provider mirror:
python bench/bench_apply.py [--rounds 1] [--blueprint blueprints/three-tier.yaml]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

_CHILD = """
import json, sys, tempfile
from pathlib import Path
from tierform import workflow
from tierform.apply import apply_module
from tierform.localaws import LocalAWS
from tierform.terraform.runner import COUNTERS

checked = workflow.check(workflow.load(Path(sys.argv[1])))
region = checked.loaded.blueprint.region
with LocalAWS() as aws, tempfile.TemporaryDirectory() as folder:
    outputs = apply_module(workflow.render(checked), name=checked.name,
                           region=region, workdir=Path(folder) / "work",
                           endpoint=aws.endpoint)
print(json.dumps({"counters": COUNTERS, "outputs": len(outputs)}))
"""


def _one(blueprint: Path, reattach: bool) -> tuple[float, float, dict[str, int]]:
    """Wall and CPU seconds of one apply in a child process, and its terraform counters."""
    env = {**os.environ, "TIERFORM_REATTACH": "1" if reattach else "0"}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", _CHILD, str(blueprint)], env=env, check=False,
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"the apply failed (exit {done.returncode}):\n{done.stderr[-3000:]}")
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    counters: dict[str, int] = json.loads(done.stdout.strip().splitlines()[-1])["counters"]
    return wall, cpu, counters


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--blueprint", type=Path, default=ROOT / "blueprints" / "three-tier.yaml")
    args = parser.parse_args()
    results: dict[bool, list[tuple[float, float]]] = {True: [], False: []}
    for _ in range(args.rounds):
        for reattach in (True, False):
            wall, cpu, counters = _one(args.blueprint, reattach)
            results[reattach].append((wall, cpu))
            print(f"reattach={'on' if reattach else 'off'}: wall {wall:.1f} s, CPU {cpu:.1f} s, "
                  f"terraform {counters}", flush=True)
    on = sorted(results[True])[len(results[True]) // 2]
    off = sorted(results[False])[len(results[False]) // 2]
    print(f"load average {os.getloadavg()[0]:.1f}; median on/off: wall {on[0] / off[0]:.2f}x, "
          f"CPU {on[1] / off[1]:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark: `tierform verify` of three-tier against terraform's own floor, in one run.

Baseline, measured in the same process, interleaved with the runs it is compared with:
raw ``terraform plan -out`` + ``show -json`` in an initialised copy of the rendered
module (what a team does without tierform). Then ``tierform verify`` of the blueprint
as a user runs it (a new process each time):

- cold, plans only: no cached plan, the shared init dir already there (a changed module:
  since issue 13, init runs once per install key, never again for a changed module);
- the same with ``TIERFORM_REATTACH=0`` (terraform starts the provider itself);
- cold, from nothing: an empty cache folder (init included), once per round;
- warm: the plan comes from the cache.

Figures are the median of N rounds (the machine is shared: ``uptime`` is printed); CPU is
the children's user+sys time, steadier than wall time when other jobs share the cores.
Run from the repository root with Terraform able to install hashicorp/aws (a mirror in
TF_CLI_CONFIG_FILE or the registry): ``python bench/bench_plan.py [--rounds 3]``.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

from tierform.render.writer import write_module
from tierform.terraform.cliconfig import OFFLINE_PROVIDER_FILE, offline_provider_hcl
from tierform.terraform.runner import resolve_binary
from tierform.workflow import render_blueprint

ROOT = Path(__file__).resolve().parents[1]
BLUEPRINT = ROOT / "blueprints" / "three-tier.yaml"


def _timed(argv: Sequence[str], cwd: Path, env: Mapping[str, str] | None = None,
           ok: tuple[int, ...] = (0,)) -> tuple[float, float]:
    """Run ``argv``; (wall s, children's CPU s)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run(list(argv), cwd=cwd, env={**os.environ, **(env or {})},
                            capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode not in ok:
        raise SystemExit(f"{' '.join(argv)} exited {result.returncode}:\n{result.stderr[-2000:]}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _raw(module: Path, terraform: str) -> tuple[float, float]:
    wall1, cpu1 = _timed([terraform, "plan", "-input=false", "-no-color", "-lock=false",
                          "-out=raw.tfplan"], module)
    wall2, cpu2 = _timed([terraform, "show", "-json", "raw.tfplan"], module)
    return wall1 + wall2, cpu1 + cpu2


def _verify(cache: Path, reattach: bool) -> tuple[float, float]:
    code = "import sys; from tierform.cli import main; sys.exit(main())"
    # Exit 0 (verified) or 1 (findings) are both a finished verify; 2+ is a failure here.
    return _timed([sys.executable, "-c", code, "verify", str(BLUEPRINT)], ROOT,
                  env={"TIERFORM_CACHE_DIR": str(cache),
                       "TIERFORM_REATTACH": "1" if reattach else "0"}, ok=(0, 1))


def _forget_plans(cache: Path) -> None:
    """Drop the cached plans and work dirs; keep the shared init dir."""
    for child in ("plans", "work"):
        shutil.rmtree(cache / child, ignore_errors=True)


def _row(name: str, runs: list[tuple[float, float]], base: tuple[float, float]) -> str:
    wall = statistics.median(r[0] for r in runs)
    cpu = statistics.median(r[1] for r in runs)
    return (f"{name:<46} {wall:7.2f} s {cpu:7.2f} s   x{wall / base[0]:.2f} wall  "
            f"x{cpu / base[1]:.2f} cpu")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (default 3)")
    args = parser.parse_args(argv)
    terraform = resolve_binary()
    files, region = render_blueprint(BLUEPRINT)
    runs: dict[str, list[tuple[float, float]]] = {k: [] for k in
                                                  ("raw", "cold", "plain", "empty", "warm")}
    with tempfile.TemporaryDirectory(prefix="tierform-bench-plan-") as scratch_dir:
        scratch = Path(scratch_dir)
        module = scratch / "raw"
        write_module(files, module, extra={OFFLINE_PROVIDER_FILE: offline_provider_hcl(region)})
        _timed([terraform, "init", "-input=false", "-no-color"], module)
        cache = scratch / "cache"
        _verify(cache, True)  # the shared init dir, once
        for round_number in range(max(1, args.rounds)):
            runs["raw"].append(_raw(module, terraform))
            _forget_plans(cache)
            runs["cold"].append(_verify(cache, True))
            _forget_plans(cache)
            runs["plain"].append(_verify(cache, False))
            runs["warm"].append(_verify(cache, True))
            empty = scratch / f"empty-{round_number}"
            runs["empty"].append(_verify(empty, True))
    raw = (statistics.median(r[0] for r in runs["raw"]),
           statistics.median(r[1] for r in runs["raw"]))
    load = subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout
    print(f"machine: {os.cpu_count()} cores, uptime: {load.strip()}")
    print(f"three-tier ({len(files)} files), median of {len(runs['raw'])} interleaved rounds"
          f"{'':<3} wall      cpu      ratio to raw")
    print(_row("raw terraform plan -out + show -json", runs["raw"], raw))
    print(_row("tierform verify, cold (init dir shared)", runs["cold"], raw))
    print(_row("tierform verify, cold, TIERFORM_REATTACH=0", runs["plain"], raw))
    print(_row("tierform verify, empty cache (init included)", runs["empty"], raw))
    print(_row("tierform verify, warm (cached plan)", runs["warm"], raw))
    return 0


if __name__ == "__main__":
    sys.exit(main())

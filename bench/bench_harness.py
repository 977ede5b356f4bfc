"""Benchmark: 10 plan-assertion tests over modules/three-tier, several ways.

(a) tftest's plain per-test pattern: every test sets up (init) and plans afresh.
(b) tierform's harness, cold: empty cache; the first test inits and plans once
    ("init included"), and cold with the shared init dir already there ("init excluded").
(c) tierform's harness, warm: every plan comes from the content-addressed cache.
(d) native ``terraform test``: the same ten assertions in one ``run`` block
    (``command = plan``), timed with and without its ``init``; and once more with
    ``GOGC`` as the harness sets it (the Go setting alone, for a like-with-like reading).

(b) and (d) run interleaved, ``--rounds`` times (median); wall and CPU (user + sys of
every process, the reattached provider included: it is stopped, and so counted, at the end
of each harness run, as at the end of a pytest session). The harness's cold run is also
cut into its terraform commands (wall, terraform's CPU, the provider's CPU).

Run from the repository root with TF_CLI_CONFIG_FILE pointing at a provider mirror
(or with registry access):  python bench/bench_harness.py [--tests 10] [--rounds 3]
"""

from __future__ import annotations

import argparse
import gc
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import tftest

from tierform.terraform import reattach
from tierform.terraform.cache import plan_module
from tierform.terraform.cliconfig import GO_GC, OFFLINE_PROVIDER_FILE, offline_provider_hcl
from tierform.terraform.plan import Plan
from tierform.terraform.runner import COUNTERS, Runner, module_files, resolve_binary

ROOT = Path(__file__).resolve().parents[1]
MODULE = ROOT / "modules" / "three-tier"


def _assertions() -> list[Callable[[Plan], None]]:
    """Ten small plan assertions, as a user's test file would hold."""

    def subnets(plan: Plan) -> None:
        assert len(plan.resources("aws_subnet")) == 6

    def tiers(plan: Plan) -> None:
        assert {s.tags["Tier"] for s in plan.resources("aws_subnet")} == {"web", "app", "db"}

    def nats(plan: Plan) -> None:
        assert len(plan.resources("aws_nat_gateway")) == 2

    def db_no_routes(plan: Plan) -> None:
        assert plan.resources("aws_route", tier="db") == []

    def app_routes(plan: Plan) -> None:
        assert len(plan.resources("aws_route", tier="app")) == 2

    def web_routes(plan: Plan) -> None:
        assert len(plan.resources("aws_route", tier="web")) == 2

    def vpc(plan: Plan) -> None:
        plan.resource("aws_vpc.this").assert_matches({"cidr_block": "10.0.0.0/16"})

    def groups(plan: Plan) -> None:
        assert len(plan.resources("aws_security_group")) == 3

    def acls(plan: Plan) -> None:
        assert len(plan.resources("aws_network_acl")) == 3

    def creates(plan: Plan) -> None:
        assert plan.only_creates()

    return [subnets, tiers, nats, db_no_routes, app_routes, web_routes, vpc, groups, acls,
            creates]


def tftest_per_test(tests: list[Callable[[Plan], None]], scratch: Path) -> float:
    """(a): a fresh TerraformTest, setup (init) and plan per test, as tftest's docs show."""
    module = scratch / "tftest-module"
    shutil.copytree(MODULE, module)
    provider = scratch / OFFLINE_PROVIDER_FILE
    provider.write_text(offline_provider_hcl("us-east-1"))
    binary = resolve_binary()
    start = time.perf_counter()
    for test in tests:
        tf = tftest.TerraformTest(str(module), binary=binary, cache_dir=str(scratch))
        tf.setup(extra_files=[str(provider)])
        test(Plan(tf.plan(output=True)._raw))
        del tf
        gc.collect()  # tftest removes .terraform and the linked file when collected
    return time.perf_counter() - start


NATIVE_TEST = """\
# The ten assertions of _assertions(), as far as HCL can say them, in one run block.
run "layers" {
  command = plan

  assert {
    condition = length([aws_subnet.web_a, aws_subnet.web_b, aws_subnet.app_a,
      aws_subnet.app_b, aws_subnet.db_a, aws_subnet.db_b]) == 6
    error_message = "subnets"
  }
  assert {
    condition = toset([for s in [aws_subnet.web_a, aws_subnet.web_b, aws_subnet.app_a,
      aws_subnet.app_b, aws_subnet.db_a, aws_subnet.db_b] : s.tags["Tier"]]) == toset(
      ["web", "app", "db"])
    error_message = "tiers"
  }
  assert {
    condition     = length([aws_nat_gateway.web_a, aws_nat_gateway.web_b]) == 2
    error_message = "nats"
  }
  assert {
    condition = (aws_route_table.db_a.tags["Tier"] == "db" &&
      aws_route_table.db_b.tags["Tier"] == "db")
    error_message = "db routes"
  }
  assert {
    condition = (aws_route.app_a_default.destination_cidr_block == "0.0.0.0/0" &&
      aws_route.app_b_default.destination_cidr_block == "0.0.0.0/0")
    error_message = "app routes"
  }
  assert {
    condition = (aws_route.web_a_default.destination_cidr_block == "0.0.0.0/0" &&
      aws_route.web_b_default.destination_cidr_block == "0.0.0.0/0")
    error_message = "web routes"
  }
  assert {
    condition     = aws_vpc.this.cidr_block == "10.0.0.0/16"
    error_message = "vpc"
  }
  assert {
    condition = length([aws_security_group.web, aws_security_group.app,
      aws_security_group.db]) == 3
    error_message = "groups"
  }
  assert {
    condition     = length([aws_network_acl.web, aws_network_acl.app, aws_network_acl.db]) == 3
    error_message = "acls"
  }
  assert {
    condition     = aws_vpc.this.tags["Name"] != ""
    error_message = "creates"
  }
}
"""


def _cpu() -> float:
    """User + sys seconds of this process and its reaped children."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def _provider_cpu(pids: list[int] | None = None) -> float:
    """CPU seconds so far of the reattached providers still running (not yet reaped)."""
    total = 0
    for pid in reattach.running().values() if pids is None else pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def _timed(argv: list[str], cwd: Path, env: dict[str, str] | None = None) -> tuple[float, float,
                                                                                   str]:
    """Run ``argv``: (wall s, CPU s, stdout)."""
    cpu, start = _cpu(), time.perf_counter()
    result = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, check=False,
                            env={**os.environ, **(env or {})})
    wall, used = time.perf_counter() - start, _cpu() - cpu
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed:\n{result.stdout}{result.stderr}")
    return wall, used, result.stdout


def native_test(scratch: Path, name: str, env: dict[str, str] | None = None
                ) -> dict[str, tuple[float, float]]:
    """(d): ``terraform test`` of the ten assertions in one run block, in a fresh copy:
    {"init": (wall, cpu), "test": (wall, cpu)}."""
    module = scratch / name
    # The shipped module's own tests/ and example/ are not part of this comparison.
    shutil.copytree(MODULE, module,
                    ignore=shutil.ignore_patterns("example", "tests", ".terraform*"))
    (module / OFFLINE_PROVIDER_FILE).write_text(offline_provider_hcl("us-east-1"))
    (module / "tests").mkdir()
    (module / "tests" / "layers.tftest.hcl").write_text(NATIVE_TEST)
    binary = resolve_binary()
    init = _timed([binary, "init", "-input=false", "-no-color"], module, env)
    test = _timed([binary, "test", "-no-color"], module, env)
    if "1 passed, 0 failed" not in test[2]:
        raise SystemExit(f"terraform test did not pass:\n{test[2]}")
    shutil.rmtree(module)
    return {"init": init[:2], "test": test[:2]}


STEPS: list[tuple[str, float, float, float]] = []
"""(step, wall, terraform CPU, provider CPU) of the last instrumented harness run."""


@contextmanager
def _steps() -> Iterator[None]:
    """Record every terraform command and provider start of the block in STEPS."""
    execute, start_provider = Runner.execute, reattach.ProviderProcess.__init__

    def timed_execute(self: Runner, verb: str, *args: str, **options: Any) -> Any:
        cpu, provider, start = _cpu(), _provider_cpu(), time.perf_counter()
        try:
            return execute(self, verb, *args, **options)
        finally:
            STEPS.append((verb, time.perf_counter() - start, _cpu() - cpu,
                          _provider_cpu() - provider))

    def timed_start(self: reattach.ProviderProcess, binary: Path) -> None:
        start = time.perf_counter()
        start_provider(self, binary)
        STEPS.append(("provider start", time.perf_counter() - start, 0.0,
                      _provider_cpu([self.pid])))

    STEPS.clear()
    Runner.execute = timed_execute  # type: ignore[method-assign]
    reattach.ProviderProcess.__init__ = timed_start  # type: ignore[method-assign]
    try:
        yield
    finally:
        Runner.execute = execute  # type: ignore[method-assign]
        reattach.ProviderProcess.__init__ = start_provider  # type: ignore[method-assign]


def harness(tests: list[Callable[[Plan], None]], cache: Path) -> tuple[float, float]:
    """(b)/(c): every test asks the harness for the plan; the cache decides what runs.
    (wall, CPU), the providers stopped at the end (a session's end) and so counted."""
    cpu, start = _cpu(), time.perf_counter()
    for test in tests:
        test(plan_module(MODULE, cache_dir=cache))
    reattach.stop_all()
    return time.perf_counter() - start, _cpu() - cpu


def _forget_plans(cache: Path) -> None:
    """Drop the cached plans and work dirs; keep the shared init dir and versions."""
    for child in ("plans", "work"):
        shutil.rmtree(cache / child, ignore_errors=True)


def _median(runs: list[tuple[float, float]]) -> tuple[float, float]:
    return statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tests", type=int, default=10, help="number of tests (default 10)")
    parser.add_argument("--rounds", type=int, default=3,
                        help="interleaved rounds of (b) and (d) (default 3)")
    parser.add_argument("--no-tftest", action="store_true",
                        help="leave out (a), the slow per-test tftest pattern")
    args = parser.parse_args(argv)
    tests = (_assertions() * (args.tests // 10 + 1))[: args.tests]
    if not (MODULE / "versions.tf").is_file():
        print(f"{MODULE} is missing: render the shipped modules first", file=sys.stderr)
        return 2
    module_files(MODULE)  # fail early on an unreadable module
    runs: dict[str, list[tuple[float, float]]] = {
        k: [] for k in ("cold", "cold_shared", "native", "native_init", "native_gc")}
    steps: list[list[tuple[str, float, float, float]]] = []
    gc_env = {"GOGC": os.environ.get("GOGC") or GO_GC}
    with tempfile.TemporaryDirectory(prefix="tierform-bench-") as scratch_dir:
        scratch = Path(scratch_dir)
        plain = None if args.no_tftest else tftest_per_test(tests, scratch)
        shared = scratch / "shared"
        harness(tests[:1], shared)  # the shared init dir of the "init excluded" runs
        for number in range(max(1, args.rounds)):
            native = native_test(scratch, f"native-{number}")
            runs["native"].append(native["test"])
            runs["native_init"].append((native["init"][0] + native["test"][0],
                                        native["init"][1] + native["test"][1]))
            COUNTERS.clear()
            with _steps():
                runs["cold"].append(harness(tests, scratch / f"cold-{number}"))
            steps.append(list(STEPS))
            calls_cold = dict(COUNTERS)
            _forget_plans(shared)
            runs["cold_shared"].append(harness(tests, shared))
            runs["native_gc"].append(native_test(scratch, f"native-gc-{number}", gc_env)["test"])
        COUNTERS.clear()
        warm = harness(tests, scratch / f"cold-{number}")
        calls_warm = dict(COUNTERS)
    load = subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout
    print(f"machine: {os.cpu_count()} cores, uptime: {load.strip()}")
    print(f"{len(tests)} plan-assertion tests over {MODULE.relative_to(ROOT)}; (b) and (d): "
          f"median of {len(runs['cold'])} interleaved rounds, wall and CPU")
    if plain is not None:
        print(f"(a) tftest, setup+init+plan per test      : {plain:8.1f} s  "
              f"({len(tests)} init + {len(tests)} plan + {len(tests)} show)")
    rows = [("(b) harness, cold, empty cache (init incl.)", "cold"),
            ("(b) harness, cold, init dir shared (excl.)", "cold_shared"),
            ("(d) native terraform test, init included", "native_init"),
            ("(d) native terraform test, init excluded", "native"),
            (f"(d) the same, GOGC={gc_env['GOGC']} as the harness", "native_gc")]
    for name, key in rows:
        wall, cpu = _median(runs[key])
        print(f"{name:<46}: {wall:8.2f} s wall {cpu:7.2f} s CPU")
    print(f"(b) terraform calls, cold: {calls_cold}")
    print(f"(c) harness, warm cache                   : {warm[0]:8.3f} s wall {warm[1]:7.3f} s "
          f"CPU  terraform calls {calls_warm}")
    print("(b) cold, by step (median over rounds): wall, terraform CPU, provider CPU")
    for index, (verb, *_rest) in enumerate(steps[0]):
        cells = [statistics.median(float(run[index][k]) for run in steps if len(run) > index)
                 for k in (1, 2, 3)]
        print(f"    {verb:<15} {cells[0]:7.2f} s {cells[1]:7.2f} s {cells[2]:7.2f} s")
    cold, shared_cold = _median(runs["cold"]), _median(runs["cold_shared"])
    native_incl, native_excl = _median(runs["native_init"]), _median(runs["native"])
    print("ratios native / harness (harness ahead when > 1), wall | CPU:")
    print(f"    init included: {native_incl[0] / cold[0]:.2f}x | {native_incl[1] / cold[1]:.2f}x"
          f"   init excluded: {native_excl[0] / shared_cold[0]:.2f}x | "
          f"{native_excl[1] / shared_cold[1]:.2f}x   native with GOGC, init excluded: "
          f"{_median(runs['native_gc'])[1] / shared_cold[1]:.2f}x CPU")
    if plain is not None:
        print(f"    a/b = {plain / cold[0]:.1f}x   a/c = {plain / warm[0]:.0f}x   "
              f"b/c = {cold[0] / warm[0]:.0f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())

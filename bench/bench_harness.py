"""Benchmark: 10 plan-assertion tests over modules/three-tier, three ways.

(a) tftest's plain per-test pattern: every test sets up (init) and plans afresh.
(b) tierform's harness, cold: empty cache; the first test inits and plans once.
(c) tierform's harness, warm: every plan comes from the content-addressed cache.
(d) native ``terraform test``: the same ten assertions in one ``run`` block
    (``command = plan``), in a copy initialised beforehand (init not timed).

Run from the repository root with TF_CLI_CONFIG_FILE pointing at a provider mirror
(or with registry access):  python bench/bench_harness.py [--tests 10]
"""

from __future__ import annotations

import argparse
import gc
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import tftest

from tierform.terraform.cache import plan_module
from tierform.terraform.cliconfig import OFFLINE_PROVIDER_FILE, offline_provider_hcl
from tierform.terraform.plan import Plan
from tierform.terraform.runner import COUNTERS, module_files, resolve_binary

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


def native_test(scratch: Path) -> float:
    """(d): ``terraform test`` of the ten assertions in one run block (init beforehand)."""
    module = scratch / "native-module"
    shutil.copytree(MODULE, module, ignore=shutil.ignore_patterns("example", ".terraform*"))
    (module / OFFLINE_PROVIDER_FILE).write_text(offline_provider_hcl("us-east-1"))
    (module / "tests").mkdir()
    (module / "tests" / "layers.tftest.hcl").write_text(NATIVE_TEST)
    binary = resolve_binary()
    subprocess.run([binary, "init", "-input=false", "-no-color"], cwd=module, check=True,
                   capture_output=True)
    start = time.perf_counter()
    result = subprocess.run([binary, "test", "-no-color"], cwd=module, capture_output=True,
                            text=True, check=False)
    elapsed = time.perf_counter() - start
    if result.returncode != 0 or "1 passed, 0 failed" not in result.stdout:
        raise SystemExit(f"terraform test failed:\n{result.stdout}{result.stderr}")
    return elapsed


def harness(tests: list[Callable[[Plan], None]], cache: Path) -> float:
    """(b)/(c): every test asks the harness for the plan; the cache decides what runs."""
    start = time.perf_counter()
    for test in tests:
        test(plan_module(MODULE, cache_dir=cache))
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tests", type=int, default=10, help="number of tests (default 10)")
    args = parser.parse_args(argv)
    tests = (_assertions() * (args.tests // 10 + 1))[: args.tests]
    if not (MODULE / "versions.tf").is_file():
        print(f"{MODULE} is missing: render the shipped modules first", file=sys.stderr)
        return 2
    module_files(MODULE)  # fail early on an unreadable module
    with tempfile.TemporaryDirectory(prefix="tierform-bench-") as scratch_dir:
        scratch = Path(scratch_dir)
        plain = tftest_per_test(tests, scratch)
        native = native_test(scratch)
        COUNTERS.clear()
        cold = harness(tests, scratch / "cache")
        calls_cold = dict(COUNTERS)
        COUNTERS.clear()
        warm = harness(tests, scratch / "cache")
        calls_warm = dict(COUNTERS)
    print(f"{len(tests)} plan-assertion tests over {MODULE.relative_to(ROOT)}")
    print(f"(a) tftest, setup+init+plan per test : {plain:8.1f} s  "
          f"({len(tests)} init + {len(tests)} plan + {len(tests)} show)")
    print(f"(b) tierform harness, cold cache     : {cold:8.1f} s  terraform calls {calls_cold}")
    print(f"(c) tierform harness, warm cache     : {warm:8.3f} s  terraform calls {calls_warm}")
    print(f"(d) native terraform test, 1 run block : {native:8.1f} s  (init beforehand, not timed)")
    print(f"ratios: a/b = {plain / cold:.1f}x   a/c = {plain / warm:.0f}x   b/c = "
          f"{cold / warm:.0f}x   d/b = {native / cold:.2f}x (harness ahead when > 1)   "
          f"d/c = {native / warm:.0f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())

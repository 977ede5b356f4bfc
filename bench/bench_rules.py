"""Benchmark: NACL rules, security-group rules and resources per flow at 2, 3 and 6 AZs.

Counted from rendered synthetic blueprints, no plan: the layout's rules of each flow
(``NaclRulePlan.flow``; a security-group rule shared by flows counts for its owner) and
the module's ``resource`` blocks with the flows minus the same blueprint without them
(the module has no ``count``/``for_each`` over flows, so a block is one resource).

Two tier styles: ``netmask`` tiers get one allocator block each, so a rule names a peer
tier by one CIDR whatever the AZ count (one ACL rule per peer tier); ``cidrs`` tiers list
one /24 per AZ, spaced so that no two aggregate, the worst case: one rule per peer subnet.
Also printed: the flows at which the first NACL reaches AWS's 20 rules per direction
(the blueprint check refuses more), flows spread evenly over the tier pairs.

Run from the repository root: ``python bench/bench_rules.py [--tiers 6] [--flows 12]``.
"""

from __future__ import annotations

import argparse
import itertools
import re
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

from tierform import workflow
from tierform.errors import TierformError
from tierform.layout.numbering import flow_slot

AZ_COUNTS = (2, 3, 6)
ZONES = tuple(f"us-east-1{letter}" for letter in "abcdef")
MAX_QUOTA = 40  # AWS's highest rules per direction (and the blueprint's limit)
_RESOURCE = re.compile(r'^resource "', re.M)


def blueprint(tiers: int, flows: int, azs: int, style: str, *, quota: int = 20
              ) -> dict[str, Any]:
    """``tiers`` tiers (the first public, the rest isolated), ``flows`` tcp flows spread
    evenly over the ordered tier pairs (t0->t1, t1->t2, ... then t0->t2, ...), each on a
    port of its own; ``quota``: the NACL rules per direction the check allows."""
    names = [f"t{i}" for i in range(tiers)]
    specs: dict[str, Any] = {}
    for i, name in enumerate(names):
        spec: dict[str, Any] = {"exposure": "public" if i == 0 else "isolated"}
        if style == "netmask":
            spec["netmask"] = 24
        else:  # one /24 per AZ, two /24s apart: nothing aggregates
            spec["cidrs"] = [f"10.0.{i * 16 + 2 * z}.0/24" for z in range(azs)]
        specs[name] = spec
    pairs = [(names[i], names[(i + step) % tiers]) for step in range(1, tiers)
             for i in range(tiers)]
    chosen = [pairs[k % len(pairs)] for k in range(flows)]
    return {
        "tierform": 1, "name": f"bench-{style}-{azs}az", "region": "us-east-1",
        "vpc": {"cidr": "10.0.0.0/16"}, "availability_zones": list(ZONES[:azs]),
        "tiers": specs, "nat": "none", "limits": {"nacl_rules_per_direction": quota},
        "flows": [{"from": a, "to": b, "ports": [10000 + k], "id": flow_id}
                  for k, ((a, b), flow_id) in enumerate(zip(chosen, _ids(flows), strict=True))],
    }


def _ids(count: int) -> list[str]:
    """``count`` flow ids in distinct rule-number slots: the quota search must meet the
    quota, not two ids hashing to one slot (which the check refuses as well)."""
    ids: list[str] = []
    slots: set[int] = set()
    for n in itertools.count():
        if len(ids) == count:
            return ids
        slot = flow_slot(f"f{n}")
        if slot not in slots:
            slots.add(slot)
            ids.append(f"f{n}")
    raise AssertionError("unreachable")


def checked(data: dict[str, Any], folder: Path) -> workflow.Checked:
    path = folder / f"{data['name']}-{len(data['flows'])}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return workflow.check(workflow.load(path))


def resources(network: workflow.Checked) -> int:
    return sum(len(_RESOURCE.findall(text)) for path, text in workflow.render(network).items()
               if path.endswith(".tf") and not path.startswith("example/"))


def per_flow(tiers: int, flows: int, azs: int, style: str, folder: Path) -> dict[str, float]:
    data = blueprint(tiers, flows, azs, style, quota=MAX_QUOTA)  # counts, not the quota
    full = checked(data, folder)
    empty = checked({**data, "flows": []}, folder)
    ids = {str(f["id"]) for f in data["flows"]}
    nacl = [r for r in full.layout.nacl_rules if r.flow in ids]
    sg = [r for r in full.layout.sg_rules if r.flow in ids]
    return {"nacl": len(nacl) / flows, "sg": len(sg) / flows,
            "resources": (resources(full) - resources(empty)) / flows,
            "total": resources(full)}


def quota_flows(tiers: int, azs: int, style: str, folder: Path) -> int:
    """The most flows (spread as above) the blueprint check accepts."""
    low, high = 1, 20 * tiers  # each flow takes a rule per direction on two tiers at least
    while low < high:  # the largest accepted count: acceptance is monotonic in flows
        middle = (low + high + 1) // 2
        try:
            checked(blueprint(tiers, middle, azs, style), folder)
            low = middle
        except TierformError:
            high = middle - 1
    return low


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tiers", type=int, default=6, help="tiers (default 6)")
    parser.add_argument("--flows", type=int, default=6, help="flows (default 6: each tier "
                        "in two, within the 40-rule quota at 6 AZs one /24 each)")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    print(f"rules and resources per flow ({args.tiers} tiers, {args.flows} tcp flows "
          "between tiers; rendered, not planned; 'flows at quota': the most flows the "
          "check accepts at 20 NACL rules per direction)")
    print(f"{'tiers as':>8} {'AZs':>3} {'NACL/flow':>9} {'SG/flow':>7} {'res/flow':>8} "
          f"{'resources':>9} {'flows at quota':>14}")
    with tempfile.TemporaryDirectory(prefix="tierform-bench-rules-") as tmp:
        folder = Path(tmp)
        for style in ("netmask", "cidrs"):
            for azs in AZ_COUNTS:
                r = per_flow(args.tiers, args.flows, azs, style, folder)
                quota = quota_flows(args.tiers, azs, style, folder)
                print(f"{style:>8} {azs:>3} {r['nacl']:>9.1f} {r['sg']:>7.1f} "
                      f"{r['resources']:>8.1f} {int(r['total']):>9} {quota:>14}")
    print(f"({time.perf_counter() - start:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Blueprints whose names lean on each other, shared by the names tests (tests/unit/layout/
test_names.py) and the batch plan of them (tests/plan/test_names_plan.py)."""

from __future__ import annotations

import re
from typing import Any

import yaml
from hypothesis import strategies as st

__all__ = ["NAME_CODES", "blueprint", "random_blueprints", "rendered_addresses"]

NAME_CODES = {"zone-name-clash", "subnet-name-clash", "route-name-clash", "name-clash",
              "rule-number-clash", "flow-id-required", "flow-id-duplicate", "flow-duplicate"}
"""What a blueprint of valid parts may be refused for by this test's names."""

_RESOURCE = re.compile(r'^resource "([\w-]+)" "([\w-]+)" \{', re.M)


def rendered_addresses(files: dict[str, str]) -> list[str]:
    return [f"{kind}.{name}" for path, text in sorted(files.items())
            if path.endswith(".tf") and "/" not in path
            for kind, name in _RESOURCE.findall(text)]


def blueprint(tiers: dict[str, str], flows: list[dict[str, Any]], *,
              zones: tuple[str, ...] = ("us-east-1a", "us-east-1b"),
              networks: dict[str, str] | None = None, nat: str = "none") -> str:
    return yaml.safe_dump({
        "tierform": 1, "name": "names", "region": "us-east-1", "vpc": {"cidr": "10.0.0.0/16"},
        "availability_zones": list(zones), "networks": networks or {},
        "tiers": {t: {"exposure": e, "netmask": 26} for t, e in tiers.items()},
        "nat": nat, "flows": flows}, sort_keys=False)


_TOKENS = ["a", "b", "c", "from", "to", "in", "out", "default", "for", "tcp", "x1"]


@st.composite
def _name(draw: st.DrawFn, hyphen: bool = False) -> str:
    parts = draw(st.lists(st.sampled_from(_TOKENS), min_size=1, max_size=3))
    joints = ["_", "__"] + (["-"] if hyphen else [])
    name = parts[0]
    for part in parts[1:]:
        name += draw(st.sampled_from(joints)) + part
    if draw(st.integers(0, 5)) == 0:
        name += "_"
    return name if name[0].isalpha() else "t" + name


@st.composite
def random_blueprints(draw: st.DrawFn) -> str:
    tier_names = draw(st.lists(_name(), min_size=2, max_size=4, unique=True))
    exposures = draw(st.lists(st.sampled_from(["public", "private", "isolated"]),
                              min_size=len(tier_names), max_size=len(tier_names)))
    tiers = dict(zip(tier_names, exposures, strict=True))
    network_names = [n for n in draw(st.lists(_name(hyphen=True), max_size=2, unique=True))
                     if n not in tiers and n != "internet" and len(n) <= 30]
    networks = {n: f"192.168.{i}.0/24" for i, n in enumerate(network_names)}
    zones = draw(st.lists(st.sampled_from(["us-east-1a", "us-east-1b", "us-east-1-a",
                                           "us-east-1-a-b", "us-east-1-for"]),
                          min_size=1, max_size=3, unique=True))
    nat = "single" if "public" in exposures and draw(st.booleans()) else "none"
    pairs = [(a, b) for a in tiers for b in tiers]
    for tier, exposure in tiers.items():
        pairs += [(n, tier) for n in networks] + [(tier, n) for n in networks]
        if exposure == "public":
            pairs += [("internet", tier), (tier, "internet")]
        if exposure == "private" and nat != "none":
            pairs.append((tier, "internet"))
    flows = []
    for _ in range(draw(st.integers(1, 5))):
        src, dst = draw(st.sampled_from(pairs))
        flow: dict[str, Any] = {"from": src, "to": dst,
                                "protocol": draw(st.sampled_from(["tcp", "udp", "icmp"]))}
        if flow["protocol"] != "icmp":
            flow["ports"] = draw(st.lists(st.sampled_from([22, 80, 443, "1000-2000"]),
                                          min_size=1, max_size=2, unique=True))
        if src == "internet" and flow["protocol"] == "tcp" and 22 in flow["ports"]:
            # SSH from the whole internet needs a written reason (checks: flow-internet-admin).
            flow["internet_reason"] = "bastion for the on-call team"
        if draw(st.booleans()):
            flow["id"] = draw(_name()).replace("__", "_").rstrip("_")
        flows.append(flow)
    return blueprint(tiers, flows, zones=tuple(zones), networks=networks, nat=nat)



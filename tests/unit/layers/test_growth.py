"""Growth: ``vpc.secondary_cidrs`` and tiers allocated from a named block. The allocator's
promise holds across blocks: appending a tier (to any block) or a secondary CIDR moves
no existing subnet and changes no existing rule."""

from __future__ import annotations

import pytest
import yaml

from tierform.blueprint.load import load_blueprint_text
from tierform.errors import BlueprintError
from tierform.layout import plan_layout

BASE = {
    "tierform": 1, "name": "grow", "region": "us-east-1",
    "vpc": {"cidr": "10.0.0.0/16", "secondary_cidrs": ["100.64.0.0/16"]},
    "availability_zones": ["us-east-1a", "us-east-1b"],
    "tiers": {"web": {"exposure": "public", "netmask": 24},
              "pods": {"exposure": "private", "netmask": 20, "block": "100.64.0.0/16"},
              "app": {"exposure": "private", "netmask": 24}},
    "nat": "single",
    "flows": [{"from": "internet", "to": "web", "ports": [443]},
              {"from": "app", "to": "pods", "ports": [9000]},
              {"from": "pods", "to": "internet", "ports": [443]}],
}


def _load(**changes: object):  # type: ignore[no-untyped-def]
    return load_blueprint_text(yaml.safe_dump({**BASE, **changes}, sort_keys=False), "g.yaml")


def _codes(**changes: object) -> list[str]:
    with pytest.raises(BlueprintError) as caught:
        _load(**changes)
    return sorted(f.code for f in caught.value.findings)


def test_tiers_are_allocated_in_their_block() -> None:
    allocation = _load().allocation
    assert {az: str(c) for az, c in allocation["pods"].items()} == {
        "us-east-1a": "100.64.0.0/20", "us-east-1b": "100.64.16.0/20"}
    assert str(allocation["app"]["us-east-1a"]) == "10.0.4.0/24"  # the primary, after web


def test_growth_in_any_block_moves_nothing() -> None:
    one = _load()
    grown = _load(
        vpc={"cidr": "10.0.0.0/16", "secondary_cidrs": ["100.64.0.0/16", "100.65.0.0/16"]},
        tiers={**BASE["tiers"],  # type: ignore[dict-item]
               "jobs": {"exposure": "private", "netmask": 20, "block": "100.64.0.0/16"},
               "batch": {"exposure": "isolated", "netmask": 24, "block": "100.65.0.0/16"},
               "db": {"exposure": "isolated", "netmask": 24}},
        flows=[*BASE["flows"], {"from": "jobs", "to": "batch", "ports": [5000]}])  # type: ignore[list-item]
    for tier, zones in one.allocation.items():
        assert grown.allocation[tier] == zones, tier
    assert str(grown.allocation["jobs"]["us-east-1a"]) == "100.64.64.0/20"
    assert str(grown.allocation["batch"]["us-east-1a"]) == "100.65.0.0/24"
    a = plan_layout(one.blueprint, one.allocation)
    b = plan_layout(grown.blueprint, grown.allocation)
    assert set(a.subnets) <= set(b.subnets)
    assert set(a.nacl_rules) <= set(b.nacl_rules)
    assert set(a.sg_rules) <= set(b.sg_rules)
    denies = {(r.tier, r.egress, r.rule_number, r.cidr) for r in b.nacl_rules
              if r.action == "deny" and r.tier == "pods"}
    assert ("pods", False, 15102, "100.64.0.0/16") in denies
    assert ("pods", False, 15103, "100.65.0.0/16") in denies


def test_bad_blocks_are_refused() -> None:
    tiers = {**BASE["tiers"], "x": {"exposure": "isolated", "netmask": 24,  # type: ignore[dict-item]
                                    "block": "100.66.0.0/16"}}
    assert _codes(tiers=tiers) == ["tier-block"]
    assert _codes(vpc={"cidr": "10.0.0.0/16",
                       "secondary_cidrs": ["100.64.0.0/16", "10.0.128.0/17"]}) == \
        ["secondary-overlap"]
    assert "network-overlaps-vpc" in _codes(networks={"corp": "100.64.0.0/24"})
    explicit = {**BASE["tiers"], "e": {"exposure": "isolated",  # type: ignore[dict-item]
                                       "cidrs": ["100.64.240.0/24", "100.64.241.0/24"]}}
    _load(tiers=explicit)  # explicit CIDRs may sit in a secondary block
    outside = {**BASE["tiers"], "e": {"exposure": "isolated",  # type: ignore[dict-item]
                                      "cidrs": ["100.70.0.0/24", "100.70.1.0/24"]}}
    assert _codes(tiers=outside) == ["cidr-outside-vpc", "cidr-outside-vpc"]


def test_secondary_denies_stay_apart_from_the_ipv6_block_and_named_networks() -> None:
    from tierform.layout.numbering import (
        DENY_FIRST,
        IPV6_DENY,
        MAX_SECONDARY_CIDRS,
        deny_number,
        secondary_deny_number,
    )

    secondary = [secondary_deny_number(i) for i in range(MAX_SECONDARY_CIDRS)]
    assert secondary == list(range(15102, 15110))
    assert DENY_FIRST == deny_number(None) == 15100
    assert IPV6_DENY == 15101
    assert {DENY_FIRST, IPV6_DENY}.isdisjoint(secondary)
    assert max(secondary) < deny_number(0)  # named network 0's first CIDR
    with pytest.raises(ValueError, match="the deny band holds 8"):
        secondary_deny_number(MAX_SECONDARY_CIDRS)
    blocks = [f"100.{64 + i}.0.0/16" for i in range(MAX_SECONDARY_CIDRS + 1)]
    # The blueprint check refuses exactly what the deny band cannot number.
    _load(vpc={"cidr": "10.0.0.0/16", "secondary_cidrs": blocks[:MAX_SECONDARY_CIDRS]})
    assert _codes(vpc={"cidr": "10.0.0.0/16", "secondary_cidrs": blocks}) == ["secondary-count"]
    grown = _load(vpc={"cidr": "10.0.0.0/16", "secondary_cidrs": blocks[:MAX_SECONDARY_CIDRS]})
    numbers = {r.rule_number for r in plan_layout(grown.blueprint, grown.allocation).nacl_rules
               if r.action == "deny"}
    assert IPV6_DENY not in numbers
    assert set(secondary) <= numbers

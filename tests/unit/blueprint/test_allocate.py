"""The subnet allocator: explicit CIDRs in zone order; netmask tiers stay put as blueprints grow."""

from __future__ import annotations

from ipaddress import IPv4Network
from typing import Any

from tierform.blueprint.allocate import allocate, allocate_subnets, slot_count
from tierform.blueprint.model import Blueprint

ZONES = ["us-east-1a", "us-east-1b"]


def _bp(tiers: dict[str, Any], zones: list[str] = ZONES, vpc: str = "10.0.0.0/16") -> Blueprint:
    return Blueprint.model_validate({
        "tierform": 1, "name": "alloc", "region": "us-east-1", "vpc": {"cidr": vpc},
        "availability_zones": zones, "tiers": tiers,
    })


def _text(allocation: dict[str, dict[str, IPv4Network]]) -> dict[str, list[str]]:
    return {tier: [str(net) for net in zones.values()] for tier, zones in allocation.items()}


def test_explicit_cidrs_map_to_zones_in_order() -> None:
    result = allocate_subnets(_bp({"web": {"exposure": "public",
                                           "cidrs": ["10.0.9.0/24", "10.0.3.0/24"]}}))
    assert result == {"web": {"us-east-1a": IPv4Network("10.0.9.0/24"),
                              "us-east-1b": IPv4Network("10.0.3.0/24")}}


def test_netmask_tiers_get_aligned_blocks_of_four_slots() -> None:
    result = allocate_subnets(_bp({
        "web": {"exposure": "public", "netmask": 24},
        "app": {"exposure": "private", "netmask": 22},
        "db": {"exposure": "isolated", "netmask": 26},
    }))
    assert _text(result) == {
        "web": ["10.0.0.0/24", "10.0.1.0/24"],      # block 10.0.0.0/22
        "app": ["10.0.16.0/22", "10.0.20.0/22"],    # block 10.0.16.0/20 (first free /20)
        "db": ["10.0.4.0/26", "10.0.4.64/26"],      # block 10.0.4.0/24, after web's block
    }


def test_explicit_space_before_a_netmask_tier_is_skipped() -> None:
    result = allocate_subnets(_bp({
        "web": {"exposure": "public", "cidrs": ["10.0.0.0/24", "10.0.5.0/24"]},
        "app": {"exposure": "private", "netmask": 24},
    }))
    assert _text(result)["app"] == ["10.0.8.0/24", "10.0.9.0/24"]


def test_appending_a_tier_or_a_zone_moves_nothing() -> None:
    tiers = {
        "web": {"exposure": "public", "netmask": 24},
        "app": {"exposure": "private", "cidrs": ["10.0.100.0/24", "10.0.101.0/24"]},
        "db": {"exposure": "isolated", "netmask": 25},
    }
    before = allocate_subnets(_bp(tiers))
    grown = allocate_subnets(_bp({**tiers, "cache": {"exposure": "isolated", "netmask": 24},
                                  "edge": {"exposure": "public", "netmask": 28}}))
    for tier, zones in before.items():
        assert grown[tier] == zones
    three = ["us-east-1a", "us-east-1b", "us-east-1c"]
    tiers["app"]["cidrs"] = [*tiers["app"]["cidrs"], "10.0.102.0/24"]
    with_zone = allocate_subnets(_bp(tiers, zones=three))
    for tier, zones in before.items():
        for zone, subnet in zones.items():
            assert with_zone[tier][zone] == subnet
    assert with_zone["web"]["us-east-1c"] == IPv4Network("10.0.2.0/24")


def test_more_than_four_zones_doubles_the_slots() -> None:
    assert [slot_count(n) for n in (1, 4, 5, 8, 9)] == [4, 4, 8, 8, 16]
    zones = [f"us-east-1{letter}" for letter in "abcdef"]
    result = allocate_subnets(_bp({"web": {"exposure": "public", "netmask": 24}}, zones=zones))
    assert _text(result)["web"][-1] == "10.0.5.0/24"


def test_block_never_larger_than_the_vpc() -> None:
    result = allocate_subnets(_bp({"web": {"exposure": "public", "netmask": 25}},
                                  vpc="10.0.0.0/24"))
    assert _text(result) == {"web": ["10.0.0.0/25", "10.0.0.128/25"]}


def test_tiers_that_do_not_fit_are_reported_not_raised() -> None:
    result = allocate(_bp({
        "a": {"exposure": "public", "netmask": 26},
        "b": {"exposure": "private", "netmask": 26},
        "c": {"exposure": "private", "netmask": 23},
        "d": {"exposure": "private", "netmask": 24},
    }, zones=["us-east-1a", "us-east-1b", "us-east-1c"], vpc="10.0.0.0/24"))
    assert list(result.subnets) == ["a"]
    assert set(result.unplaced) == {"b", "c", "d"}
    assert "larger than the VPC" in result.unplaced["c"]
    assert "holds only 1 subnet(s) of /24" in result.unplaced["d"]
    assert "no free /24 block" in result.unplaced["b"]


def test_allocation_is_deterministic() -> None:
    tiers = {f"t{i}": {"exposure": "isolated", "netmask": 20 + i} for i in range(8)}
    assert allocate_subnets(_bp(tiers)) == allocate_subnets(_bp(dict(tiers)))

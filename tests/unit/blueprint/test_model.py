"""The blueprint's shape (tierform.blueprint.model): ports through tierform.ports, values
taken as YAML wrote them (no coercion of text, floats or booleans into numbers or flags)."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from tierform.blueprint.model import Blueprint, FlowLogsSpec, FlowSpec, Limits, TierSpec, VpcSpec
from tierform.ports import PortSet

FLOW = {"from": "a", "to": "b"}


@pytest.mark.parametrize(("flow", "ranges"), [
    ({}, [(0, 65535)]),
    ({"ports": "all"}, [(0, 65535)]),
    ({"ports": [443, 80, "8000-8100", "8050-9000", 81]}, [(80, 81), (443, 443), (8000, 9000)]),
    ({"ports": [22, "all"]}, [(0, 65535)]),
    ({"protocol": "icmp"}, [(0, 65535)]),
    ({"protocol": "all"}, [(0, 65535)]),
    ({"protocol": "udp", "ports": [" 53 "]}, [(53, 53)]),
])
def test_port_ranges_are_merged_by_the_one_parser(flow: dict[str, Any],
                                                  ranges: list[tuple[int, int]]) -> None:
    spec = FlowSpec.model_validate({**FLOW, **flow})
    assert spec.port_ranges() == ranges
    assert spec.port_set() == PortSet(ranges)


@pytest.mark.parametrize("ports", [True, [True], [80.5], [None], 80, {"a": 1}])
def test_port_shape(ports: object) -> None:
    with pytest.raises(ValidationError):
        FlowSpec.model_validate({**FLOW, "ports": ports})


@pytest.mark.parametrize(("model", "values"), [
    (TierSpec, {"exposure": "public", "netmask": "24"}),
    (TierSpec, {"exposure": "public", "netmask": 24.0}),
    (TierSpec, {"exposure": "public", "netmask": True}),
    (TierSpec, {"exposure": "public", "map_public_ip_on_launch": "yes"}),
    (TierSpec, {"exposure": "public", "map_public_ip_on_launch": 1}),
    (TierSpec, {"exposure": "public", "cidrs": [167772160]}),
    (VpcSpec, {"cidr": "10.0.0.0/16", "enable_dns_support": "true"}),
    (VpcSpec, {"cidr": 167772160}),
    (VpcSpec, {"cidr": True}),
    (FlowLogsSpec, {"retention_days": "365"}),
    (FlowLogsSpec, {"max_aggregation_interval": 60.0}),
    (FlowLogsSpec, {"max_aggregation_interval": "60"}),
    (Limits, {"nacl_rules_per_direction": "20"}),
    (Limits, {"subnets_per_vpc": 1_000.0}),
])
def test_values_are_not_coerced(model: type[Any], values: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        model.model_validate(values)


def test_format_version_is_exactly_one() -> None:
    base = {"name": "x", "region": "us-east-1", "vpc": {"cidr": "10.0.0.0/16"},
            "availability_zones": ["us-east-1a"],
            "tiers": {"web": {"exposure": "public", "netmask": 24}}}
    assert Blueprint.model_validate({"tierform": 1, **base}).tierform == 1
    for wrong in (True, 1.0, "1", 2):
        with pytest.raises(ValidationError):
            Blueprint.model_validate({"tierform": wrong, **base})

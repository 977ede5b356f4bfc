"""The shared readings of rule ports and resource tags (network/model.py, network/tags.py):
plan, state and live read the same rule and the same tags the same way."""

from __future__ import annotations

from typing import Any

import pytest

from tierform.aws import ALL_PORTS, normalise_protocol
from tierform.network.model import port_range
from tierform.network.tags import resource_tags, tag
from tierform.readers.live import rules_from_permissions
from tierform.readers.state import network_from_state
from tierform.terraform.plan import UNKNOWN, PlannedResource


@pytest.mark.parametrize(("protocol", "low", "high", "expected"), [
    # Protocol -1: ports ignored. Terraform writes 0/0 (aws_network_acl_rule, inline
    # blocks), aws_vpc_security_group_*_rule writes null or -1, AWS omits PortRange.
    ("-1", 0, 0, ALL_PORTS),
    ("all", None, None, ALL_PORTS),
    (-1, -1, -1, ALL_PORTS),
    ("-1", 80, 80, ALL_PORTS),
    # Other protocols have no ports: ICMP's from/to are type/code; ESP (50) has none.
    ("icmp", 8, 0, ALL_PORTS),
    ("1", -1, -1, ALL_PORTS),
    ("58", 128, 0, ALL_PORTS),
    ("50", 10, 20, ALL_PORTS),
    # tcp/udp: the ports as given; 0-0 is port 0 alone (AWS creates "TCP 0").
    ("tcp", 0, 0, (0, 0)),
    ("6", 80, 443, (80, 443)),
    ("udp", "53", "53", (53, 53)),
    (17, 0, 65535, (0, 65535)),
    # An end not given takes the other end; neither given: all ports.
    ("tcp", 80, None, (80, 80)),
    ("tcp", None, 443, (443, 443)),
    ("tcp", 80, "", (80, 80)),
    ("tcp", 80, -1, (80, 80)),
    ("tcp", None, None, ALL_PORTS),
    ("tcp", -1, -1, ALL_PORTS),
    ("udp", "", "", ALL_PORTS),
])
def test_port_range(protocol: str | int, low: Any, high: Any,
                    expected: tuple[int, int]) -> None:
    assert port_range(protocol, low, high) == expected


def test_normalise_protocol() -> None:
    assert [normalise_protocol(p) for p in ("tcp", "TCP", 6, "udp", "icmp", "all", -1, "50")] \
        == ["6", "6", "6", "17", "1", "-1", "-1", "50"]


def _state(*resources: tuple[str, dict[str, Any]]) -> dict[str, Any]:
    vpc = ("aws_vpc.main", {"id": "vpc-1", "cidr_block": "10.0.0.0/16"})
    subnet = ("aws_subnet.a", {"id": "subnet-a", "vpc_id": "vpc-1",
                               "cidr_block": "10.0.1.0/24", "tags": {"Tier": "Web"}})
    return {"values": {"root_module": {"resources": [
        {"address": address, "type": address.split(".")[0], "mode": "managed", "values": values}
        for address, values in (vpc, subnet, *resources)]}}}


def test_state_and_live_read_the_same_ports() -> None:
    """tcp 0-0 and a lone from_port read alike from state and from AWS describe output."""
    network = network_from_state(_state(
        ("aws_security_group.web", {"id": "sg-web", "vpc_id": "vpc-1", "egress": [],
                                    "ingress": [{"protocol": "tcp", "from_port": 0,
                                                 "to_port": 0, "cidr_blocks": ["10.1.0.0/16"]}]}),
        ("aws_vpc_security_group_ingress_rule.web", {
            "id": "sgr-1", "security_group_id": "sg-web", "ip_protocol": "tcp",
            "from_port": 80, "to_port": None, "cidr_ipv4": "10.2.0.0/16"}),
        ("aws_vpc_security_group_egress_rule.all", {
            "id": "sgr-2", "security_group_id": "sg-web", "ip_protocol": "-1",
            "from_port": None, "to_port": None, "cidr_ipv4": "0.0.0.0/0"}),
        ("aws_network_acl.web", {"id": "acl-web", "vpc_id": "vpc-1", "subnet_ids": ["subnet-a"],
                                 "ingress": [{"rule_no": 100, "protocol": "tcp", "action": "allow",
                                              "cidr_block": "0.0.0.0/0", "from_port": 0,
                                              "to_port": 0}],
                                 "egress": [{"rule_no": 100, "protocol": "-1", "action": "allow",
                                             "cidr_block": "0.0.0.0/0", "from_port": 0,
                                             "to_port": 0}]}),
    ))
    from_state = {(r.egress, r.protocol, r.from_port, r.to_port)
                  for r in network.security_groups["sg-web"].rules}
    assert from_state == {(False, "6", 0, 0), (False, "6", 80, 80), (True, "-1", 0, 65535)}
    entries = {(e.egress, e.protocol, e.from_port, e.to_port)
               for e in network.nacls["acl-web"].entries}
    assert entries == {(False, "6", 0, 0), (True, "-1", 0, 65535)}

    live = rules_from_permissions({"GroupId": "sg-web", "IpPermissions": [
        {"IpProtocol": "tcp", "FromPort": 0, "ToPort": 0, "IpRanges": [{"CidrIp": "10.1.0.0/16"}]},
        {"IpProtocol": "tcp", "FromPort": 80, "IpRanges": [{"CidrIp": "10.2.0.0/16"}]},
    ], "IpPermissionsEgress": [
        {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]},
    ]})
    assert {(r.egress, r.protocol, r.from_port, r.to_port) for r in live} == from_state


# ------------------------------------------------------------------------------- tags


def test_tags_all_wins_and_tags_fill_in() -> None:
    values = {"tags": {"Tier": "web", "Name": "web-a"},
              "tags_all": {"Tier": "web", "Owner": "net-team"}}
    assert resource_tags(values) == {"Tier": "web", "Name": "web-a", "Owner": "net-team"}
    # A differing value cannot come out of Terraform, but if it does, AWS holds tags_all.
    assert tag({"tags": {"Tier": "a"}, "tags_all": {"Tier": "b"}}, "Tier") == "b"


def test_unknown_or_missing_tags_all_falls_back_to_tags() -> None:
    assert resource_tags({"tags": {"Tier": "web"}, "tags_all": UNKNOWN}) == {"Tier": "web"}
    assert resource_tags({"tags": {"Tier": "web"}, "tags_all": None}) == {"Tier": "web"}
    assert resource_tags({"tags": {"Tier": "web", "Name": UNKNOWN}}) == {"Tier": "web"}
    assert resource_tags({}) == {}
    assert tag({"tags": None}, "Tier") is None


def test_aws_tag_list() -> None:
    item = {"Tags": [{"Key": "Tier", "Value": "web"}, {"Key": "Empty"}]}
    assert resource_tags(item) == {"Tier": "web", "Empty": ""}


def test_plan_and_state_read_tags_alike() -> None:
    """PlannedResource.tags and the state reader's tier use the same precedence."""
    values = {"tags": {"Tier": "Web"}, "tags_all": {"Tier": "Web", "Env": "prod"}}
    planned = PlannedResource("aws_subnet.a", "aws_subnet", "a", ("create",), None, values)
    assert planned.tags == {"Tier": "Web", "Env": "prod"}
    network = network_from_state({"values": {"root_module": {"resources": [
        {"address": "aws_vpc.main", "type": "aws_vpc", "mode": "managed",
         "values": {"id": "vpc-1", "cidr_block": "10.0.0.0/16"}},
        {"address": "aws_subnet.a", "type": "aws_subnet", "mode": "managed",
         "values": {"id": "subnet-a", "vpc_id": "vpc-1", "cidr_block": "10.0.1.0/24",
                    "tags": {"Tier": "Web"}, "tags_all": None}},
    ]}}})
    assert network.subnets["subnet-a"].tier == "Web"

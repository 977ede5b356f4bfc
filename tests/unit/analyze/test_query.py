"""query.py: one connection's verdict, leg by leg, in the order packet and reply cross them."""

from __future__ import annotations

import pytest

from tierform.analyze import query
from tierform.errors import TierformError
from tierform.network.synthetic import layered_network
from unit.analyze.networks import net

EPHEMERAL = "reply to ephemeral ports 1024-65535: allowed 1024-65535"


def test_between_tiers_routes_then_groups_then_nacls_forward_and_back() -> None:
    answer = query(net(), "app", "db", "tcp", 3306)
    assert answer.reachable
    assert [(c.leg, c.layer, c.resource, c.detail) for c in answer.legs] == [
        ("forward", "routes", "aws_route_table.app",
         "10.0.0.0/16 -> local (aws_route_table.app local route)"),
        ("return", "routes", "aws_route_table.db",
         "10.0.0.0/16 -> local (aws_route_table.db local route)"),
        ("forward", "security_groups", "aws_security_group.app",
         "app egress to/from db: allowed tcp 3306"),
        ("forward", "security_groups", "aws_security_group.db",
         "db ingress to/from app: allowed tcp 3306"),
        ("forward", "nacls", "aws_network_acl.app rule 110 (allow)",
         "app 10.0.11.0/24 outbound: tcp 3306 allowed"),
        ("forward", "nacls", "aws_network_acl.db rule 100 (allow)",
         "db 10.0.21.0/24 inbound: tcp 3306 allowed"),
        ("return", "nacls", "aws_network_acl.db rule 100 (allow)",
         f"db 10.0.21.0/24 outbound: {EPHEMERAL}"),
        ("return", "nacls", "aws_network_acl.app rule 110 (allow)",
         f"app 10.0.11.0/24 inbound: {EPHEMERAL}"),
    ]


def test_through_a_nat_the_nat_subnet_nacl_sits_between_the_ends() -> None:
    answer = query(net(), "app", "internet", "tcp", 443)
    assert answer.reachable
    assert [(c.leg, c.layer, c.resource, c.detail) for c in answer.legs] == [
        ("forward", "routes", "aws_route_table.app",
         "via NAT gateway nat nat-a, then aws_route_table.web: "
         "0.0.0.0/0 -> igw igw (aws_route.web_default)"),
        ("return", "routes", "aws_route_table.app", "replies come back the same way"),
        ("forward", "security_groups", "aws_security_group.app",
         "app egress to/from internet: allowed tcp 443"),
        ("forward", "nacls", "aws_network_acl.app rule 120 (allow)",
         "app 10.0.11.0/24 outbound: tcp 443 allowed"),
        ("forward", "nacls", "aws_network_acl.web rule 100 (allow)",
         "NAT subnet web-0 inbound from app: tcp 443 allowed"),
        ("forward", "nacls", "aws_network_acl.web rule 120 (allow)",
         "NAT subnet web-0 outbound to internet: tcp 443 allowed"),
        ("return", "nacls", "aws_network_acl.web rule 130 (allow)",
         f"NAT subnet web-0 inbound from internet: {EPHEMERAL}"),
        ("return", "nacls", "aws_network_acl.web rule 100 (allow)",
         f"NAT subnet web-0 outbound to app: {EPHEMERAL}"),
        ("return", "nacls", "aws_network_acl.app rule 120 (allow)",
         f"app 10.0.11.0/24 inbound: {EPHEMERAL}"),
    ]


def test_from_outside_the_route_says_the_subnet_must_be_public() -> None:
    answer = query(net(), "internet", "web", "tcp", 443)
    assert answer.reachable
    assert [(c.leg, c.layer) for c in answer.legs] == [
        ("forward", "routes"), ("return", "routes"), ("forward", "security_groups"),
        ("forward", "nacls"), ("return", "nacls")]
    assert answer.legs[0].detail == ("internet reaches web only if its subnet is public: "
                                     "0.0.0.0/0 -> igw igw (aws_route.web_default)")


def test_blocked_names_every_blocking_layer() -> None:
    answer = query(net(), "web", "db", "tcp", 3306)
    assert not answer.reachable
    assert [(c.leg, c.layer, c.resource) for c in answer.blocking] == [
        ("forward", "security_groups", "aws_security_group.web"),
        ("forward", "security_groups", "aws_security_group.db"),
        ("forward", "nacls", "aws_network_acl.db (no rule matches: implicit deny)"),
        ("return", "nacls", "aws_network_acl.db (no rule matches: implicit deny)"),
    ]


def test_failed_open_layer_is_said_per_leg() -> None:
    answer = query(net(), "web", "db", "tcp", 3306, failed_open="security_groups")
    groups = [c for c in answer.legs if c.layer == "security_groups"]
    assert [(c.ok, c.detail) for c in groups] == [(True, "web egress: failed open"),
                                                  (True, "db ingress: failed open")]
    assert not answer.reachable  # the NACLs still hold


def test_not_a_flow_and_bad_input() -> None:
    network = layered_network({"a": ["10.0.1.0/24"]}, named={"corp": "192.168.0.0/16"})
    answer = query(network, "corp", "internet", "tcp", 22)
    assert not answer.reachable
    assert answer.legs[0].detail == "corp -> internet is not a flow through this VPC"
    with pytest.raises(TierformError, match="unknown endpoint 'nope'"):
        query(network, "a", "nope", "tcp", 22)
    with pytest.raises(TierformError, match="unknown protocol 'sctp'"):
        query(network, "a", "a", "sctp", 22)  # type: ignore[arg-type]

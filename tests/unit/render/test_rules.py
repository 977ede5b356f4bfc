"""render/rules.py: the HCL encoding of a rule's protocol, ports and peer, decided once;
every rendered NACL and security group rule carries exactly those attributes."""

from __future__ import annotations

import json
import re
from typing import Any

import hcl2

from tierform.layout.model import NaclRulePlan, SgRulePlan
from tierform.render.rules import port_fields, sg_peer_field


def _nacl(protocol: str, ports: tuple[int, int]) -> NaclRulePlan:
    return NaclRulePlan(name="t_in_100", tier="t", egress=False, rule_number=100,
                        protocol=protocol, from_port=ports[0], to_port=ports[1],
                        cidr="10.0.0.0/24", description="d", flow=1)


def _sg(protocol: str, ports: tuple[int, int] | None, peer: str | None = None) -> SgRulePlan:
    return SgRulePlan(name="t_from_x", tier="t", egress=False, protocol=protocol,
                      from_port=ports[0] if ports else None, to_port=ports[1] if ports else None,
                      cidr=None if peer else "10.0.0.0/24", peer_tier=peer, description="d",
                      flow=1)


def test_nacl_port_fields() -> None:
    assert port_fields(_nacl("tcp", (443, 443))) == [("from_port", 443), ("to_port", 443)]
    assert port_fields(_nacl("udp", (1024, 65535))) == [("from_port", 1024), ("to_port", 65535)]
    # ICMP: every type and code; all traffic: no ports at all.
    assert port_fields(_nacl("icmp", (-1, -1))) == [("icmp_type", -1), ("icmp_code", -1)]
    assert port_fields(_nacl("-1", (0, 65535))) == []


def test_sg_port_and_peer_fields() -> None:
    assert port_fields(_sg("tcp", (22, 22))) == [("from_port", 22), ("to_port", 22)]
    assert port_fields(_sg("icmp", (-1, -1))) == [("from_port", -1), ("to_port", -1)]
    assert port_fields(_sg("-1", None)) == []
    assert sg_peer_field(_sg("tcp", (22, 22))) == ("cidr_ipv4", '"10.0.0.0/24"')
    assert sg_peer_field(_sg("tcp", (22, 22), peer="web")) == (
        "referenced_security_group_id", "aws_security_group.web.id")


def _resources(text: str, kind_pattern: str) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for block in hcl2.loads(text).get("resource", []):
        for kind, named in block.items():
            if re.fullmatch(kind_pattern, kind.strip('"')):
                out.update({json.loads(n): body for n, body in named.items()})
    return out


_PORT_KEYS = {"from_port", "to_port", "icmp_type", "icmp_code"}


def test_rendered_nacl_rules_carry_their_port_fields(case: Any) -> None:
    rendered = _resources(case.files["nacls.tf"], "aws_network_acl_rule")
    assert set(rendered) == {r.name for r in case.layout.nacl_rules}
    for rule in case.layout.nacl_rules:
        body = rendered[rule.name]
        assert {k: body[k] for k in _PORT_KEYS & set(body)} == dict(port_fields(rule)), rule.name
        assert json.loads(body["protocol"]) == rule.protocol


def test_rendered_sg_rules_carry_their_port_and_peer_fields(case: Any) -> None:
    # A load balancer's own group rules are in load_balancer.tf, beside the LB.
    rendered = {k: v for name in ("security_groups.tf", "load_balancer.tf")
                for k, v in _resources(case.files.get(name, ""),
                                       r"aws_vpc_security_group_\w+_rule").items()}
    assert set(rendered) == {r.name for r in case.layout.sg_rules}
    for rule in case.layout.sg_rules:
        body = rendered[rule.name]
        assert {k: body[k] for k in _PORT_KEYS & set(body)} == dict(port_fields(rule)), rule.name
        key, value = sg_peer_field(rule)
        peers = {k for k in ("cidr_ipv4", "cidr_ipv6", "referenced_security_group_id")
                 if k in body}
        assert peers == {key}, rule.name
        expected = json.loads(value) if value.startswith('"') else f"${{{value}}}"
        read = body[key] if key == "referenced_security_group_id" else json.loads(body[key])
        assert read == expected, rule.name


def test_icmp_and_all_traffic_are_rendered(named_case: Any) -> None:
    """The icmp-all case reaches each encoding at least once (else the tests above are thin)."""
    layout = named_case("icmp-all").layout
    assert {r.protocol for r in layout.nacl_rules} >= {"tcp", "icmp", "-1"}
    assert {r.protocol for r in layout.sg_rules} >= {"tcp", "icmp", "-1"}

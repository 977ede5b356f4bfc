"""A site-to-site VPN on a ``via: vgw`` network (``networks.<name>.vpn``): rendered only
for networks a flow names, named by the network and the CIDR (never a position), so that
adding a VPN, a network or a tier only adds resources; the short form keeps no VPN; the
analyzer's answer does not change with the VPN (its far side is assumed, and said so)."""

from __future__ import annotations

import json
from ipaddress import IPv4Network
from typing import Any

import hcl2
import yaml

from tierform import workflow
from tierform.analyze import analyze
from tierform.blueprint.load import load_blueprint_text
from tierform.layout import plan_layout
from tierform.layout.model import VpnPlan
from tierform.layout.names import addresses
from tierform.render.module import render_module

VPN = {"customer_gateway": {"ip_address": "198.51.100.7", "bgp_asn": 65010}}
BASE = {
    "tierform": 1, "name": "vpn", "region": "us-east-1", "vpc": {"cidr": "10.0.0.0/16"},
    "availability_zones": ["us-east-1a", "us-east-1b"],
    "networks": {"corp": {"cidr": "192.168.0.0/16", "vpn": VPN}, "lab": "172.16.0.0/16"},
    "tiers": {"web": {"exposure": "public", "netmask": 24},
              "mgmt": {"exposure": "isolated", "netmask": 24}},
    "flows": [{"from": "internet", "to": "web", "ports": [443]},
              {"from": "corp", "to": "mgmt", "ports": [22]},
              {"from": "lab", "to": "mgmt", "ports": [22]}],
}


def _load(**changes: object):  # type: ignore[no-untyped-def]
    return load_blueprint_text(yaml.safe_dump({**BASE, **changes}, sort_keys=False), "v.yaml")


def _plain(value: Any) -> Any:
    """python-hcl2 keeps strings quoted and references as ``${...}``: plain values."""
    if isinstance(value, str) and value.startswith('"'):
        return json.loads(value)
    return value


def test_vpn_plan_by_network_and_cidr() -> None:
    loaded = _load()
    assert loaded.blueprint.network_vpn("lab") is None
    layout = plan_layout(loaded.blueprint, loaded.allocation)
    assert layout.vpns == (VpnPlan("corp", "198.51.100.7", 65010,
                                   (("corp_192_168_0_0_16", IPv4Network("192.168.0.0/16")),)),)
    found = addresses(layout)
    for address in ("aws_customer_gateway.corp", "aws_vpn_connection.corp",
                    "aws_vpn_connection_route.corp_192_168_0_0_16"):
        assert len(found[address]) == 1


def test_rendered_vpn_is_static_and_attached_to_the_modules_gateway() -> None:
    loaded = _load()
    files = render_module(plan_layout(loaded.blueprint, loaded.allocation))
    vpc = hcl2.loads(files["vpc.tf"])
    resources = {(json.loads(kind), json.loads(name)): {k: _plain(v) for k, v in body.items()}
                 for block in vpc["resource"]
                 for kind, named in block.items() for name, body in named.items()}
    gateway = resources[("aws_customer_gateway", "corp")]
    assert (gateway["ip_address"], gateway["bgp_asn"], gateway["type"]) == \
        ("198.51.100.7", "65010", "ipsec.1")
    vpn = resources[("aws_vpn_connection", "corp")]
    assert vpn["static_routes_only"] is True
    assert vpn["vpn_gateway_id"] == "${aws_vpn_gateway.this.id}"
    assert vpn["customer_gateway_id"] == "${aws_customer_gateway.corp.id}"
    route = resources[("aws_vpn_connection_route", "corp_192_168_0_0_16")]
    assert route["destination_cidr_block"] == "192.168.0.0/16"
    assert not [k for k in resources if k[0] == "aws_vpn_connection" and k[1] != "corp"]
    assert "vpn_tunnel_addresses" in files["outputs.tf"]
    assert "pre-shared keys" in files["README.md"]
    # The long form is listed by its CIDR (it once showed the model's repr).
    assert "| corp | 192.168.0.0/16 |" in files["README.md"]
    assert "IPv4Network" not in files["README.md"]


def test_adding_a_vpn_only_adds_resources() -> None:
    without = _load(networks={"corp": "192.168.0.0/16", "lab": "172.16.0.0/16"})
    with_vpn = _load(tiers={**BASE["tiers"], "db": {"exposure": "isolated", "netmask": 24}})  # type: ignore[dict-item]
    before = addresses(plan_layout(without.blueprint, without.allocation))
    after = addresses(plan_layout(with_vpn.blueprint, with_vpn.allocation))
    assert set(before) <= set(after)
    added = {a for a in set(after) - set(before) if not a.split(".")[1].startswith("db")}
    assert added == {"aws_customer_gateway.corp", "aws_vpn_connection.corp",
                     "aws_vpn_connection_route.corp_192_168_0_0_16"}
    assert not plan_layout(without.blueprint, without.allocation).vpns


def test_the_analyzer_answers_alike_with_and_without_the_vpn() -> None:
    answers = []
    for loaded in (_load(), _load(networks={"corp": "192.168.0.0/16", "lab": "172.16.0.0/16"})):
        result = analyze(workflow.check(loaded).network)
        answers.append(sorted((f.src, f.dst, f.protocol, str(f.ports)) for f in result.flows))
        assert any("aws_vpn_gateway.this reaches corp" in a for a in result.assumptions)
    assert answers[0] == answers[1]
    assert ("corp", "mgmt", "tcp", "22") in answers[0]

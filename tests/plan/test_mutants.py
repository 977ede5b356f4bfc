"""Mutants of three-tier's real plan JSON, one misconfiguration each: `verify` must report
each with a finding naming the tier, the layer and the resource; control mutants (tags,
descriptions) stay clean. One shared plan; each mutant is a deep copy of its JSON."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tierform import workflow
from tierform.readers.plan import network_from_plan
from tierform.terraform.plan import Plan
from tierform.testing import PlanFactory
from tierform.verify import VerifyReport

pytestmark = pytest.mark.terraform

ROOT = Path(__file__).resolve().parents[2]
Doc = dict[str, Any]


@pytest.fixture(scope="module")
def document(tierform_plan: PlanFactory) -> Doc:
    plan: Plan = tierform_plan(ROOT / "modules" / "three-tier")
    return dict(plan.raw)


def _verify(doc: Doc) -> VerifyReport:
    loaded = workflow.load(ROOT / "blueprints" / "three-tier.yaml")
    network = network_from_plan(doc, named_networks=loaded.blueprint.network_cidrs)
    return workflow.verify_network(loaded, network)


def _ref(address: str) -> dict[str, list[str]]:
    return {"references": [f"{address}.id", address]}


def _add(doc: Doc, kind: str, name: str, values: dict[str, Any],
         refs: dict[str, str]) -> None:
    """A resource in planned_values, resource_changes and configuration, as terraform
    writes one whose referenced ids are unknown until apply."""
    address = f"{kind}.{name}"
    doc["planned_values"]["root_module"]["resources"].append({
        "address": address, "mode": "managed", "type": kind, "name": name,
        "provider_name": "registry.terraform.io/hashicorp/aws", "schema_version": 0,
        "values": values, "sensitive_values": {}})
    doc["resource_changes"].append({
        "address": address, "mode": "managed", "type": kind, "name": name,
        "provider_name": "registry.terraform.io/hashicorp/aws",
        "change": {"actions": ["create"], "before": None, "after": values,
                   "after_unknown": {**dict.fromkeys(refs, True), "id": True}}})
    expressions: dict[str, Any] = {k: {"constant_value": v} for k, v in values.items()
                                   if v is not None}
    expressions.update({attr: _ref(target) for attr, target in refs.items()})
    doc["configuration"]["root_module"]["resources"].append({
        "address": address, "mode": "managed", "type": kind, "name": name,
        "provider_config_key": "aws", "schema_version": 0, "expressions": expressions})


def _remove(doc: Doc, address: str) -> None:
    for where in (doc["planned_values"]["root_module"]["resources"], doc["resource_changes"],
                  doc["configuration"]["root_module"]["resources"]):
        where[:] = [r for r in where if r["address"] != address]


def _route(destination: str, attr: str, target: str | None = None,
           ref: str | None = None) -> Callable[[Doc], None]:
    dest_attr = "destination_ipv6_cidr_block" if ":" in destination else "destination_cidr_block"

    def mutate(doc: Doc) -> None:
        values: dict[str, Any] = {dest_attr: destination}
        if target is not None:
            values[attr] = target
        refs = {"route_table_id": "aws_route_table.db_a", **({attr: ref} if ref else {})}
        _add(doc, "aws_route", "db_a_mutant", values, refs)
    return mutate


def _db_ingress_v4(cidr: str) -> Callable[[Doc], None]:
    def mutate(doc: Doc) -> None:
        attr = "cidr_ipv6" if ":" in cidr else "cidr_ipv4"
        _add(doc, "aws_vpc_security_group_ingress_rule", "db_mutant",
             {"ip_protocol": "tcp", "from_port": 3306, "to_port": 3306, attr: cidr},
             {"security_group_id": "aws_security_group.db"})
    return mutate


def _db_acl_allow_all(doc: Doc) -> None:
    _add(doc, "aws_network_acl_rule", "db_mutant",
         {"rule_number": 50, "egress": False, "protocol": "-1", "rule_action": "allow",
          "cidr_block": "0.0.0.0/0", "from_port": 0, "to_port": 0},
         {"network_acl_id": "aws_network_acl.db"})


def _app_all_egress(doc: Doc) -> None:
    _add(doc, "aws_vpc_security_group_egress_rule", "app_mutant",
         {"ip_protocol": "-1", "cidr_ipv4": "0.0.0.0/0"},
         {"security_group_id": "aws_security_group.app"})


def _legacy_web_to_db(doc: Doc) -> None:
    _add(doc, "aws_security_group_rule", "db_mutant",
         {"type": "ingress", "protocol": "tcp", "from_port": 3306, "to_port": 3306},
         {"security_group_id": "aws_security_group.db",
          "source_security_group_id": "aws_security_group.web"})


def _web_b_without_internet(doc: Doc) -> None:
    _remove(doc, "aws_route.web_b_default")


def _resource(doc: Doc, section: str, address: str) -> dict[str, Any]:
    where = (doc["planned_values"]["root_module"]["resources"] if section == "planned"
             else doc["configuration"]["root_module"]["resources"])
    return next(r for r in where if r["address"] == address)


def _inline_web_to_db(doc: Doc) -> None:
    """An inline ``ingress`` block on db's group: the peer group's id is unknown at plan
    time, so terraform leaves ``security_groups`` out of the planned block."""
    block = {"cidr_blocks": [], "description": "", "from_port": 3306, "ipv6_cidr_blocks": [],
             "prefix_list_ids": [], "protocol": "tcp", "self": False, "to_port": 3306}
    _resource(doc, "planned", "aws_security_group.db")["values"]["ingress"] = [block]
    _resource(doc, "config", "aws_security_group.db")["expressions"]["ingress"] = [{
        "from_port": {"constant_value": 3306}, "to_port": {"constant_value": 3306},
        "protocol": {"constant_value": "tcp"},
        "security_groups": _ref("aws_security_group.web")}]


def _db_b_on_web_acl(doc: Doc) -> None:
    config = _resource(doc, "config", "aws_network_acl_association.db_b")
    config["expressions"]["network_acl_id"] = _ref("aws_network_acl.web")


MUTANTS: dict[str, tuple[Callable[[Doc], None], str, str]] = {
    # name: (mutation, tier named, layer named)
    "db 0.0.0.0/0 -> igw": (_route("0.0.0.0/0", "gateway_id", None,
                                   "aws_internet_gateway.this"), "db", "routes"),
    "db 0.0.0.0/0 -> tgw": (_route("0.0.0.0/0", "transit_gateway_id", "tgw-0123456789abcdef0"),
                            "db", "routes"),
    "db 10.1.0.0/16 -> peering": (_route("10.1.0.0/16", "vpc_peering_connection_id",
                                         "pcx-0123456789abcdef0"), "db", "routes"),
    "db 0.0.0.0/0 -> vgw": (_route("0.0.0.0/0", "gateway_id", "vgw-0123456789abcdef0"),
                            "db", "routes"),
    "db open to 0.0.0.0/0 on 3306": (_db_ingress_v4("0.0.0.0/0"), "db", "security_groups"),
    "db ACL allow-all rule 50": (_db_acl_allow_all, "db", "nacls"),
    "app all egress": (_app_all_egress, "app", "security_groups"),
    "legacy web -> db rule": (_legacy_web_to_db, "db", "security_groups"),
    "web_b without its internet route": (_web_b_without_internet, "web", "routes"),
    # IPv6 and the other rule forms (issue 10): three-tier has no IPv6 blocks, so the IPv6
    # mutants are judged layer by layer (a rule or route is one edit from a hole).
    "db open to ::/0 on 3306": (_db_ingress_v4("::/0"), "db", "security_groups"),
    "db ::/0 -> igw": (_route("::/0", "gateway_id", None, "aws_internet_gateway.this"),
                       "db", "routes"),
    "db ::/0 -> egress-only gateway": (_route("::/0", "egress_only_gateway_id",
                                              "eigw-0123456789abcdef0"), "db", "routes"),
    "inline ingress block web -> db": (_inline_web_to_db, "db", "security_groups"),
    "db_b on web's ACL": (_db_b_on_web_acl, "db", "nacls"),
}


@pytest.mark.parametrize("name", list(MUTANTS))
def test_each_mutant_is_a_finding_naming_tier_layer_and_resource(document: Doc,
                                                                  name: str) -> None:
    mutate, tier, layer = MUTANTS[name]
    doc = copy.deepcopy(document)
    mutate(doc)
    report = _verify(doc)
    assert report.exit_code == 1, name
    named = [f for f in report.findings
             if tier in (f.src, f.dst) and f.layer == layer and f.resource]
    assert named, [(f.kind, f.layer, f.src, f.dst, f.resource, f.message)
                   for f in report.findings]


def test_the_plan_itself_verifies_clean(document: Doc) -> None:
    report = _verify(copy.deepcopy(document))
    assert report.ok, [f.message for f in report.findings]


def test_control_mutants_stay_clean(document: Doc) -> None:
    doc = copy.deepcopy(document)
    for resource in doc["planned_values"]["root_module"]["resources"]:
        values = resource.get("values") or {}
        if isinstance(values.get("tags"), dict):
            values["tags"] = {**values["tags"], "Owner": "someone-else"}
        if "description" in values and resource["type"].endswith("_rule"):
            values["description"] = "edited by hand"
    report = _verify(doc)
    assert report.ok, [f.message for f in report.findings]



def _peered_second_vpc(doc: Doc) -> None:
    """A partner VPC in the same plan, peered (auto-accepted) with three-tier's; its subnet's
    tier is also called db; both sides route the peering, db's table to the whole peer."""
    _add(doc, "aws_vpc", "partner", {"cidr_block": "10.1.0.0/16",
                                     "tags": {"Name": "partner"}}, {})
    _add(doc, "aws_subnet", "partner_db", {"cidr_block": "10.1.1.0/24",
                                           "availability_zone": "us-east-1a",
                                           "tags": {"Tier": "db", "Name": "partner-db"}},
         {"vpc_id": "aws_vpc.partner"})
    _add(doc, "aws_vpc_peering_connection", "partner", {"auto_accept": True},
         {"vpc_id": "aws_vpc.this", "peer_vpc_id": "aws_vpc.partner"})
    _add(doc, "aws_route_table", "partner", {}, {"vpc_id": "aws_vpc.partner"})
    _add(doc, "aws_route_table_association", "partner", {},
         {"subnet_id": "aws_subnet.partner_db", "route_table_id": "aws_route_table.partner"})
    _add(doc, "aws_route", "partner_back", {"destination_cidr_block": "10.0.0.0/16"},
         {"route_table_id": "aws_route_table.partner",
          "vpc_peering_connection_id": "aws_vpc_peering_connection.partner"})
    _add(doc, "aws_route", "db_a_mutant", {"destination_cidr_block": "10.1.0.0/16"},
         {"route_table_id": "aws_route_table.db_a",
          "vpc_peering_connection_id": "aws_vpc_peering_connection.partner"})


def test_a_route_from_db_to_a_peered_vpc_in_the_plan_is_a_finding(document: Doc) -> None:
    """R13: both VPCs are read (no "only one is read" item), the partner's db tier is
    qualified and stays out of the identity check, and db's route to the peering is a
    finding naming db, the route and the peering connection."""
    doc = copy.deepcopy(document)
    _peered_second_vpc(doc)
    loaded = workflow.load(ROOT / "blueprints" / "three-tier.yaml")
    network = network_from_plan(doc, named_networks=dict(loaded.blueprint.networks))
    assert set(network.vpcs) == {"aws_vpc.this", "aws_vpc.partner"}
    assert set(network.peerings) == {"aws_vpc_peering_connection.partner"}
    assert "partner/db" in network.tiers
    assert not network.unresolved, network.unresolved
    report = workflow.verify_network(loaded, network)
    assert report.exit_code == 1
    assert [f.message for f in report.findings if f.kind == "identity"] == []
    routes = [f for f in report.findings if f.kind == "route" and f.src == "db"]
    assert [f.resource for f in routes] == ["aws_route.db_a_mutant"], report.findings
    assert "peering aws_vpc_peering_connection.partner" in routes[0].message
    assert routes[0].layer == "routes"


def test_a_peered_vpc_routed_back_is_a_path_and_unrouted_tiers_stay_blocked(
        document: Doc) -> None:
    doc = copy.deepcopy(document)
    _peered_second_vpc(doc)
    loaded = workflow.load(ROOT / "blueprints" / "three-tier.yaml")
    network = network_from_plan(doc, named_networks=dict(loaded.blueprint.networks))
    report = workflow.verify_network(loaded, network)
    reach = report.reachability
    # db's ACL admits only app's subnets: the peering route opens no flow end to end...
    assert reach.ports("db", "partner/db", "tcp").first() is None
    assert reach.ports("partner/db", "db", "tcp").first() is None
    # ...and no other tier routes to the partner at all (blocked, never unknown).
    for tier in ("web", "app"):
        assert (tier, "partner/db") not in {(u.src, u.dst) for u in reach.unknown}

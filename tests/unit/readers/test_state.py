"""The state reader (readers/state.py): wiring by AWS id."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from terraform_documents import state_document
from tierform.readers.state import network_from_state

STATE_FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "handwritten" / \
    "three-tier.state.json"


def test_state_wires_by_aws_id_and_dedupes_refreshed_rules() -> None:
    state = state_document([
        ("aws_vpc.main", {"id": "vpc-1", "cidr_block": "10.0.0.0/16",
                          "main_route_table_id": "rtb-main", "default_network_acl_id": "acl-def",
                          "default_security_group_id": "sg-def"}),
        ("aws_subnet.a", {"id": "subnet-a", "vpc_id": "vpc-1", "cidr_block": "10.0.1.0/24",
                          "tags_all": {"Tier": "Web"}}),
        ("aws_internet_gateway.main", {"id": "igw-1", "vpc_id": "vpc-1"}),
        # A refreshed table lists the aws_route below too: one route, not two.
        ("aws_route_table.web", {"id": "rtb-web", "vpc_id": "vpc-1", "route": [
            {"cidr_block": "0.0.0.0/0", "gateway_id": "igw-1", "nat_gateway_id": ""}]}),
        ("aws_route.web", {"id": "r-rtb-web1080289494", "route_table_id": "rtb-web",
                           "destination_cidr_block": "0.0.0.0/0", "gateway_id": "igw-1"}),
        ("aws_route_table_association.a", {"id": "rtbassoc-1", "subnet_id": "subnet-a",
                                           "route_table_id": "rtb-web"}),
        ("aws_security_group.web", {"id": "sg-web", "vpc_id": "vpc-1", "ingress": [
            {"protocol": "tcp", "from_port": 80, "to_port": 80, "security_groups": ["sg-web"],
             "cidr_blocks": []}], "egress": []}),
        # moto names the peer "<account>/sg-..." after a refresh
        ("aws_vpc_security_group_ingress_rule.web", {
            "id": "sgr-1", "security_group_id": "sg-web", "ip_protocol": "tcp", "from_port": 80,
            "to_port": 80, "referenced_security_group_id": "123456789012/sg-web"}),
    ])
    network = network_from_state(state)
    assert network.source == "state"
    assert network.vpc_id == "vpc-1"
    web = network.route_tables["rtb-web"]
    assert [(r.destination, r.kind, r.target) for r in web.routes] == [
        ("0.0.0.0/0", "igw", "igw-1")]
    assert web.routes[0].source == "r-rtb-web1080289494 (aws_route.web)"
    assert network.route_tables["rtb-main"].is_main
    assert network.nacls["acl-def"].is_default
    assert network.security_groups["sg-def"].is_default
    rules = network.security_groups["sg-web"].rules
    assert [(r.protocol, r.group) for r in rules] == [("6", "sg-web")]


def test_state_of_the_applied_three_tier_fixture() -> None:
    """The state saved after applying tests/fixtures/handwritten/three-tier to moto."""
    network = network_from_state(json.loads(STATE_FIXTURE.read_text()))
    assert network.source == "state"
    assert network.tiers == ["Web", "Application", "Database"]
    by_name = {t.name: t for t in network.route_tables.values()}
    public = by_name["Public-Route-Table"]
    assert [(r.destination, r.kind) for r in public.routes] == [("0.0.0.0/0", "igw")]
    assert {network.subnets[s].tier for s in public.subnet_ids} == {"Web"}
    private = by_name["Private-Route-Table-1"]
    nat = network.nat_gateways[next(str(r.target) for r in private.routes if r.kind == "nat")]
    assert network.subnets[nat.subnet_id].name == "Public-Subnet-1"
    database = by_name["Database-Route-Table"]
    assert sorted(r.destination for r in database.routes) == [
        "com.amazonaws.us-east-1.dynamodb", "com.amazonaws.us-east-1.s3"]
    main = [t for t in network.route_tables.values() if t.is_main]
    assert len(main) == 1
    assert main[0].routes == ()
    (default_nacl,) = [n for n in network.nacls.values() if n.is_default]
    assert default_nacl.entries == ()
    groups = {g.name: g for g in network.security_groups.values()}
    app = groups["App-Tier-SG"]
    assert {(r.egress, r.from_port, groups_name(network, r.group)) for r in app.rules} == {
        (False, 8080, "Web-Tier-SG"), (True, 3306, "Database-Tier-SG")}
    assert network.unresolved == []


def groups_name(network: Any, group: str | None) -> str | None:
    return network.security_groups[group].name if group else None




def _dual_stack_state(extra: list[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    return state_document([
        ("aws_vpc.main", {"id": "vpc-1", "cidr_block": "10.0.0.0/16",
                          "ipv6_cidr_block": "2600:1f18:aa:100::/56",
                          "main_route_table_id": "rtb-main", "default_network_acl_id": "acl-def",
                          "default_security_group_id": "sg-def"}),
        ("aws_subnet.a", {"id": "subnet-a", "vpc_id": "vpc-1", "cidr_block": "10.0.1.0/24",
                          "ipv6_cidr_block": "2600:1f18:aa:101::/64",
                          "assign_ipv6_address_on_creation": True, "tags_all": {"Tier": "Web"}}),
        ("aws_subnet.b", {"id": "subnet-b", "vpc_id": "vpc-1", "cidr_block": "10.0.2.0/24",
                          "ipv6_cidr_block": "", "tags_all": {"Tier": "Db"}}),
        ("aws_egress_only_internet_gateway.e", {"id": "eigw-1", "vpc_id": "vpc-1"}),
        ("aws_route_table.web", {"id": "rtb-web", "vpc_id": "vpc-1", "route": []}),
        ("aws_route.web_v6", {"id": "r-1", "route_table_id": "rtb-web",
                              "destination_cidr_block": "",
                              "destination_ipv6_cidr_block": "::/0",
                              "egress_only_gateway_id": "eigw-1"}),
        ("aws_route_table_association.a", {"id": "rtbassoc-1", "subnet_id": "subnet-a",
                                           "route_table_id": "rtb-web"}),
        ("aws_security_group.web", {"id": "sg-web", "vpc_id": "vpc-1", "tags_all":
                                    {"Tier": "Web"}, "ingress": [], "egress": [
            {"protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_blocks": [],
             "ipv6_cidr_blocks": ["::/0"], "security_groups": [], "prefix_list_ids": []}]}),
        *extra,
    ])


def test_state_reads_ipv6_blocks_routes_and_rules() -> None:
    network = network_from_state(_dual_stack_state([]))
    assert network.vpc_ipv6_cidrs == ("2600:1f18:aa:100::/56",)
    a, b = network.subnets["subnet-a"], network.subnets["subnet-b"]
    assert (a.ipv6_cidr, a.assign_ipv6, b.ipv6_cidr) == ("2600:1f18:aa:101::/64", True, None)
    assert [(r.destination, r.kind) for r in network.route_tables["rtb-web"].routes] == [
        ("::/0", "eigw")]
    assert [r.cidr for r in network.security_groups["sg-web"].rules] == ["::/0"]
    # The unmanaged default NACL of an IPv6 VPC allows ::/0 too (rule 101).
    assert {(e.rule_number, e.cidr) for e in network.nacls["acl-def"].entries} == {
        (100, "0.0.0.0/0"), (101, "::/0")}


def test_a_prefix_list_in_the_input_is_read_by_its_entries() -> None:
    rule = ("aws_vpc_security_group_ingress_rule.office", {
        "id": "sgr-1", "security_group_id": "sg-web", "ip_protocol": "tcp", "from_port": 22,
        "to_port": 22, "prefix_list_id": "pl-1"})
    listed = ("aws_ec2_managed_prefix_list.office", {
        "id": "pl-1", "address_family": "IPv6", "entry": [{"cidr": "2001:db8:1::/48"}]})
    one_more = ("aws_ec2_managed_prefix_list_entry.home", {
        "id": "pl-1,2001:db8:2::/48", "prefix_list_id": "pl-1", "cidr": "2001:db8:2::/48"})
    network = network_from_state(_dual_stack_state([rule, listed, one_more]))
    rules = [r for r in network.security_groups["sg-web"].rules if not r.egress]
    assert [(r.cidr, r.prefix_list) for r in rules] == [("2001:db8:1::/48", None),
                                                        ("2001:db8:2::/48", None)]
    assert "prefix list pl-1" in rules[0].source
    unread = network_from_state(_dual_stack_state([rule]))
    assert [r.prefix_list for r in unread.security_groups["sg-web"].rules if not r.egress] == [
        "pl-1"]


def test_a_route_to_a_prefix_list_in_the_input_is_a_route_per_entry() -> None:
    listed = ("aws_ec2_managed_prefix_list.corp", {
        "id": "pl-2", "address_family": "IPv4",
        "entry": [{"cidr": "192.168.0.0/16"}, {"cidr": "172.16.0.0/12"}]})
    route = ("aws_route.corp", {"id": "r-2", "route_table_id": "rtb-web",
                                "destination_cidr_block": "", "destination_ipv6_cidr_block": "",
                                "destination_prefix_list_id": "pl-2",
                                "transit_gateway_id": "tgw-1"})
    network = network_from_state(_dual_stack_state([listed, route]))
    routes = {(r.destination, r.kind) for r in network.route_tables["rtb-web"].routes}
    assert {("192.168.0.0/16", "tgw"), ("172.16.0.0/12", "tgw")} <= routes
    unread = network_from_state(_dual_stack_state([route]))
    assert ("pl-2", "tgw") in {(r.destination, r.kind)
                               for r in unread.route_tables["rtb-web"].routes}

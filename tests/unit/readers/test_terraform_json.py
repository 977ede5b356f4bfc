"""The assembler (readers/terraform_json.py): which VPC is read, what belongs to it."""

from __future__ import annotations

from ipaddress import IPv4Network

from terraform_documents import VPC, Res, plan_document, ref, subnet
from tierform.readers.plan import network_from_plan


def test_several_vpcs_are_all_read_each_with_its_own_local_routes() -> None:
    other: Res = ("aws_vpc.other", {"cidr_block": "172.16.0.0/16"}, {})
    plan = plan_document([
        VPC, other, subnet("a", "10.0.1.0/24"), subnet("b", "10.0.2.0/24", tier="Web"),
        ("aws_subnet.c", {"cidr_block": "172.16.1.0/24", "tags": {"Tier": "Db"}},
         {"vpc_id": ref("aws_vpc.other.id")}),
    ])
    network = network_from_plan(plan)
    assert network.vpc_id == "aws_vpc.main"  # the most subnets: first
    assert network.vpc_cidrs == (IPv4Network("10.0.0.0/16"), IPv4Network("172.16.0.0/16"))
    assert set(network.subnets) == {"aws_subnet.a", "aws_subnet.b", "aws_subnet.c"}
    assert network.unresolved == []
    assert {s.id: s.vpc for s in network.subnets.values()} == {
        "aws_subnet.a": "aws_vpc.main", "aws_subnet.b": "aws_vpc.main",
        "aws_subnet.c": "aws_vpc.other"}
    mains = {t.id: network.local_cidrs(t) for t in network.route_tables.values() if t.is_main}
    assert mains == {"main@aws_vpc.main": (IPv4Network("10.0.0.0/16"),),
                     "main@aws_vpc.other": (IPv4Network("172.16.0.0/16"),)}
    assert network.route_table_of("aws_subnet.c").id == "main@aws_vpc.other"  # type: ignore[union-attr]


def test_rules_and_routes_belong_to_their_own_kind_only() -> None:
    """A route, rule or association whose owner is in the VPC but of another kind (a
    route_table_id naming a subnet: Terraform plans it, AWS rejects it at apply) is no
    part of any table, ACL or group. It used to raise KeyError from inside the reader."""
    wrong = ref("aws_subnet.a.id")
    plan = plan_document([
        VPC, subnet("a", "10.0.1.0/24"),
        ("aws_route_table.a", {}, {"vpc_id": ref("aws_vpc.main.id")}),
        ("aws_route.x", {"destination_cidr_block": "0.0.0.0/0", "gateway_id": "igw-1"},
         {"route_table_id": wrong}),
        ("aws_route_table_association.x", {}, {"route_table_id": wrong,
                                               "subnet_id": ref("aws_subnet.a.id")}),
        ("aws_network_acl_rule.x", {"rule_number": 100, "egress": False, "protocol": "-1",
                                    "rule_action": "allow", "cidr_block": "0.0.0.0/0"},
         {"network_acl_id": wrong}),
        ("aws_security_group_rule.x", {"type": "ingress", "protocol": "-1", "from_port": 0,
                                       "to_port": 0, "cidr_blocks": ["0.0.0.0/0"]},
         {"security_group_id": wrong}),
        ("aws_nat_gateway.x", {}, {"subnet_id": ref("aws_route_table.a.id")}),
    ])
    network = network_from_plan(plan)
    assert network.route_tables["aws_route_table.a"].routes == ()
    assert network.route_table_of("aws_subnet.a").is_main
    assert all(not n.entries or n.is_default for n in network.nacls.values())
    assert all(g.is_default for g in network.security_groups.values())
    assert network.nat_gateways == {}

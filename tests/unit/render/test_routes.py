"""render/routes.py: route wording and the local-only decision, made once from the Layout
and checked against what routes.tf and the README actually say."""

from __future__ import annotations

import re
from typing import Any

from tierform.render.routes import default_route_text, route_tables_of


def test_wording_of_each_kind_of_table(named_case: Any) -> None:
    tables = route_tables_of(named_case("icmp-all").layout)
    assert tables["web_a"].summary == "default route to the internet gateway"
    assert tables["app_b"].summary == "default route to NAT gateway web_a"  # nat: single
    assert tables["mgmt_c"].summary == ("default route to NAT gateway web_a; corp through "
                                        "the VPN gateway")
    assert tables["db_a"].summary == "local routes only; corp through the VPN gateway"
    assert not any(t.local_only for t in tables.values())
    plain = route_tables_of(named_case("four-tier").layout)
    assert plain["db_a"].summary == "local routes only"
    assert [name for name, t in plain.items() if t.local_only] == ["db_a", "db_b", "db_c"]


def test_per_az_nat_is_named_per_table(named_case: Any) -> None:
    tables = route_tables_of(named_case("three-tier").layout)
    assert tables["app_a"].summary == "default route to NAT gateway web_a"
    assert tables["app_b"].summary == "default route to NAT gateway web_b"


def test_routes_tf_says_and_does_what_the_wording_says(case: Any) -> None:
    text = case.files["routes.tf"]
    tables = route_tables_of(case.layout)
    comments = {name: said for said, name in re.findall(
        r'^# Tier .*?: (.*)\.\nresource "aws_route_table" "(\w+)"', text, re.M)}
    bodies = dict(re.findall(r'^resource "aws_route_table" "(\w+)" \{\n(.*?)^\}', text,
                             re.S | re.M))
    routed = set(re.findall(r"route_table_id\s+= aws_route_table\.(\w+)\.id\n"
                            r"\s+destination_cidr_block", text))
    assert set(bodies) == set(tables) == {s.name for s in case.layout.subnets}
    for name, table in tables.items():
        assert comments[name] == table.summary, name
        assert ("route = []" in bodies[name]) == table.local_only, name
        assert table.local_only == (name not in routed), name
        networks = [r.network for r in case.layout.network_routes_of(name)]
        assert all(n in table.summary for n in networks), name


def test_readme_default_route_column(case: Any) -> None:
    readme = case.files["README.md"]
    for tier in case.layout.tiers:
        row = re.search(rf"^\| {tier} \| .*$", readme, re.M)
        assert row, tier
        assert row.group(0).split(" | ")[3] == default_route_text(case.layout, tier)
    layout = case.layout
    for tier in layout.tiers:
        first = layout.subnets_of(tier)[0]
        route, route6 = first.default_route, first.ipv6_route
        # A subnet whose default route the inspection retargets leaves by its AZ's endpoint.
        through = layout.inspection is not None and layout.inspection.retargeted(first.name)
        assert default_route_text(layout, tier) == ("firewall endpoint of its AZ, then " if
                                                    through else "") + {
            "igw": "internet gateway",
            "nat": "NAT gateway" if through else f"NAT gateway ({layout.blueprint.nat})",
            None: "none (local only)"}[route] + {
            "igw": "; IPv6: internet gateway", "eigw": "; IPv6: egress-only internet gateway",
            None: ""}[route6]

"""IPv6 as its own address family (docs/network-semantics.md N4, R12, A6, S5): a pair is
reachable over IPv6 only if every layer admits it in IPv6; an Amazon-provided block unknown
at plan time is symbolic, and what cannot be placed against it is unknown, never blocked."""

from __future__ import annotations

from dataclasses import replace

import pytest

from tierform.analyze import analyze, query
from tierform.analyze.atoms import Space, atoms
from tierform.network.ipv6 import contains, overlaps, parse_ipv6
from tierform.network.model import Route, SgRule, Unresolved
from unit.analyze.networks import EPH, IGW, TO_NAT, allow, net, sg_in, sg_out

CONCRETE = "2600:1f18:aa:100::/56"
SYMBOLIC = "aws_vpc.main.ipv6_cidr_block"
V6_IGW = Route("::/0", "igw", "igw", source="aws_route.web_default_v6")
V6_EIGW = Route("::/0", "eigw", "eigw-1", source="aws_route.app_default_v6")


def dual_stack(block: str, **overrides: object):  # type: ignore[no-untyped-def]
    """The reference network with an IPv6 block: default NACLs (AWS's, with ::/0 rule 101),
    web public over IPv6 by the internet gateway, app private by an egress-only gateway."""
    spec: dict[str, object] = {
        "ipv6": block,
        "nacls": {},
        "routes": {"web": [IGW, V6_IGW], "app": [TO_NAT, V6_EIGW]},
        "groups": {
            "web": [sg_in((443, 443), cidr="::/0"), sg_out((8080, 8080), group="sg-app")],
            "app": [sg_in((8080, 8080), group="sg-web"), sg_in((22, 22), cidr="::/0"),
                    sg_out((3306, 3306), group="sg-db"), sg_out((443, 443), cidr="::/0")],
            "db": [sg_in((3306, 3306), group="sg-app")],
        },
    }
    spec.update(overrides)
    return net(**spec)


@pytest.mark.parametrize("block", [CONCRETE, SYMBOLIC])
def test_each_family_is_admitted_by_its_own_rules(block: str) -> None:
    network = dual_stack(block)
    result = analyze(network)
    assert result.complete, result.incomplete_reasons
    # web's group admits 443 from ::/0 only: IPv6 yes, IPv4 no.
    assert result.verdict("internet", "web", "tcp", 443, "ipv6") == "reachable"
    assert result.verdict("internet", "web", "tcp", 443, "ipv4") == "blocked"
    assert result.verdict("internet", "web", "tcp", 443) == "reachable"  # in either family
    # Group references match hosts of both families.
    for family in ("ipv4", "ipv6"):
        assert result.verdict("web", "app", "tcp", 8080, family) == "reachable"  # type: ignore[arg-type]
        assert result.verdict("app", "db", "tcp", 3306, family) == "reachable"  # type: ignore[arg-type]
    # R12: out through the egress-only gateway, never in through it.
    assert result.verdict("app", "internet", "tcp", 443, "ipv6") == "reachable"
    assert result.verdict("app", "internet", "tcp", 443, "ipv4") == "blocked"
    assert result.verdict("internet", "app", "tcp", 22, "ipv6") == "blocked"
    answer = query(network, "internet", "app", "tcp", 22, family="ipv6")
    assert answer.verdict == "blocked"
    assert answer.family == "ipv6"
    assert any(leg.layer == "routes" and "egress-only" in leg.detail for leg in answer.blocking)
    assert query(network, "app", "internet", "tcp", 443, family="ipv6").reachable
    assert result.verdict("db", "internet", "tcp", 443, "ipv6") == "blocked"
    tiers = result.tiers
    assert (tiers["web"].exposure_ipv6, tiers["app"].exposure_ipv6,
            tiers["db"].exposure_ipv6) == ("public", "private", "isolated")
    assert {f.family for f in result.flows} == {"ipv4", "ipv6"}


def test_symbolic_and_concrete_blocks_give_the_same_matrix() -> None:
    def matrix(block: str) -> set[tuple[str, str, str, str, str]]:
        return {(f.src, f.dst, f.protocol, str(f.ports), f.family)
                for f in analyze(dual_stack(block)).flows}

    assert matrix(SYMBOLIC) == matrix(CONCRETE)


def test_a_concrete_prefix_against_a_symbolic_block_is_unknown_not_blocked() -> None:
    """N4: 2001:db8::/32 may or may not hold the VPC's Amazon-provided /56."""
    groups = dual_stack(SYMBOLIC).security_groups
    network = dual_stack(SYMBOLIC)
    db = groups["sg-db"]
    network.security_groups["sg-db"] = replace(db, rules=(
        *db.rules, SgRule(False, "6", 5432, 5432, cidr="2001:db8::/32",
                          source="aws_vpc_security_group_ingress_rule.db_doc")))
    result = analyze(network)
    assert result.verdict("app", "db", "tcp", 5432, "ipv6") == "unknown"
    assert result.verdict("internet", "db", "tcp", 5432, "ipv6") == "unknown"
    assert any("cannot be placed" in r and "db_doc" in r for r in result.incomplete_reasons)
    assert result.verdict("app", "db", "tcp", 3306, "ipv4") == "reachable"  # IPv4 decided
    assert not result.complete
    # The same rule with the block known is decided.
    known = dual_stack(CONCRETE)
    known.security_groups["sg-db"] = network.security_groups["sg-db"]
    decided = analyze(known)
    assert decided.complete
    assert decided.verdict("internet", "db", "tcp", 5432, "ipv6") == "blocked"  # no route
    assert decided.verdict("app", "db", "tcp", 5432, "ipv6") == "blocked"


def test_a_symbolic_rule_names_one_subnet_of_the_symbolic_block() -> None:
    network = dual_stack(SYMBOLIC)
    db = network.security_groups["sg-db"]
    app_block = network.subnets["app-0"].ipv6_cidr
    assert app_block == f"cidrsubnet({SYMBOLIC}, 8, 2)"
    network.security_groups["sg-db"] = replace(db, rules=(
        *db.rules, SgRule(False, "6", 5432, 5432, cidr=app_block)))
    for sender in ("sg-web", "sg-app"):  # both may send 5432: db's rule decides
        group = network.security_groups[sender]
        network.security_groups[sender] = replace(group, rules=(
            *group.rules, SgRule(True, "6", 5432, 5432, cidr="::/0"),
            SgRule(True, "6", 5432, 5432, cidr="0.0.0.0/0")))
    result = analyze(network)
    assert result.complete
    assert result.verdict("app", "db", "tcp", 5432, "ipv6") == "reachable"
    assert result.verdict("web", "db", "tcp", 5432, "ipv6") == "blocked"
    assert result.verdict("app", "db", "tcp", 5432, "ipv4") == "blocked"


def test_ipv6_nacl_entries_decide_ipv6_only() -> None:
    """IPv4 entries say nothing about IPv6 (and the reverse); no IPv6 entry: denied."""
    app6, db6 = "2600:1f18:aa:102::/64", "2600:1f18:aa:103::/64"
    nacls = {"db": [allow(100, "10.0.11.0/24", (3306, 3306)),
                    allow(100, "10.0.11.0/24", EPH, egress=True),
                    allow(110, app6, (3306, 3306)), allow(110, app6, EPH, egress=True)],
             "app": [allow(100, "0.0.0.0/0"), allow(100, "0.0.0.0/0", egress=True),
                     allow(110, db6, EPH), allow(110, db6, (3306, 3306), egress=True)]}
    result = analyze(dual_stack(CONCRETE, nacls=nacls))
    assert result.verdict("app", "db", "tcp", 3306, "ipv6") == "reachable"
    assert result.verdict("app", "db", "tcp", 3306, "ipv4") == "reachable"
    nacls["db"] = nacls["db"][:2]  # IPv4 entries only
    result = analyze(dual_stack(CONCRETE, nacls=nacls))
    assert result.verdict("app", "db", "tcp", 3306, "ipv6") == "blocked"
    assert result.verdict("app", "db", "tcp", 3306, "ipv4") == "reachable"
    why = query(dual_stack(CONCRETE, nacls=nacls), "app", "db", "tcp", 3306, family="ipv6")
    assert any(leg.layer == "nacls" and "implicit deny" in leg.resource for leg in why.blocking)


def test_the_default_nacl_of_an_ipv6_vpc_allows_ipv6_by_rule_101() -> None:
    network = dual_stack(CONCRETE)
    entries = {(e.rule_number, e.cidr) for e in network.nacls["default"].entries}
    assert {(100, "0.0.0.0/0"), (101, "::/0")} <= entries
    assert {(e.rule_number, e.cidr) for e in net().nacls["default"].entries} == {
        (100, "0.0.0.0/0")}


@pytest.mark.parametrize("kind", ["tgw", "peering", "eni", "nat"])
def test_ipv6_through_an_unmodelled_target_is_unknown(kind: str) -> None:
    route = Route("::/0", kind, f"{kind}-6", source="aws_route.app_v6")
    network = dual_stack(CONCRETE, routes={"web": [IGW, V6_IGW], "app": [TO_NAT, route]})
    result = analyze(network)
    assert result.verdict("app", "internet", "tcp", 443, "ipv6") == "unknown"
    assert result.tiers["app"].exposure_ipv6 == "unknown"
    assert query(network, "app", "internet", "tcp", 443, family="ipv6").verdict == "unknown"


def test_a_prefix_list_peer_is_unknown_not_blocked() -> None:
    """S5: a group rule naming a prefix list whose entries are not read may match anyone."""
    network = net()
    db = network.security_groups["sg-db"]
    network.security_groups["sg-db"] = replace(db, rules=(
        *db.rules, SgRule(False, "6", 5432, 5432, prefix_list="pl-0123",
                          source="aws_security_group_rule.db_pl")))
    result = analyze(network)
    assert result.verdict("internet", "db", "tcp", 5432) == "unknown"
    assert result.verdict("web", "db", "tcp", 5432) == "unknown"
    assert any("pl-0123" in r for r in result.incomplete_reasons)
    assert query(network, "web", "db", "tcp", 5432).verdict == "unknown"
    assert result.verdict("db", "internet", "tcp", 443) == "blocked"  # egress: decided


def test_a_group_outside_the_input_is_unknown_for_tiers_not_for_the_internet() -> None:
    network = net()
    db = network.security_groups["sg-db"]
    network.security_groups["sg-db"] = replace(db, rules=(
        *db.rules, SgRule(False, "6", 5432, 5432, group="sg-elsewhere")))
    result = analyze(network)
    assert result.verdict("web", "db", "tcp", 5432) == "unknown"
    assert result.verdict("internet", "db", "tcp", 5432) == "blocked"


def test_ipv6_native_subnets_have_no_ipv4_hosts() -> None:
    network = dual_stack(CONCRETE)
    network.subnets["db-0"] = replace(network.subnets["db-0"], ipv6_native=True)
    result = analyze(network)
    assert result.verdict("app", "db", "tcp", 3306, "ipv4") == "blocked"
    assert result.verdict("app", "db", "tcp", 3306, "ipv6") == "reachable"


def test_symbolic_prefixes_compare_without_addresses() -> None:
    base = parse_ipv6(SYMBOLIC)
    sub = parse_ipv6(f"cidrsubnet({SYMBOLIC}, 8, 3)")
    other = parse_ipv6(f"cidrsubnet({SYMBOLIC}, 8, 4)")
    anywhere, doc = parse_ipv6("::/0"), parse_ipv6("2001:db8::/32")
    assert base
    assert sub
    assert other
    assert anywhere
    assert doc
    assert contains(base, sub) is True
    assert contains(sub, base) is False
    assert overlaps(sub, other) is False
    assert contains(anywhere, sub) is True
    assert contains(doc, sub) is None
    assert overlaps(doc, base) is None
    assert base.subnet(8, 3) == sub
    assert sub.text == f"cidrsubnet({SYMBOLIC}, 8, 3)"
    assert parse_ipv6(sub.subnet(4, 1).text) == base.subnet(12, 3 * 16 + 1)
    assert parse_ipv6("10.0.0.0/8") is None
    assert parse_ipv6("pl-0123") is None


def test_ipv6_atoms_cut_the_128_bit_space() -> None:
    space = Space("ipv6", [SYMBOLIC, "2001:db8::/32"])
    nets = [n for n in (space.net(t) for t in (SYMBOLIC, f"cidrsubnet({SYMBOLIC}, 8, 1)",
                                               "2001:db8::/32", "::/0", "10.0.0.0/8"))
            if n is not None]
    assert len(nets) == 4  # IPv4 is not of this space
    found = atoms(nets, 128)
    assert {a.node for a in found} == set(nets)  # each leaves something of its own
    stand_in = space.net(SYMBOLIC)
    assert stand_in is not None
    assert space.text(stand_in) == SYMBOLIC


def test_unresolved_subnet_ipv6_blocks_are_unknown_over_ipv6_not_blocked() -> None:
    """Every subnet's IPv6 block unresolved (a plan read without its HCL): no subnet has a
    known block, yet IPv6 hosts may exist; the IPv6 family must answer unknown (V7)."""
    network = dual_stack(SYMBOLIC)
    network.subnets = {sid: replace(s, ipv6_cidr=None) for sid, s in network.subnets.items()}
    network.unresolved = [Unresolved(sid, "ipv6_cidr_block", "known only after apply")
                          for sid in network.subnets]
    result = analyze(network)
    assert not result.complete
    assert result.verdict("internet", "web", "tcp", 443, "ipv6") == "unknown"
    assert result.verdict("app", "internet", "tcp", 443, "ipv6") == "unknown"

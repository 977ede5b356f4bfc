"""analyze() against a straightforward reference on synthetic networks of about 20 subnets.

analyze() never visits every pair of host classes (see matrix.py); the reference here
does: every pair of host classes, every path Legs.paths() lists for it (the ones query()
explains), each filter looked up on its own and the legs combined one pair at a time.
Both must give the same ports for every flow and the same partial-return-leg warnings,
and agree with query() at sampled ports."""

from __future__ import annotations

from dataclasses import replace
from ipaddress import IPv4Network, IPv6Network

import pytest

from tierform.analyze import Layer, Reachability, analyze, query
from tierform.analyze.compile import Model, protocol_index
from tierform.analyze.evaluate import Evaluator
from tierform.analyze.legs import Legs
from tierform.analyze.matrix import reach
from tierform.aws import INTERNET, PROTOCOLS, AddressFamily
from tierform.network.model import Network
from tierform.network.synthetic import synthetic_network
from tierform.ports import PortSet

# (subnets, rules, tier size, share of rule peers inside one subnet, seed): dense enough
# that many flows open, some subnets split into several host classes (A4 pairs).
CASES = [
    (20, 300, 5, 0.3, 1),
    (20, 800, 5, 0.3, 2),
    (12, 600, 3, 0.2, 3),
    (20, 1000, 10, 0.4, 4),
    (16, 400, 4, 0.0, 5),
    (24, 600, 6, 0.5, 6),
]
FAILED_OPEN: list[Layer | None] = [None, "nacls", "security_groups", "routes"]


Partial = tuple[str, str, str, str, bool, str, PortSet]


def reference(network: Network, failed_open: Layer | None, family: AddressFamily = "ipv4",
              unknown_passes: bool = False
              ) -> tuple[dict[tuple[str, str, str], PortSet], set[Partial]]:
    """Reachable ports per (src, dst, protocol), and the return legs that allow only part of
    the ephemeral range, pair by pair. A return leg is checked when the forward legs allow
    some port, in the order the path lists them, up to the first that allows nothing.
    ``unknown_passes``: the Legs mode (an unknown route check counts as passing)."""
    model = Model(network, family)
    legs = Legs(model, routes_open=failed_open == "routes", unknown_passes=unknown_passes)
    evaluator = Evaluator(model, (1024, 65535), failed_open)
    eph = evaluator.ephemeral
    flows: dict[tuple[str, str, str], PortSet] = {}
    partial: set[Partial] = set()
    for a in model.hosts:
        for b in model.hosts:
            for path in legs.paths(a, b):
                if not all(check.ok for check in path.routes):
                    continue
                for protocol in PROTOCOLS:
                    index = protocol_index(protocol)
                    flow = (a.endpoint, b.endpoint, protocol)
                    ports = PortSet.full()
                    for filt, half in path.forward:
                        ports = ports & evaluator.allows(filt, half.peer)[index]
                    replied = bool(ports)
                    for filt, half in path.replies if ports else ():
                        back = evaluator.allows(filt, half.peer)[index] & eph
                        if back and back != eph:
                            partial.add((*flow, filt.owner, filt.egress, half.peer.cidr, back))
                        if not back:
                            replied = False
                            break
                    if replied:
                        flows[flow] = flows.get(flow, PortSet.empty()) | ports
    return flows, partial


def as_dict(result: Reachability) -> dict[tuple[str, str, str], PortSet]:
    return {(f.src, f.dst, f.protocol): f.ports if f.ports is not None else PortSet.full()
            for f in result.flows}


def network_of(case: tuple[int, int, int, float, int]) -> Network:
    subnets, rules, tier_size, split, seed = case
    return synthetic_network(subnets, rules, seed, tier_size=tier_size, split=split)


@pytest.mark.parametrize("case", CASES, ids=[f"seed{c[-1]}" for c in CASES])
def test_analyze_equals_pairwise_reference(case: tuple[int, int, int, float, int]) -> None:
    network = network_of(case)
    for failed_open in FAILED_OPEN:
        result = analyze(network, failed_open=failed_open)
        flows, partial = reference(network, failed_open)
        icmp = {k: v for k, v in flows.items() if k[2] == "icmp"}
        # icmp carries no ports: a reachable icmp flow reports the full set.
        assert as_dict(result) == {**flows, **dict.fromkeys(icmp, PortSet.full())}, failed_open
        model = Model(network)
        _, loose = reach(Legs(model, routes_open=failed_open == "routes"),
                         Evaluator(model, (1024, 65535), failed_open))
        assert loose == partial, failed_open
        assert sum("return leg" in w for w in result.warnings) == len(partial)


def test_reference_cases_are_not_trivial() -> None:
    """The cases open many flows, leave some partial, and split subnets (or they prove little)."""
    results = [analyze(network_of(case)) for case in CASES]
    assert sum(len(r.flows) for r in results) > 100
    assert sum(1 for r in results for f in r.flows
               if f.ports is not None and not f.ports.is_full()) > 20
    assert sum(1 for r in results for w in r.warnings if "return leg" in w) > 20
    split = Model(network_of(CASES[0]))
    subnets = [s for h in split.hosts for s in h.subnets]
    assert len(subnets) > len(set(subnets))  # some subnet holds several host classes


def test_analyze_agrees_with_query_at_sampled_ports() -> None:
    """The public API: query() builds the model afresh per call, so a smaller network."""
    network = network_of((12, 400, 3, 0.2, 7))
    result = analyze(network)
    for src in [*network.tiers, INTERNET]:
        for dst in [*network.tiers, INTERNET]:
            if src == dst == INTERNET:
                continue
            for protocol in PROTOCOLS:
                # The edges of the reachable ranges and just outside them, two fixed ports.
                edges = {22, 40000}
                for low, high in list(result.ports(src, dst, protocol))[:2]:
                    edges |= {low, high, max(low - 1, 0), min(high + 1, 65535)}
                for port in sorted(edges) if protocol != "icmp" else [0]:
                    answer = query(network, src, dst, protocol, port)
                    assert answer.reachable == result.reachable(src, dst, protocol, port), \
                        (src, dst, protocol, port, answer.blocking)


def _ipv6_image(network: Network) -> Network:
    """The network moved into IPv6: each IPv4 CIDR a.b.c.d/n becomes the /32+n at bits
    32-63 of 2600:1f18::/32 (0.0.0.0/0 becomes ::/0), which keeps every containment; the
    subnets keep their IPv4 blocks, every rule and route is IPv6 only."""
    def image(text: str) -> str:
        net = IPv4Network(text)
        if net.prefixlen == 0:
            return "::/0"
        return str(IPv6Network(((0x26001F18 << 96) | (int(net.network_address) << 64),
                                32 + net.prefixlen)))

    tables = {k: replace(t, routes=tuple(replace(r, destination=image(r.destination))
                                         for r in t.routes))
              for k, t in network.route_tables.items()}
    nacls = {k: replace(n, entries=tuple(replace(e, cidr=image(e.cidr)) for e in n.entries))
             for k, n in network.nacls.items()}
    groups = {k: replace(g, rules=tuple(replace(r, cidr=image(r.cidr)) if r.cidr else r
                                        for r in g.rules))
              for k, g in network.security_groups.items()}
    subnets = {k: replace(s, ipv6_cidr=image(str(s.cidr))) for k, s in network.subnets.items()}
    return replace(network, route_tables=tables, nacls=nacls, security_groups=groups,
                   subnets=subnets, vpc_ipv6_cidrs=tuple(image(str(c))
                                                         for c in network.vpc_cidrs))


@pytest.mark.parametrize("case", CASES[:3], ids=[f"seed{c[-1]}" for c in CASES[:3]])
def test_ipv6_is_analyzed_like_its_ipv4_image(case: tuple[int, int, int, float, int]) -> None:
    """N4: the IPv6 family uses the same leg rules over a 128-bit space; without NAT
    (IPv4 only) a network and its IPv6 image give the same matrix, warnings included."""
    network = network_of(case)
    network = replace(network, route_tables={
        k: replace(t, routes=tuple(r for r in t.routes if r.kind != "nat"))
        for k, t in network.route_tables.items()})
    for failed_open in FAILED_OPEN:
        v4 = analyze(network, failed_open=failed_open)
        v6 = analyze(_ipv6_image(network), failed_open=failed_open)
        assert v4.flows, failed_open
        assert {(f.src, f.dst, f.protocol): f.ports for f in v6.flows if f.family == "ipv6"} \
            == {(f.src, f.dst, f.protocol): f.ports for f in v4.flows}, failed_open
        assert not v6.unknown
        assert sum("return leg" in w for w in v6.warnings if "(IPv6)" in w) == \
            sum("return leg" in w for w in v4.warnings)

"""Properties of the analyzer on small random networks: allow rules only add flows, deny
entries only remove them, and analyze() agrees with query() (two evaluations of one spec)."""

from __future__ import annotations

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tierform.analyze import analyze, query
from tierform.aws import PROTOCOLS
from tierform.network.model import NaclEntry, Network, Route, SgRule
from tierform.network.synthetic import layered_network

TIERS = {"a": ["10.0.1.0/24", "10.0.2.0/24"], "b": ["10.0.3.0/24"], "c": ["10.0.4.0/24"]}
CIDRS = ["0.0.0.0/0", "0.0.0.0/0", "0.0.0.0/0", "10.0.0.0/16", "10.0.1.0/24", "10.0.1.0/25",
         "10.0.3.0/24", "10.0.4.0/24", "203.0.113.0/24"]
PORTS = st.sampled_from([(22, 22), (443, 443), (0, 65535), (1024, 65535), (400, 500)])
PROTOS = st.sampled_from(["6", "17", "1", "-1"])
ROUTES = {"a": [Route("0.0.0.0/0", "igw", "igw")], "b": [Route("0.0.0.0/0", "nat", "nat")]}
SETTINGS = settings(max_examples=25, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


@st.composite
def nacl_entry(draw: st.DrawFn, number: int | None = None,
               action: str | None = None) -> NaclEntry:
    low, high = draw(PORTS)
    return NaclEntry(number or draw(st.integers(1, 60)) * 10, draw(st.booleans()),
                     draw(PROTOS), action or draw(st.sampled_from(["allow", "allow", "deny"])),  # type: ignore[arg-type]
                     draw(st.sampled_from(CIDRS)), low, high)


@st.composite
def sg_rule(draw: st.DrawFn) -> SgRule:
    low, high = draw(PORTS)
    if draw(st.booleans()):
        return SgRule(draw(st.booleans()), draw(PROTOS), low, high,
                      cidr=draw(st.sampled_from(CIDRS)))
    return SgRule(draw(st.booleans()), draw(PROTOS), low, high,
                  group=f"sg-{draw(st.sampled_from(sorted(TIERS)))}")


@st.composite
def networks(draw: st.DrawFn) -> dict[str, object]:
    nacls = {}
    for tier in TIERS:
        entries = draw(st.lists(nacl_entry(), max_size=10))
        seen: set[tuple[int, bool]] = set()
        nacls[tier] = [e for e in entries
                       if (e.rule_number, e.egress) not in seen
                       and not seen.add((e.rule_number, e.egress))]  # type: ignore[func-returns-value]
    groups = {tier: draw(st.lists(sg_rule(), max_size=5)) for tier in TIERS}
    return {"nacls": nacls, "groups": groups}


def build(spec: dict[str, object]) -> Network:
    return layered_network(TIERS, routes=ROUTES, nats={"nat": "a"},  # type: ignore[arg-type]
                           nacls=spec["nacls"], groups=spec["groups"])  # type: ignore[arg-type]


def covers(big: Network, small: Network) -> bool:
    """Every flow of ``small`` is in ``big`` with at least the same ports."""
    wide, narrow = analyze(big), analyze(small)
    return all(narrow.ports(f.src, f.dst, f.protocol).issubset(wide.ports(f.src, f.dst, f.protocol))
               for f in narrow.flows)


@SETTINGS
@given(networks(), st.sampled_from(sorted(TIERS)), st.data())
def test_adding_a_nacl_allow_never_removes_a_flow(spec: dict[str, object], tier: str,
                                                   data: st.DataObject) -> None:
    nacls: dict[str, list[NaclEntry]] = spec["nacls"]  # type: ignore[assignment]
    used = {e.rule_number for e in nacls[tier]}
    number = max(used, default=0) + data.draw(st.integers(0, 1)) * 10 + 5  # does not shadow
    entry = data.draw(nacl_entry(number=number, action="allow"))
    wider = {**spec, "nacls": {**nacls, tier: [*nacls[tier], entry]}}
    assert covers(build(wider), build(spec))


@SETTINGS
@given(networks(), st.sampled_from(sorted(TIERS)), sg_rule())
def test_adding_a_group_rule_never_removes_a_flow(spec: dict[str, object], tier: str,
                                                  rule: SgRule) -> None:
    groups: dict[str, list[SgRule]] = spec["groups"]  # type: ignore[assignment]
    wider = {**spec, "groups": {**groups, tier: [*groups[tier], rule]}}
    assert covers(build(wider), build(spec))


@SETTINGS
@given(networks(), st.sampled_from(sorted(TIERS)), st.data())
def test_adding_a_nacl_deny_never_adds_a_flow(spec: dict[str, object], tier: str,
                                              data: st.DataObject) -> None:
    nacls: dict[str, list[NaclEntry]] = spec["nacls"]  # type: ignore[assignment]
    entry = data.draw(nacl_entry(action="deny"))
    if any((e.rule_number, e.egress) == (entry.rule_number, entry.egress) for e in nacls[tier]):
        return
    narrower = {**spec, "nacls": {**nacls, tier: [*nacls[tier], entry]}}
    assert covers(build(spec), build(narrower))


ONE_WAY = {  # a may send to the internet but admits no replies: a missing return leg
    "nacls": {"a": [NaclEntry(100, True, "-1", "allow", "0.0.0.0/0")], "b": [], "c": []},
    "groups": {"a": [SgRule(True, "-1", cidr="0.0.0.0/0")], "b": [], "c": []},
}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(networks())
@example(ONE_WAY)
def test_analyze_agrees_with_query(spec: dict[str, object]) -> None:
    network = build(spec)
    result = analyze(network)
    endpoints = [*TIERS, "internet"]
    for src in endpoints:
        for dst in endpoints:
            if src == dst == "internet":
                continue
            for protocol in PROTOCOLS:
                for port in (22, 450, 2000):
                    answer = query(network, src, dst, protocol, port)
                    assert answer.reachable == result.reachable(src, dst, protocol, port), \
                        (src, dst, protocol, port, answer.legs)
                    assert answer.reachable == all(leg.ok for leg in answer.legs)

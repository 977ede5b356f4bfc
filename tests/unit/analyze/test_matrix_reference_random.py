"""The matrix (reach) against the pairwise reference on random small networks.

test_matrix_reference.py checks fixed cases; here hypothesis draws the networks: several
subnets per tier (some cut into several host classes by rules naming part of a subnet),
differing NACLs and groups with group references, routes to targets the analyzer does not
follow (unknown), IPv6 twins of the rules, and every failed-open layer, in both Legs modes.
The matrix groups peers by what one end's layers can tell apart (Model.peer_groups) and
evaluates one half per group; the reference looks at every pair of host classes on its
own. Flows, the ports of each, and the partial return legs must be the same."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tierform.analyze import Layer
from tierform.analyze.compile import Host, Model
from tierform.analyze.evaluate import Evaluator
from tierform.analyze.legs import Legs
from tierform.analyze.matrix import reach
from tierform.aws import AddressFamily
from tierform.network.synthetic import synthetic_network
from unit.analyze.test_matrix_reference import FAILED_OPEN, reference
from unit.analyze.test_matrix_shared_halves import _with_ipv6, _with_unknown_routes


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(subnets=st.integers(3, 14), rules=st.integers(10, 300), tier_size=st.integers(2, 5),
       split=st.sampled_from([0.0, 0.3, 0.6]), seed=st.integers(0, 10_000),
       hops=st.lists(st.tuples(st.integers(0, 50), st.integers(0, 50), st.integers(0, 9)),
                     max_size=3),
       ipv6=st.booleans(), failed_open=st.sampled_from(FAILED_OPEN),
       unknown_passes=st.booleans())
def test_matrix_equals_the_pairwise_reference(subnets: int, rules: int, tier_size: int,
                                              split: float, seed: int,
                                              hops: list[tuple[int, int, int]], ipv6: bool,
                                              failed_open: Layer | None,
                                              unknown_passes: bool) -> None:
    network = _with_unknown_routes(
        synthetic_network(subnets, rules, seed, tier_size=tier_size, split=split), hops)
    if ipv6:
        network = _with_ipv6(network)
    families: tuple[AddressFamily, ...] = ("ipv4", "ipv6") if ipv6 else ("ipv4",)
    for family in families:
        model = Model(network, family)
        legs = Legs(model, routes_open=failed_open == "routes", unknown_passes=unknown_passes)
        found, partial = reach(legs, Evaluator(model, (1024, 65535), failed_open))
        flows, loose = reference(network, failed_open, family, unknown_passes)
        assert found == flows, (family, failed_open, unknown_passes)
        assert partial == loose, (family, failed_open, unknown_passes)


def _by_view(model: Model, peers: list[Host], sender: bool, host: Host
             ) -> set[tuple[object, frozenset[str]]]:
    groups: dict[object, set[str]] = {}
    for peer in peers:
        groups.setdefault(model.peer_view(host.profile, peer, sender), set()).add(peer.cidr)
    return {(view, frozenset(cidrs)) for view, cidrs in groups.items()}


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(subnets=st.integers(3, 24), rules=st.integers(10, 400), tier_size=st.integers(1, 6),
       split=st.sampled_from([0.0, 0.3, 0.6]), seed=st.integers(0, 10_000),
       ipv6=st.booleans())
def test_peer_groups_are_the_groups_of_equal_peer_views(subnets: int, rules: int,
                                                        tier_size: int, split: float,
                                                        seed: int, ipv6: bool) -> None:
    """Model.peer_groups hands peers out by the most specific CIDR of the profile among
    their chains; grouping the peers by peer_view one by one gives the same groups."""
    network = synthetic_network(subnets, rules, seed, tier_size=tier_size, split=split)
    if ipv6:
        network = _with_ipv6(network)
    model = Model(network, "ipv6" if ipv6 else "ipv4")
    endpoints: dict[str, list[Host]] = {}
    for host in model.hosts:
        endpoints.setdefault(host.endpoint, []).append(host)
    tiered = [h for h in model.hosts if h.tier is not None]
    for peers in endpoints.values():
        indexed = model.peer_class(peers)
        for host in tiered:
            for sender in (True, False):
                fast = {(view, frozenset(p.cidr for p in members))
                        for view, members in model.peer_groups(host.profile, indexed, sender)}
                assert fast == _by_view(model, peers, sender, host)


def test_peer_groups_split_and_share() -> None:
    """The check above proves little unless profiles tell some peers of one endpoint apart
    and leave others together: one fixed draw shows both."""
    model = Model(synthetic_network(16, 400, 3, tier_size=4, split=0.2))
    endpoints: dict[str, list[Host]] = {}
    for host in model.hosts:
        endpoints.setdefault(host.endpoint, []).append(host)
    sizes = [[len(members) for _, members in model.peer_groups(host.profile,
                                                              model.peer_class(peers), True)]
             for peers in endpoints.values() for host in model.hosts if host.tier is not None]
    assert any(len(groups) > 1 for groups in sizes)
    assert any(size > 1 for groups in sizes for size in groups)

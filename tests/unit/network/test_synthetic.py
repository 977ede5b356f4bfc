"""The synthetic generator above 1,024 subnets: smaller subnets, still disjoint and seeded."""

from __future__ import annotations

from ipaddress import IPv4Network

import pytest

from tierform.network.synthetic import synthetic_network


@pytest.mark.parametrize(("subnets", "prefix"), [(1024, 26), (1200, 27), (2400, 28)])
def test_large_networks_have_disjoint_subnets(subnets: int, prefix: int) -> None:
    net = synthetic_network(subnets, 400, seed=1, split=0.2)
    cidrs = [IPv4Network(s.cidr) for s in net.subnets.values()]
    assert len(cidrs) == subnets
    assert {c.prefixlen for c in cidrs} == {prefix}
    assert len(set(cidrs)) == subnets
    assert all(c.subnet_of(IPv4Network("10.0.0.0/16")) for c in cidrs)


def test_the_cap_is_what_a_slash_16_holds() -> None:
    with pytest.raises(ValueError, match="1-4096"):
        synthetic_network(4097, 10)

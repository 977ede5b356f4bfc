"""Shipped blueprint inspected, applied to the emulator and proved (cases: shipped_cases.py).

Besides the cases every shipped blueprint runs, the firewall and the load balancer are read
back: live (DescribeFirewall, DescribeLoadBalancers...) and from the state, they give the
derived answers (each AZ's subnets on their own AZ's endpoint, the internet reaching app
only through the ALB). These run first, on the same apply; the shared cases destroy last.
"""

from __future__ import annotations

import pytest
from shipped_cases import Applied, cases_for

from tierform import workflow
from tierform.analyze import Reachability, query
from tierform.network.model import Network
from tierform.readers.state import network_from_state
from tierform.report import verify_table


def _proxied(result: Reachability) -> set[tuple[str, str, str, str, str]]:
    return {(p.src, p.dst, p.verdict, str(p.listener_ports), str(p.target_ports))
            for p in result.proxied}


def _flows(result: Reachability) -> set[tuple[str, str, str, str]]:
    return {(f.src, f.dst, f.protocol, str(f.ports)) for f in result.flows}


def _firewall_routes(network: Network) -> dict[str, str]:
    """Subnet CIDR -> AZ of the firewall endpoint its default route takes (those that do)."""
    got = {}
    for subnet in network.subnets.values():
        table = network.route_table_of(subnet.id)
        assert table is not None, subnet.source
        for route in table.routes:
            hop = network.firewall_of(route.target) if route.destination == "0.0.0.0/0" else None
            if hop is not None:
                got[str(subnet.cidr)] = hop[1]
    return got


def test_firewall_and_load_balancer_read_back_live_and_from_state(applied: Applied) -> None:
    live, state = applied.live(), network_from_state(applied.runner().show())
    zones = applied.checked.loaded.blueprint.availability_zones
    outputs = applied.outputs
    for network in (live, state):
        (firewall,) = network.firewalls.values()
        assert sorted(firewall.endpoints) == sorted(outputs["firewall_endpoint_ids"].items())
        assert sorted(outputs["firewall_endpoint_ids"]) == sorted(zones)
        (policy,) = network.firewall_policies.values()
        assert policy.strict_order is True
        (lb,) = network.load_balancers.values()
        assert lb.subnet_ids == {s.id for s in network.subnets_of("web")}
        assert [(lst.port, lst.protocol) for lst in lb.listeners] == [(443, "HTTPS")]
        assert [t.port for t in lb.target_groups] == [8443]
        # Ingress: web's default routes go to their own AZ's endpoint; egress after NAT:
        # app keeps its NAT route (both modes on: AWS's "NAT gateway, then firewall").
        routed = _firewall_routes(network)
        assert routed == {str(s.cidr): s.az for s in network.subnets_of("web")}, routed
    assert live.firewalls.keys() == state.firewalls.keys()
    assert sorted(live.firewall_rule_groups) == sorted(state.firewall_rule_groups)


def test_live_and_state_prove_the_lb_as_a_proxy_behind_the_firewall(applied: Applied) -> None:
    want = workflow.analyze_network(applied.checked.network)
    assert _proxied(want) == {("internet", "app", "reachable", "443", "8443")}
    for network in (applied.live(), network_from_state(applied.runner().show())):
        got = workflow.analyze_network(network)
        assert (got.unresolved, got.unknown) == ([], []), network.source
        assert _flows(got) == _flows(want), network.source
        assert _proxied(got) == _proxied(want), network.source
        assert query(network, "internet", "app", "tcp", 8443).verdict == "blocked"
        report = workflow.verify_network(applied.checked.loaded, network)
        assert report.ok, f"{network.source}:\n{verify_table(report)}"


globals().update(cases_for("inspected"))
# One apply shared by eleven tests, ~12 min on one worker under load: handed out first.
globals()["pytestmark"] = [*globals()["pytestmark"], pytest.mark.e2e_long]

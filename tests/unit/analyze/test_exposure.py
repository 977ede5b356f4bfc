"""exposure.py: R6 from the routes as configured."""

from __future__ import annotations

import pytest

from tierform.analyze import analyze
from tierform.analyze.compile import Model
from tierform.analyze.exposure import exposures
from tierform.analyze.legs import Legs
from tierform.network.model import NatGateway, Route
from unit.analyze.networks import IGW, net


def test_reference_exposures() -> None:
    tiers, warnings = exposures(Legs(Model(net())))
    assert {t: i.exposure for t, i in tiers.items()} == {
        "web": "public", "app": "private", "db": "isolated"}
    assert warnings == []


def test_failed_open_routes_do_not_change_exposure() -> None:
    """Exposure says what the routes do; a failed-open route layer (every route delivers)
    must not make every tier public."""
    network = net()
    assert analyze(network, failed_open="routes").tiers == analyze(network).tiers
    with pytest.raises(ValueError, match="not failed open"):
        exposures(Legs(Model(network), routes_open=True))


def test_nat_without_internet_onward_is_isolated() -> None:
    network = net(routes={"web": [Route("203.0.113.0/24", "igw", "igw")],
                          "app": [Route("0.0.0.0/0", "nat", "nat-a")]})
    tiers, _ = exposures(Legs(Model(network)))
    # web reaches one internet range directly; app's NAT goes on only for that range.
    assert tiers["web"].exposure == "public"
    assert tiers["app"].exposure == "private"
    network.nat_gateways["nat-a"] = NatGateway("nat-a", "web-0", public=False)
    tiers, _ = exposures(Legs(Model(network)))
    assert tiers["app"].exposure == "isolated"


def test_mixed_tier_reports_most_exposed_with_a_warning() -> None:
    network = net(routes={"web": [IGW], "app": [Route("0.0.0.0/0", "nat", "nat-a")]})
    table = network.route_tables["rt-web"]
    network.route_tables["rt-web"] = type(table)(table.id, table.routes, frozenset({"web-0"}),
                                                 tier="web", source=table.source)
    tiers, warnings = exposures(Legs(Model(network)))
    assert tiers["web"].exposure == "public"
    assert warnings == ["tier web mixes subnet exposures (isolated, public); reported as public"]

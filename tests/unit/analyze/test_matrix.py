"""matrix.py: analyze() on hand-written networks (the pair-by-pair reference is in
test_matrix_reference.py, the properties in test_matrix_properties.py)."""

from __future__ import annotations

from tierform.analyze import analyze
from tierform.network.synthetic import layered_network
from tierform.ports import PortSet
from unit.analyze.networks import APP, EPH, WEB, allow, flows, net, sg_in, sg_out


def test_reference_network_matches_intent() -> None:
    result = analyze(net())
    assert flows(net()) == {
        ("internet", "web", "tcp"): "443",
        ("web", "app", "tcp"): "8080",
        ("app", "db", "tcp"): "3306",
        ("app", "internet", "tcp"): "443",
        ("app", "web", "tcp"): "443",  # app's 0.0.0.0/0:443 egress matches web's addresses
    }
    assert {t: i.exposure for t, i in result.tiers.items()} == {
        "web": "public", "app": "private", "db": "isolated"}
    assert result.tiers["web"].subnets == WEB
    assert result.warnings == []
    assert any("placement" in a for a in result.assumptions)


def test_udp_flow() -> None:
    network = layered_network(
        {"app": APP, "dns": ["10.0.31.0/24"]},
        nacls={"app": [allow(100, "10.0.31.0/24", (53, 53), egress=True, protocol="17"),
                       allow(100, "10.0.31.0/24", EPH, protocol="17")],
               "dns": [allow(100, "10.0.11.0/24", (53, 53), protocol="17"),
                       allow(100, "10.0.11.0/24", EPH, egress=True, protocol="17")]},
        groups={"app": [sg_out((53, 53), group="sg-dns", protocol="17")],
                "dns": [sg_in((53, 53), group="sg-app", protocol="17")]})
    result = analyze(network)
    assert result.ports("app", "dns", "udp") == PortSet.of(53)
    assert result.ports("app", "dns", "tcp") == PortSet.empty()

"""evaluate.py: what the legs let through: partial return legs (A3) and failed-open layers."""

from __future__ import annotations

from tierform.analyze import analyze
from unit.analyze.networks import allow, net, reference


def test_a3_partial_ephemeral_return_is_a_warning() -> None:
    nacls = {**reference()["nacls"],  # type: ignore[dict-item]
             "db": [allow(100, "10.0.11.0/24", (3306, 3306)),
                    allow(100, "10.0.11.0/24", (32768, 60999), egress=True)]}
    result = analyze(net(nacls=nacls))
    assert result.reachable("app", "db", "tcp", 3306)
    assert any("allows only 32768-60999" in w and "app -> db tcp" in w for w in result.warnings)
    wide = analyze(net(nacls=nacls), ephemeral=(32768, 60999))
    assert not any("allows only" in w for w in wide.warnings)


def test_failed_open_layers() -> None:
    network = net()
    assert not analyze(network).reachable("web", "db", "tcp", 3306)
    assert not analyze(network, failed_open="nacls").reachable("web", "db", "tcp", 3306)
    opened = analyze(network, failed_open="routes")
    assert opened.reachable("app", "internet", "tcp", 443)
    assert opened.failed_open == "routes"
    groups_open = analyze(network, failed_open="security_groups")
    assert groups_open.reachable("web", "app", "tcp", 8080)
    assert not groups_open.reachable("web", "db", "tcp", 3306)  # NACLs still hold

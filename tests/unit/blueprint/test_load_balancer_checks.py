"""``tiers.<t>.load_balancer``: each check fires with its code at its line; the valid
shapes load (issue 15)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tierform.blueprint.load import load_blueprint_text
from tierform.errors import BlueprintError

FIXTURE = (Path(__file__).resolve().parents[2] / "plan" / "fixtures" / "load-balanced.yaml"
           ).read_text("utf-8")
LB = ("      listeners: [{port: 443, protocol: HTTPS}]\n"
      "      target: {tier: app, port: 8443, health_check: {path: /healthz, port: 8443}}\n")


def _findings(text: str) -> list[tuple[str, int, str]]:
    with pytest.raises(BlueprintError) as caught:
        load_blueprint_text(text, "t.yaml")
    return [(f.code, f.line, f.message) for f in caught.value.findings]


def test_the_fixture_loads() -> None:
    loaded = load_blueprint_text(FIXTURE, "t.yaml")
    spec = loaded.blueprint.tiers["web"].load_balancer
    assert spec is not None
    assert (spec.type, spec.target.tier, spec.health_port) == ("application", "app", 8443)


@pytest.mark.parametrize(("old", "new", "code"), [
    ("tier: app, port: 8443", "tier: nope, port: 8443", "load-balancer-target"),
    ("tier: app, port: 8443", "tier: web, port: 8443", "load-balancer-target"),
    ("tier: app, port: 8443,", "tier: app, port: 70000,", "load-balancer-port"),
    ("port: 443, protocol: HTTPS", "port: 0, protocol: HTTPS", "load-balancer-port"),
    ("port: 443, protocol: HTTPS", "port: 443, protocol: TCP", "load-balancer-listener"),
    ("path: /healthz", "path: healthz", "load-balancer-health-check"),
    ("[{port: 443, protocol: HTTPS}]", "[{port: 443, protocol: HTTPS}, {port: 443, "
     "protocol: HTTP}]", "load-balancer-listener"),
])
def test_each_check_fires_with_its_code(old: str, new: str, code: str) -> None:
    text = FIXTURE.replace(old, new, 1)
    assert text != FIXTURE
    codes = [c for c, _, _ in _findings(text)]
    assert code in codes


def test_only_on_a_public_tier() -> None:
    text = FIXTURE.replace("    exposure: public\n", "    exposure: private\n", 1)
    codes = {c for c, _, _ in _findings(text)}
    assert "load-balancer-not-public" in codes


def test_a_flow_from_the_internet_must_open_the_listener_ports() -> None:
    text = FIXTURE.replace("  - {from: internet, to: web, ports: [443], description: HTTPS "
                           "to the load balancer}\n", "")
    found = _findings(text)
    assert [c for c, _, _ in found] == ["load-balancer-flow"]
    (_, line, message) = found[0]
    assert FIXTURE.splitlines()[line - 1].strip().startswith("listeners:")
    assert "tcp 443" in message


def test_nlb_takes_tcp_and_tls_and_refuses_udp() -> None:
    nlb = FIXTURE.replace("type: application", "type: network").replace(
        "protocol: HTTPS", "protocol: TLS").replace("path: /healthz, ", "")
    load_blueprint_text(nlb, "t.yaml")
    udp = nlb.replace("protocol: TLS", "protocol: UDP")
    codes = {c for c, _, _ in _findings(udp)}
    assert "load-balancer-udp" in codes
    path = nlb.replace("health_check: {port: 8443}", "health_check: {path: /x}")
    assert "load-balancer-health-check" in {c for c, _, _ in _findings(path)}


def test_unknown_keys_are_refused() -> None:
    text = FIXTURE.replace("type: application", "type: application\n      sticky: true")
    assert _findings(text)
    assert LB in FIXTURE

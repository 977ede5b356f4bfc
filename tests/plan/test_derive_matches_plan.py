"""derive() and the plan agree: the matrix the generator intends is the one Terraform will build.

For a blueprint, ``analyze(derive(...))`` is what the renderer means to write and
``analyze(network_from_plan(plan of the rendered module))`` is what the HCL actually wires
(read from configuration references, never from the generator). Any difference is a
rendering or reading bug. Checked on every shipped blueprint and on small random ones.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, Phase, assume, given, note, settings
from hypothesis import strategies as st

from shipped_support import OFFLINE_CERTIFICATE, OFFLINE_TRANSIT_GATEWAY
from tierform.analyze import analyze
from tierform.blueprint.load import LoadedBlueprint, load_blueprint, load_blueprint_text
from tierform.errors import BlueprintError
from tierform.layout import derive, plan_layout
from tierform.network.model import Network
from tierform.ports import PortSet
from tierform.render.module import render_module
from tierform.report import reach_json
from tierform.terraform import plan_files

pytestmark = pytest.mark.terraform

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = sorted((ROOT / "blueprints").glob("*.yaml"))

REGION = "us-east-1"
ZONES = ["us-east-1a", "us-east-1b", "us-east-1c"]
TIER_NAMES = ["web", "app", "db", "mgmt"]
NAMED = {"corp": "192.168.0.0/16"}
PORT_ITEMS: list[int | str] = [22, 53, 80, 443, 3306, 8080, "1024-2048", "8000-8100", "0-1023"]


def _wiring(network: Network) -> dict[str, object]:
    """Per subnet: its table's routes and its NACL's entries; per tier: its groups' rules.

    The matrix is a union over a tier's subnets, so a rule missing on one subnet while its
    sibling keeps one does not change it; this comparison catches that. Ids are resource
    addresses on both sides. Gateway endpoints are compared both ways: on the endpoint (its
    route tables) and as the prefix-list route each served table holds (R5).
    """
    wiring: dict[str, object] = {}
    for subnet in network.subnets.values():
        table = network.route_table_of(subnet.id)
        nacl = network.nacl_of(subnet.id)
        wiring[subnet.id] = (
            str(subnet.cidr), subnet.az, subnet.tier, subnet.map_public_ip,
            subnet.ipv6_cidr, subnet.assign_ipv6,
            None if table is None else table.id,
            # A transit route's target is the input variable in derive and its value in
            # the plan (test_transit_plan checks the value): compared by kind.
            frozenset((r.destination, r.kind, "transit gateway" if r.kind == "tgw"
                       else r.target) for r in (() if table is None else table.routes)),
            None if nacl is None else nacl.id,
            frozenset((e.rule_number, e.egress, e.protocol, e.action, e.cidr, e.from_port,
                       e.to_port, e.icmp_type, e.icmp_code)
                      for e in (() if nacl is None else nacl.entries)),
        )
    for tier in network.tiers:
        wiring[f"groups of {tier}"] = frozenset(
            (g.id, frozenset((r.egress, r.protocol, r.from_port, r.to_port, r.cidr, r.group)
                             for r in g.rules)) for g in network.groups_of(tier))
    wiring["endpoints"] = {e.id: (e.service, e.route_table_ids)
                           for e in network.endpoints.values()}
    return wiring


def _agreement(loaded: LoadedBlueprint, cache_dir: Path, terraform: str | None
               ) -> tuple[Network, Network]:
    """The derived network and the planned one (plan cached by content)."""
    bp = loaded.blueprint
    layout = plan_layout(bp, loaded.allocation)
    # The inputs a plan needs (any well-formed value: nothing is applied).
    variables: dict[str, object] = {
        **({"transit_gateway_id": OFFLINE_TRANSIT_GATEWAY} if layout.transit else {}),
        **({"certificate_arn": OFFLINE_CERTIFICATE}
           if any(lb.certificate for lb in layout.load_balancers) else {})}
    plan = plan_files(render_module(layout), variables or None, region=bp.region,
                      cache_dir=cache_dir, terraform=terraform)
    return (derive(bp, loaded.allocation),
            # With the module's HCL: a dual-stack module's IPv6 blocks are expressions of
            # the VPC's /56, unknown in the plan JSON alone.
            plan.network(named_networks=bp.network_cidrs))


def _assert_agree(loaded: LoadedBlueprint, derived: Network, planned_network: Network) -> None:
    intended = reach_json(analyze(derived), "blueprint")
    planned = reach_json(analyze(planned_network), "plan")
    assert planned["unresolved"] == []
    assert planned["flows"] == intended["flows"]
    assert {t: i["exposure"] for t, i in planned["tiers"].items()} == \
        {t: i["exposure"] for t, i in intended["tiers"].items()}
    assert planned["tiers"] == intended["tiers"]
    # Both sides could agree on a wrong network: every blueprint flow must also be
    # reachable in what Terraform builds (tcp/udp ports; the generator allows nothing less).
    reachable = {(f["from"], f["to"], f["protocol"]): PortSet(tuple(r) for r in f["ports"])
                 for f in planned["flows"] if f["ports"] is not None}
    for flow in loaded.blueprint.flows:
        want = PortSet(flow.port_ranges())
        got = reachable.get((flow.src, flow.dst, flow.protocol), PortSet.empty())
        assert want.issubset(got), f"blueprint flow {flow.src} -> {flow.dst} {flow.protocol} " \
                            f"{want} is not reachable in the plan (reachable: {got})"
    assert _wiring(planned_network) == _wiring(derived)


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_shipped_blueprint_derive_matches_plan(path: Path, tierform_cache_dir: Path,
                                                tierform_terraform: str | None) -> None:
    loaded = load_blueprint(path)
    derived, planned = _agreement(loaded, tierform_cache_dir, tierform_terraform)
    assert analyze(planned).flows, "a shipped blueprint allows at least one flow"
    _assert_agree(loaded, derived, planned)


# ------------------------------------------------------------------ random blueprints

@st.composite
def _ports(draw: st.DrawFn) -> list[int | str] | str:
    if draw(st.integers(0, 9)) == 0:
        return "all"
    return draw(st.lists(st.sampled_from(PORT_ITEMS), min_size=1, max_size=2, unique=True))


@st.composite
def blueprint_texts(draw: st.DrawFn) -> str:
    """A small blueprint as YAML: 1-3 zones, 2-4 tiers, 1-5 tcp/udp flows, IPv4 or
    dual-stack (some tiers then IPv4 only).

    Mostly valid by construction (flow ends are drawn from pairs the rules allow); the
    rest is left to load_blueprint_text, and the test assumes those away.
    """
    zones = ZONES[:draw(st.integers(1, 3))]
    exposures = draw(st.lists(st.sampled_from(["public", "private", "isolated"]),
                              min_size=2, max_size=4))
    tiers = dict(zip(TIER_NAMES, exposures, strict=False))
    # A NAT gateway needs a public tier to sit in.
    nat = draw(st.sampled_from(["none", "single", "per_az"])) \
        if "public" in exposures else "none"
    networks = dict(NAMED) if draw(st.booleans()) else {}
    # Every flow touches a tier; named networks and the internet never meet.
    pairs = [(a, b) for a in tiers for b in tiers]
    for tier, exposure in tiers.items():
        pairs += [(name, tier) for name in networks]
        pairs += [(tier, name) for name in networks]
        if exposure == "public":  # the internet opens connections to public tiers only
            pairs.append(("internet", tier))
        if exposure == "public" or (exposure == "private" and nat != "none"):
            pairs.append((tier, "internet"))
    flows = []
    for index in range(draw(st.integers(1, 5))):
        src, dst = draw(st.sampled_from(pairs))
        flow = {"from": src, "to": dst, "protocol": draw(st.sampled_from(["tcp", "udp"])),
                "ports": draw(_ports())}
        # A second flow between the same ends and protocol needs an identity of its own.
        if any((f["from"], f["to"], f["protocol"]) == (src, dst, flow["protocol"])
               for f in flows):
            flow["id"] = f"flow{index}"
        flows.append(flow)
    dual = draw(st.booleans())
    document = {
        "tierform": 1, "name": "generated", "region": REGION,
        "vpc": {"cidr": "10.0.0.0/16", **({"ipv6": "amazon"} if dual else {})},
        "availability_zones": zones, "networks": networks,
        "tiers": {name: {"exposure": exposure, "netmask": draw(st.sampled_from([24, 26])),
                         **({"ipv6": False} if dual and draw(st.integers(0, 3)) == 0 else {})}
                  for name, exposure in tiers.items()},
        "nat": nat, "flows": flows,
        "endpoints": draw(st.sampled_from([[], ["s3"], ["s3", "dynamodb"]])),
    }
    return yaml.safe_dump(document, sort_keys=False)


# Each example costs a terraform plan (~10-15 s with init on a 2-core CI machine), so the
# bound is 4 examples, derandomized (the same 4 every run: repeatable, and the plan cache
# makes reruns free). Shrinking is off: each shrink step would be another plan; a failure
# prints the generated blueprint as drawn.
@settings(max_examples=4, deadline=None, derandomize=True, database=None,
          phases=[Phase.explicit, Phase.generate],
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(text=blueprint_texts())
def test_random_blueprint_derive_matches_plan(text: str, tierform_cache_dir: Path,
                                              tierform_terraform: str | None) -> None:
    try:
        loaded = load_blueprint_text(text, "generated.yaml")
    except BlueprintError:
        assume(False)
        raise  # unreachable: assume(False) ends the example
    note(text)
    _assert_agree(loaded, *_agreement(loaded, tierform_cache_dir, tierform_terraform))

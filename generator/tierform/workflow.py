"""The stages the commands are made of, each a plain function you can test alone.

    load -> check -> derive -> render -> write
    read -> analyze -> verify -> report

The CLI strings them together; errors travel as ``TierformError`` subclasses and
are turned into exit codes in one place (``tierform.cli.main``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from tierform.analyze import Reachability, analyze
from tierform.errors import BlueprintError
from tierform.readers.files import read_network as read_network_file
from tierform.verify import (
    IPV6_ONLY,
    Expected,
    Gate,
    VerifyReport,
    adopt_blueprint,
    declared_exposure,
    inspected_from_blueprint,
    intents_from_blueprint,
    proxy_intents_from_blueprint,
    verify,
)

if TYPE_CHECKING:
    from tierform.blueprint.load import LoadedBlueprint
    from tierform.layout import Layout
    from tierform.network.model import Network
    from tierform.render.diagram import Diagram
    from tierform.terraform.plan import Plan

# Start-up: the blueprint stages (pydantic, PyYAML), rendering (Jinja2) and planning (tftest)
# are imported by the functions that use them, so that `reach` and `verify` of a plan or
# state JSON start in a tenth of a second (tests/unit/test_startup.py).

__all__ = [
    "Checked",
    "analyze_network",
    "check",
    "diagram",
    "load",
    "plan",
    "plan_blueprint",
    "read_network",
    "render",
    "render_blueprint",
    "verify_network",
]

NetworkSource = Literal["blueprint", "plan", "state", "live"]


@dataclass(frozen=True)
class Checked:
    """A blueprint that passed every check, with its derived network."""

    loaded: LoadedBlueprint
    network: Network
    layout: Layout

    @property
    def name(self) -> str:
        return self.loaded.blueprint.name

    @property
    def region(self) -> str:
        return self.loaded.blueprint.region


def load(path: Path) -> LoadedBlueprint:
    """Parse and check shape and semantics; every problem at once (BlueprintError)."""
    from tierform.blueprint.load import load_blueprint  # start-up: pydantic, PyYAML

    return load_blueprint(path)


def check(loaded: LoadedBlueprint) -> Checked:
    """Lay the module out and check what only the layout can tell (names, AWS quotas)."""
    from tierform.layout import check_layout, network_of, plan_layout  # start-up: pydantic

    layout = plan_layout(loaded.blueprint, loaded.allocation)
    findings = check_layout(loaded.blueprint, layout, loaded.source_map, loaded.file)
    if findings:
        raise BlueprintError(findings)
    return Checked(loaded, network_of(layout), layout)


def render(checked: Checked) -> dict[str, str]:
    """The module's files: relative path -> text. Same blueprint, same bytes. A blueprint
    that maps security groups (``tiers.<name>.security_groups``) describes a network
    Tierform did not write: refused (BlueprintError), never rendered without its groups."""
    from tierform.blueprint.checks import render_refusals  # start-up: pydantic
    from tierform.render.module import render_module  # start-up: Jinja2

    loaded = checked.loaded
    refused = render_refusals(loaded.blueprint, loaded.source_map, loaded.file)
    if refused:
        raise BlueprintError(refused)
    return render_module(checked.layout)


def plan(checked: Checked, variables: Mapping[str, object] | None = None, *,
         region: str | None = None, cache_dir: Path | None = None,
         terraform: str | None = None, files: Mapping[str, str] | None = None,
         events: Callable[[Mapping[str, Any]], None] | None = None) -> Plan:
    """Render (unless the rendered ``files`` are given) and plan offline, cached by
    content; region: the blueprint's by default. ``events``: Terraform's ``-json`` UI
    messages while a plan runs (progress)."""
    from tierform.terraform.cache import plan_files  # start-up: tftest

    return plan_files(render(checked) if files is None else files, variables,
                      region=region or checked.region, cache_dir=cache_dir, terraform=terraform,
                      events=events)


def render_blueprint(path: Path) -> tuple[dict[str, str], str]:
    """A blueprint's rendered module files and its region (BlueprintError when invalid):
    the same load -> check -> render stages as ``tierform render``."""
    checked = check(load(Path(path)))
    return render(checked), checked.region


def plan_blueprint(path: Path, variables: Mapping[str, object] | None = None, *,
                   region: str | None = None, cache_dir: Path | None = None,
                   terraform: str | None = None) -> Plan:
    """Render a blueprint and plan the module offline (region: the blueprint's by default)."""
    return plan(check(load(Path(path))), variables, region=region, cache_dir=cache_dir,
                terraform=terraform)


def read_network(path: Path, *, named_networks: Mapping[str, Any] | None = None,
                 tier_tag: str = "Tier",
                 config_dir: Path | None = None) -> tuple[NetworkSource, Network]:
    """A Network from a plan JSON or a state JSON (``tierform.readers.files``); a plan's
    wiring is evaluated from the HCL in ``config_dir`` when it is that plan's."""
    return read_network_file(path, named_networks=named_networks, tier_tag=tier_tag,
                             config_dir=config_dir)


def analyze_network(network: Network) -> Reachability:
    return analyze(network)


def verify_network(loaded: LoadedBlueprint, network: Network, *,
                   gate: Gate = "all") -> VerifyReport:
    """Compare what the network allows with what the blueprint intends. The network is
    first named by the blueprint: untagged subnets take their tier from the blueprint's
    CIDRs, the blueprint's named networks are endpoints, and a tier's ``security_groups``
    places the groups its references match (``adopt_blueprint``)."""
    blueprint = loaded.blueprint
    only = {t for t, spec in blueprint.tiers.items()
            if blueprint.vpc.ipv6 is not None and spec.ipv6 and spec.ipv6_only}
    expected = Expected(str(blueprint.vpc.cidr),
                        {**{tier: frozenset(str(c) for c in zones.values())
                            for tier, zones in loaded.allocation.items() if tier not in only},
                         **{tier: frozenset({IPV6_ONLY}) for tier in only}},
                        {name: tuple(tier.security_groups)
                         for name, tier in blueprint.tiers.items()
                         if tier.security_groups is not None})
    network = adopt_blueprint(network, expected, blueprint.network_cidrs)
    return verify(intents_from_blueprint(blueprint), network,
                  declared_exposure=declared_exposure(blueprint), expected=expected, gate=gate,
                  proxies=proxy_intents_from_blueprint(blueprint),
                  inspected=inspected_from_blueprint(blueprint))


def diagram(network: Network, *, title: str, blueprint: LoadedBlueprint | None = None,
            own: bool = False) -> Diagram:
    """The diagram of ``network``. ``own``: the network is ``blueprint``'s own (its flows
    are drawn as they are). Another network with a ``blueprint``: its flows drawn, broken
    ones dashed orange, and what no flow allows in red (``verify_network``). Without a
    blueprint: what the analyzer finds reachable, and grey dotted where unknown."""
    from tierform.ports import format_ports
    from tierform.render.diagram import (  # start-up: the blueprint model (pydantic)
        Edge,
        blueprint_edges,
        diagram_of_network,
    )

    edges: list[Edge] = []
    exposures: dict[str, str] = {}
    named: Mapping[str, Any] | None = None
    lb_targets: dict[str, list[str]] = {}  # LB key -> the tiers drawn as its targets
    if blueprint is not None:
        bp = blueprint.blueprint
        exposures = {name: tier.exposure for name, tier in bp.tiers.items()}
        for key, lb in network.load_balancers.items():
            # The blueprint names the target tier of the LB in its tier (a plan has no
            # registered targets to read).
            tiers = {network.subnets[s].tier for s in lb.subnet_ids if s in network.subnets}
            tier = next(iter(tiers)) if len(tiers) == 1 else None
            spec = bp.tiers[tier].load_balancer if tier is not None and tier in bp.tiers \
                else None
            if spec is not None:
                lb_targets[key] = [spec.target.tier]
        named = dict(bp.network_cidrs)
        intended = blueprint_edges(bp)
        broken: set[int] = set()
        unintended: list[Edge] = []
        if not own:
            result = verify_network(blueprint, network)
            for finding in result.findings:
                if finding.kind == "broken" and finding.path[:1] == ("flows",):
                    broken.add(int(finding.path[1]))
                elif finding.kind == "unintended" and finding.src and finding.dst:
                    what = (finding.protocol or "?") if finding.ports is None or \
                        finding.protocol == "icmp" else \
                        format_ports(finding.protocol or "tcp", finding.ports)
                    unintended.append(Edge(finding.src, finding.dst, what, "unintended"))
        edges = [Edge(e.src, e.dst, e.label, "broken" if i in broken else "flow")
                 for i, e in enumerate(intended)]
        edges += list(dict.fromkeys(unintended))
    else:
        reach = analyze(network)
        seen: dict[tuple[str, str], list[str]] = {}
        for flow in reach.flows:
            text = flow.protocol if flow.ports is None else f"{flow.protocol} {flow.ports}"
            seen.setdefault((flow.src, flow.dst), []).append(text)
        edges = [Edge(src, dst, "; ".join(parts)) for (src, dst), parts in seen.items()]
        unknown: dict[tuple[str, str], list[str]] = {}
        for item in reach.unknown:
            text = item.protocol if item.protocol == "icmp" else f"{item.protocol} {item.ports}"
            unknown.setdefault((item.src, item.dst), []).append(text)
        edges += [Edge(src, dst, "; ".join(parts), "unknown")
                  for (src, dst), parts in unknown.items()]
        by_endpoint = {lb.endpoint: key for key, lb in network.load_balancers.items()}
        for proxied in reach.proxied:  # what the analyzer finds each LB forwards to
            if proxied.via in by_endpoint:
                targets = lb_targets.setdefault(by_endpoint[proxied.via], [])
                if proxied.dst not in targets:
                    targets.append(proxied.dst)
    return diagram_of_network(network, title=title, edges=edges, exposures=exposures,
                              named_networks=named, lb_targets=lb_targets)

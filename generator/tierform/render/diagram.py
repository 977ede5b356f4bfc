"""A Mermaid flowchart of a blueprint: tiers grouped by exposure, flows as labelled edges."""

from __future__ import annotations

from tierform.aws import INTERNET, service_of_endpoint
from tierform.blueprint.model import Blueprint
from tierform.ports import format_ports

__all__ = ["mermaid"]


def _node(name: str) -> str:
    return "n_" + "".join(ch if ch.isalnum() else "_" for ch in name)


def _label(text: str) -> str:
    return text.replace('"', "'")


def mermaid(bp: Blueprint) -> str:
    """Same blueprint, same text: tiers in blueprint order, flows in flow order."""
    lines = ["flowchart LR"]
    outside = [INTERNET, *bp.networks]
    for name in outside:
        cidr = "" if name == INTERNET else f"<br/>{bp.network_cidrs[name]}"
        lines.append(f'  {_node(name)}(["{_label(name)}{cidr}"])')
    lines.append(f'  subgraph vpc["VPC {bp.vpc.cidr}"]')
    for exposure in ("public", "private", "isolated"):
        tiers = [n for n, t in bp.tiers.items() if t.exposure == exposure]
        if not tiers:
            continue
        lines.append(f'    subgraph {exposure}["{exposure}"]')
        lines.extend(f'      {_node(name)}["{_label(name)}"]' for name in tiers)
        lines.append("    end")
    services = dict.fromkeys(f.dst for f in bp.flows if service_of_endpoint(f.dst))
    where = bp.interface_endpoints.tier if bp.interface_endpoints is not None else "?"
    for name in services:  # interface endpoints: in their tier's subnets
        lines.append(f'    {_node(name)}[["{_label(name)}<br/>endpoint in {_label(where)}"]]')
    lines.append("  end")
    for index, flow in enumerate(bp.flows, start=1):
        what = format_ports(flow.protocol, flow.port_ranges())
        lines.append(f'  {_node(flow.src)} -->|"{index}: {_label(what)}"| {_node(flow.dst)}')
    return "\n".join(lines) + "\n"

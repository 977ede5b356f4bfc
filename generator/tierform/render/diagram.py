"""A Mermaid flowchart of a blueprint: tiers grouped by exposure, flows as labelled edges."""

from __future__ import annotations

from tierform.aws import INTERNET
from tierform.blueprint.model import Blueprint
from tierform.ports import format_ports

__all__ = ["mermaid"]


def _node(name: str) -> str:
    """A Mermaid node id, one per name: ``_`` is doubled and every other character that is
    not a letter or digit written by its code, so ``corp-net`` and ``corp_net`` (a network
    and a tier) stay two nodes."""
    return "n_" + "".join(ch if ch.isascii() and ch.isalnum() else
                          "__" if ch == "_" else f"_{ord(ch):x}_" for ch in name)


def _label(text: str) -> str:
    return text.replace('"', "'")


def mermaid(bp: Blueprint) -> str:
    """Same blueprint, same text: tiers in blueprint order, flows in flow order, each edge
    labelled by its flow's id (never its position)."""
    lines = ["flowchart LR"]
    outside = [INTERNET, *bp.networks]
    for name in outside:
        cidr = "" if name == INTERNET else f"<br/>{bp.networks[name]}"
        lines.append(f'  {_node(name)}(["{_label(name)}{cidr}"])')
    lines.append(f'  subgraph vpc["VPC {bp.vpc.cidr}"]')
    for exposure in ("public", "private", "isolated"):
        tiers = [n for n, t in bp.tiers.items() if t.exposure == exposure]
        if not tiers:
            continue
        lines.append(f'    subgraph {exposure}["{exposure}"]')
        lines.extend(f'      {_node(name)}["{_label(name)}"]' for name in tiers)
        lines.append("    end")
    lines.append("  end")
    for flow in bp.flows:
        what = format_ports(flow.protocol, flow.port_ranges())
        lines.append(f'  {_node(flow.src)} -->|"{_label(flow.flow_id)}: {_label(what)}"| '
                     f'{_node(flow.dst)}')
    return "\n".join(lines) + "\n"

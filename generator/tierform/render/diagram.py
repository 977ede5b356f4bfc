"""Diagrams of a layered network: tiers with their subnets per AZ, gateways, flows.

One model (``Diagram``) drawn two ways: Mermaid (GitHub and GitLab render it; the module
README embeds it) and Graphviz DOT (``dot -Tsvg``/``-Tpng`` make pictures). The model is
built from a ``Network`` (``diagram_of_network``): a blueprint's derived network, a plan,
a state or a live read, so every source draws the same way. Which edges to draw (intended
flows, unintended ones in red, broken ones dashed orange) is decided by the caller, who
knows the analyzer and the blueprint; this module only draws them. Same input, same text.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from ipaddress import IPv4Network
from typing import Literal

from tierform.aws import INTERNET, service_of_endpoint
from tierform.blueprint.model import Blueprint
from tierform.layout import Layout, network_of
from tierform.network.model import Network, named_networks_of
from tierform.ports import format_ports

__all__ = [
    "Diagram",
    "Edge",
    "EdgeKind",
    "Gateway",
    "Hop",
    "Tier",
    "blueprint_edges",
    "diagram_of_layout",
    "diagram_of_network",
    "dot",
    "mermaid",
    "node_id",
]

EdgeKind = Literal["flow", "unintended", "broken", "unknown"]
"""An intended (or observed) flow; one nothing allows; one the network blocks; one whose
answer is unknown."""

_EDGE_LOOK: dict[str, tuple[str, str]] = {
    # kind -> (colour, line) for both formats
    "flow": ("#333333", "solid"),
    "unintended": ("#d62728", "solid"),
    "broken": ("#ff7f0e", "dashed"),
    "unknown": ("#7f7f7f", "dotted"),
}
_KIND_NOTE = {"flow": "", "unintended": "UNINTENDED ", "broken": "BROKEN ",
              "unknown": "UNKNOWN "}


@dataclass(frozen=True)
class Tier:
    name: str
    exposure: str | None
    subnets: tuple[tuple[str, str], ...]
    """``(az, cidr)`` in AZ order."""
    first: int = 0
    """The number of its first subnet's node (``s<first>``); subnets are numbered through
    the diagram, so node ids are unique whatever the names."""
    routes: tuple[str, ...] = ()
    """Gateway keys its default routes go to (``igw``, ``nat:<id>``, ``vgw``...)."""
    ipv6_only: bool = False
    """Every subnet is IPv6-only (``ipv6_native``): labelled so, its subnets "IPv6 only"."""

    @property
    def label(self) -> str:
        """``name (exposure, IPv6-only)``: the tier box's title."""
        words = [w for w in (self.exposure, "IPv6-only" if self.ipv6_only else None) if w]
        return self.name + (f" ({', '.join(words)})" if words else "")


@dataclass(frozen=True)
class Gateway:
    key: str
    label: str
    tier: str | None = None
    """The tier whose subnet holds it (a NAT gateway), else None (attached to the VPC)."""


@dataclass(frozen=True)
class Edge:
    src: str
    dst: str
    label: str
    kind: EdgeKind = "flow"


@dataclass(frozen=True)
class Hop:
    """A route drawn between two nodes (node ids: ``s<n>`` a subnet, ``g_...`` a gateway or
    a load balancer, ``f_...`` a firewall endpoint): the paths through a firewall, and a
    load balancer's connections to its target tier (``tier``: the head is that tier)."""

    src: str
    dst: str
    label: str
    tier: str | None = None


@dataclass(frozen=True)
class Diagram:
    title: str
    vpc: str
    outside: tuple[tuple[str, str | None], ...]
    """The internet and named networks: ``(name, cidr or None)``."""
    tiers: tuple[Tier, ...]
    gateways: tuple[Gateway, ...]
    edges: tuple[Edge, ...]
    firewall: tuple[tuple[str, str], ...] = ()
    """A Network Firewall's endpoints: ``(az, its subnet's cidr)`` in AZ order."""
    hops: tuple[Hop, ...] = ()


def node_id(kind: str, name: str) -> str:
    """An identifier safe in Mermaid and DOT, injective over ``(kind, name)``: letters and
    digits stay, every other character becomes ``_<hex>_`` (``corp-net`` and ``corp_net``
    are two nodes). Kinds: ``t`` tier, ``n`` named network, ``g`` gateway, ``e`` an empty
    tier's placeholder; subnets are ``s<number>`` and the internet is ``internet``."""
    return f"{kind}_" + "".join(ch if ch.isascii() and ch.isalnum() else f"_{ord(ch):x}_"
                                for ch in name)


def _gateways(network: Network) -> tuple[list[Gateway], dict[str, list[str]]]:
    """The gateways default routes use, and each tier's default-route gateways (a route to
    a known firewall endpoint is a hop of its subnet instead: ``_firewall_hops``)."""
    gateways: dict[str, Gateway] = {}
    if network.internet_gateways:
        gateways["igw"] = Gateway("igw", "internet gateway")
    nat_keys: dict[str, str] = {}
    for number, nat in enumerate(sorted(network.nat_gateways.values(), key=lambda n: n.id), 1):
        subnet = network.subnets.get(nat.subnet_id)
        where = f" ({subnet.az})" if subnet is not None and subnet.az else ""
        nat_keys[nat.id] = f"nat{number}"
        gateways[f"nat{number}"] = Gateway(f"nat{number}", f"NAT gateway{where}",
                                           subnet.tier if subnet is not None else None)
    routes: dict[str, list[str]] = {}
    for tier in network.tiers:
        for subnet in network.subnets_of(tier):
            table = network.route_table_of(subnet.id)
            for route in table.routes if table is not None else ():
                if route.kind in ("local", "endpoint") or (
                        route.kind == "gwlbe" and network.firewall_of(route.target)):
                    continue
                key = _route_key(route.kind, route.target, nat_keys)
                if key not in gateways:
                    gateways[key] = Gateway(key, "Network Firewall (the endpoint of each AZ)"
                                            if key == "firewall" else {
                        "vgw": "virtual private gateway",
                        "eigw": "egress-only internet gateway",
                        "nat": "NAT gateway (which one: not read)",
                    }.get(route.kind, f"{route.kind} target"))
                if key not in routes.setdefault(tier, []):
                    routes[tier].append(key)
    return list(gateways.values()), routes


_FIREWALL = "aws_networkfirewall_firewall."


def _firewall_node(az: str) -> str:
    return node_id("f", az)


def _firewall_hops(network: Network, numbers: Mapping[str, str], nat_keys: Mapping[str, str]
                   ) -> tuple[list[tuple[str, str]], list[Hop]]:
    """The firewall endpoints ``(az, subnet cidr)`` and the routes through them, each drawn
    where the routing puts it: a tier subnet to its AZ's endpoint, the internet gateway's
    edge table to an endpoint, an endpoint's subnet on to the internet gateway or a NAT."""
    endpoints: dict[str, str] = {}
    for firewall in sorted(network.firewalls.values(), key=lambda f: f.id):
        for az, _ in firewall.endpoints:
            subnet = network.subnets.get(firewall.subnet_in(az) or "")
            endpoints.setdefault(az, str(subnet.cidr) if subnet is not None else "?")
    hops: list[Hop] = []
    if not endpoints:
        return [], hops
    for subnet_id, node in numbers.items():
        table = network.route_table_of(subnet_id)
        for route in table.routes if table is not None else ():
            hop = network.firewall_of(route.target) if route.kind == "gwlbe" else None
            if hop is not None:
                hops.append(Hop(node, _firewall_node(hop[1]), route.destination))
    for table in sorted(network.route_tables.values(), key=lambda t: t.id):
        if not table.gateway_ids:
            continue
        for route in table.routes:
            hop = network.firewall_of(route.target) if route.kind == "gwlbe" else None
            if hop is not None:
                hops.append(Hop(node_id("g", "igw"), _firewall_node(hop[1]),
                                f"edge table: {route.destination}"))
    for firewall in sorted(network.firewalls.values(), key=lambda f: f.id):
        for az, subnet_id in firewall.subnets:
            table = network.route_table_of(subnet_id)
            for route in table.routes if table is not None else ():
                if route.kind in ("igw", "nat"):
                    key = _route_key(route.kind, route.target, nat_keys)
                    hops.append(Hop(_firewall_node(az), node_id("g", key), route.destination))
    return sorted(endpoints.items()), hops


def _lb_nodes(network: Network, targets: Mapping[str, Iterable[str]]
              ) -> tuple[list[Gateway], list[Hop]]:
    """Each load balancer as a node in its tier (its listener ports), and an edge to each
    tier it forwards to (``targets``: the blueprint's, or the analyzer's proxied flows)."""
    nodes: list[Gateway] = []
    hops: list[Hop] = []
    for key, lb in sorted(network.load_balancers.items()):
        tiers = {network.subnets[s].tier for s in lb.subnet_ids if s in network.subnets}
        tier = next(iter(tiers)) if len(tiers) == 1 else None
        kind = {"application": "ALB", "network": "NLB"}.get(lb.type or "", "load balancer")
        listening = ", ".join(f"{lst.protocol} {lst.port}".strip() for lst in lb.listeners)
        node = f"lb:{key}"
        nodes.append(Gateway(node, f"{kind} {lb.source or key}"
                             + (f"\nlisteners: {listening}" if listening else ""), tier))
        ports = ",".join(sorted({str(t.port) for t in lb.target_groups if t.port is not None}))
        for target in targets.get(key, ()):
            hops.append(Hop(node_id("g", node), "", f"targets: tcp {ports or '?'}", target))
    return nodes, hops


def _route_key(kind: str, target: str | None, nat_keys: Mapping[str, str]) -> str:
    """The gateway a default route goes to: its NAT by id, else the only NAT, else one
    node per unknown target kind (never guessed between two NATs)."""
    if kind == "igw":
        return "igw"
    if kind == "gwlbe" and target is not None and target.startswith(_FIREWALL):
        return "firewall"  # a Network Firewall endpoint (derive names it by the firewall)
    if kind == "nat":
        if target is not None and target in nat_keys:
            return nat_keys[target]
        if len(nat_keys) == 1:
            return next(iter(nat_keys.values()))
        return "nat-unknown"
    return kind


def diagram_of_network(network: Network, *, title: str, edges: Iterable[Edge],
                       exposures: Mapping[str, str] | None = None,
                       named_networks: Mapping[str, object] | None = None,
                       lb_targets: Mapping[str, Iterable[str]] | None = None) -> Diagram:
    """The diagram of ``network`` with ``edges`` drawn between its tiers and outside;
    ``lb_targets``: the tiers each load balancer (by key) forwards to."""
    exposures = exposures or {}
    named = (named_networks_of(named_networks) if named_networks is not None
             else network.named_networks)
    gateways, routes = _gateways(network)
    tiers = []
    numbers: dict[str, str] = {}  # subnet id -> its node
    first = 1
    for name in network.tiers:
        ordered = sorted(network.subnets_of(name),
                         key=lambda s: (s.az or "?", IPv4Network(str(s.cidr))))
        # An IPv6-only subnet's IPv4 CIDR is the readers' stand-in: not drawn.
        subnets = [(s.az or "?", "IPv6 only" if s.ipv6_native else str(s.cidr))
                   for s in ordered]
        numbers.update((s.id, f"s{first + i}") for i, s in enumerate(ordered))
        tiers.append(Tier(name, exposures.get(name), tuple(subnets), first,
                          tuple(routes.get(name, ())),
                          bool(ordered) and all(s.ipv6_native for s in ordered)))
        first += len(subnets)
    nat_keys = {nat.id: f"nat{n}" for n, nat in enumerate(
        sorted(network.nat_gateways.values(), key=lambda n: n.id), 1)}
    firewall, hops = _firewall_hops(network, numbers, nat_keys)
    balancers, lb_hops = _lb_nodes(network, lb_targets or {})
    gateways += balancers
    hops += lb_hops
    edges = tuple(edges)
    known = {INTERNET, *named, *network.tiers}
    # An edge may name an endpoint the network lacks (a broken flow to a missing tier):
    # it is drawn as an outside node so the finding stays visible.
    extra = [end for edge in edges for end in (edge.src, edge.dst) if end not in known]
    outside = [(INTERNET, None), *((n, ", ".join(map(str, c))) for n, c in named.items()),
               *((n, "AWS service (interface endpoint)" if service_of_endpoint(n) is not None
                  else "not in this network") for n in dict.fromkeys(extra))]
    cidrs = ", ".join(str(c) for c in network.vpc_cidrs) or "?"
    return Diagram(title, cidrs, tuple(outside), tuple(tiers), tuple(gateways), edges,
                   tuple(firewall), tuple(hops))


def blueprint_edges(bp: Blueprint) -> list[Edge]:
    """The blueprint's flows, labelled by flow id and ports, in flow order."""
    return [Edge(flow.src, flow.dst,
                 f"{flow.flow_id}: {format_ports(flow.protocol, flow.port_ranges())}")
            for flow in bp.flows]


def diagram_of_layout(layout: Layout) -> Diagram:
    """What the module README shows: the blueprint's network and its flows."""
    bp = layout.blueprint
    return diagram_of_network(network_of(layout), title=bp.name, edges=blueprint_edges(bp),
                              exposures={n: t.exposure for n, t in bp.tiers.items()},
                              named_networks=bp.network_cidrs,
                              lb_targets={f"aws_lb.{lb.name}": (lb.target_tier,)
                                          for lb in layout.load_balancers})


# --------------------------------------------------------------------------- mermaid


def _mm(text: str) -> str:
    """Text inside a Mermaid ``"..."`` label (quotes and markup characters as entities; a
    newline as a line break)."""
    return (text.replace("&", "#38;").replace('"', "#quot;").replace("<", "#60;")
            .replace(">", "#62;").replace("\n", "<br/>"))


def _hop_head(hop: Hop) -> str:
    return node_id("t", hop.tier) if hop.tier is not None else hop.dst


def _end(diagram: Diagram, name: str) -> str:
    if any(t.name == name for t in diagram.tiers):
        return node_id("t", name)
    return "internet" if name == INTERNET else node_id("n", name)


def mermaid(diagram: Diagram) -> str:
    """A Mermaid flowchart: the VPC box holding a box per tier (its subnets per AZ inside),
    gateways, the internet and named networks outside; flows as labelled arrows."""
    lines = ["flowchart LR"]
    for name, cidr in diagram.outside:
        label = "internet" if name == INTERNET else f"{_mm(name)}<br/>{_mm(cidr or '')}"
        ident = "internet" if name == INTERNET else node_id("n", name)
        lines.append(f'  {ident}(["{label}"])')
    lines.append(f'  subgraph vpc["VPC {_mm(diagram.vpc)}"]')
    for gateway in diagram.gateways:
        if gateway.tier is None:
            lines.append(f'    {node_id("g", gateway.key)}{{{{"{_mm(gateway.label)}"}}}}')
    if diagram.firewall:
        lines.append('    subgraph firewall["Network Firewall: an endpoint per AZ"]')
        for az, cidr in diagram.firewall:
            lines.append(f'      {_firewall_node(az)}{{{{"endpoint {_mm(az)}<br/>{_mm(cidr)}"}}}}')
        lines.append("    end")
    for tier in diagram.tiers:
        lines.append(f'    subgraph {node_id("t", tier.name)}["{_mm(tier.label)}"]')
        for index, (az, cidr) in enumerate(tier.subnets):
            lines.append(f'      s{tier.first + index}["{_mm(cidr)}<br/>{_mm(az)}"]')
        for gateway in diagram.gateways:
            if gateway.tier == tier.name:
                lines.append(f'      {node_id("g", gateway.key)}{{{{"{_mm(gateway.label)}"}}}}')
        lines.append("    end")
    lines.append("  end")
    links: list[tuple[str, str]] = []  # (kind of link, colour) by link index
    if any(g.key == "igw" for g in diagram.gateways):
        lines.append(f"  internet --- {node_id('g', 'igw')}")
        links.append(("route", "#999999"))
    for tier in diagram.tiers:
        for key in tier.routes:
            lines.append(f"  {node_id('g', key)} -.- {node_id('t', tier.name)}")
            links.append(("route", "#999999"))
    for hop in diagram.hops:
        lines.append(f'  {hop.src} -->|"{_mm(hop.label)}"| {_hop_head(hop)}')
        links.append(("route", "#999999"))
    for edge in diagram.edges:
        arrow = {"solid": "-->", "dashed": "-.->", "dotted": "-.->"}[_EDGE_LOOK[edge.kind][1]]
        label = _mm(_KIND_NOTE[edge.kind] + edge.label)
        lines.append(f'  {_end(diagram, edge.src)} {arrow}|"{label}"| {_end(diagram, edge.dst)}')
        links.append((edge.kind, _EDGE_LOOK[edge.kind][0]))
    for index, (kind, colour) in enumerate(links):
        if kind in ("unintended", "broken"):
            width = "3px" if kind == "unintended" else "2px"
            lines.append(f"  linkStyle {index} stroke:{colour},stroke-width:{width},"
                         f"color:{colour}")
        elif kind == "route":
            lines.append(f"  linkStyle {index} stroke:{colour}")
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- dot


def _q(text: str) -> str:
    """A DOT double-quoted string."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


_TIER_FILL = {"public": "#e8f4fd", "private": "#fdf6e3", "isolated": "#eef7ee"}


def _anchor(diagram: Diagram, name: str) -> tuple[str, str | None]:
    """The node an edge to ``name`` is drawn to, and the cluster it stands for."""
    for tier in diagram.tiers:
        if tier.name == name:
            return (f"s{tier.first}" if tier.subnets else node_id("e", tier.name),
                    f"cluster_{node_id('t', tier.name)}")
    return ("internet" if name == INTERNET else node_id("n", name)), None


def dot(diagram: Diagram) -> str:
    """Graphviz DOT of the same picture (``dot -Tsvg``): clusters for the VPC and tiers."""
    lines = [f"digraph {_q(diagram.title)} {{",
             "  graph [rankdir=LR, compound=true, fontname=Helvetica, fontsize=12, "
             f"nodesep=0.3, ranksep=1.1, label={_q(diagram.title)}, labelloc=t];",
             "  node [fontname=Helvetica, fontsize=10, shape=box, style=\"rounded,filled\", "
             "fillcolor=white];",
             "  edge [fontname=Helvetica, fontsize=9];"]
    for name, cidr in diagram.outside:
        ident = "internet" if name == INTERNET else node_id("n", name)
        label = name if cidr is None else f"{name}\n{cidr}"
        lines.append(f"  {ident} [label={_q(label)}, shape=ellipse, fillcolor=\"#f2f2f2\"];")
    lines.append("  subgraph cluster_vpc {")
    lines.append(f"    label={_q('VPC ' + diagram.vpc)}; style=rounded; color=\"#555555\";")
    for gateway in diagram.gateways:
        if gateway.tier is None:
            lines.append(f"    {node_id('g', gateway.key)} [label={_q(gateway.label)}, "
                         "shape=hexagon, fillcolor=\"#fff2cc\"];")
    if diagram.firewall:
        lines.append("    subgraph cluster_firewall {")
        lines.append("      label=\"Network Firewall: an endpoint per AZ\"; "
                     "style=\"rounded,filled\"; fillcolor=\"#fdeaea\"; color=\"#888888\";")
        for az, cidr in diagram.firewall:
            label = _q(f"endpoint {az}\n{cidr}")
            lines.append(f"      {_firewall_node(az)} [label={label}, shape=hexagon, "
                         "fillcolor=\"#f4cccc\"];")
        lines.append("    }")
    for tier in diagram.tiers:
        fill = _TIER_FILL.get(tier.exposure or "", "#f7f7f7")
        lines.append(f"    subgraph cluster_{node_id('t', tier.name)} {{")
        lines.append(f"      label={_q(tier.label)}; style=\"rounded,filled\"; "
                     f"fillcolor={_q(fill)}; color=\"#888888\";")
        for index, (az, cidr) in enumerate(tier.subnets):
            label = _q(cidr + "\n" + az)
            lines.append(f"      s{tier.first + index} [label={label}];")
        if not tier.subnets:
            lines.append(f"      {node_id('e', tier.name)} [label=\"no subnets\"];")
        for gateway in diagram.gateways:
            if gateway.tier == tier.name:
                lines.append(f"      {node_id('g', gateway.key)} [label={_q(gateway.label)}, "
                             "shape=hexagon, fillcolor=\"#fff2cc\"];")
        lines.append("    }")
    lines.append("  }")
    if any(g.key == "igw" for g in diagram.gateways):
        lines.append(f"  internet -> {node_id('g', 'igw')} [dir=none, color=\"#999999\"];")
    for tier in diagram.tiers:
        for key in tier.routes:
            node, cluster = _anchor(diagram, tier.name)
            inside = any(g.key == key and g.tier == tier.name for g in diagram.gateways)
            head = "" if inside or cluster is None else f"lhead={cluster}, "
            # Drawn gateway -> tier, so the internet side stays on the left.
            lines.append(f"  {node_id('g', key)} -> {node} [{head}dir=none, "
                         "style=dotted, color=\"#999999\"];")
    for hop in diagram.hops:
        head, lhead = (hop.dst, None) if hop.tier is None else _anchor(diagram, hop.tier)
        where = f", lhead={lhead}" if lhead else ""
        lines.append(f"  {hop.src} -> {head} [label={_q(hop.label)}, color=\"#999999\", "
                     f"fontcolor=\"#666666\", style=dashed{where}];")
    for edge in diagram.edges:
        colour, line = _EDGE_LOOK[edge.kind]
        tail, ltail = _anchor(diagram, edge.src)
        head, lhead = _anchor(diagram, edge.dst)
        attrs = [f"label={_q(_KIND_NOTE[edge.kind] + edge.label)}", f"color={_q(colour)}",
                 f"fontcolor={_q(colour)}", f"style={line}"]
        if edge.kind == "unintended":
            attrs.append("penwidth=2.5")
        if ltail and ltail != lhead:
            attrs.append(f"ltail={ltail}")
        if lhead and ltail != lhead:
            attrs.append(f"lhead={lhead}")
        lines.append(f"  {tail} -> {head} [{', '.join(attrs)}];")
    lines.append("}")
    return "\n".join(lines) + "\n"

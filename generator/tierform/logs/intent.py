"""The blueprint's intent as flow-log rules: where each address belongs (the layout's
subnets, the named networks, NAT gateways' own addresses, the IPv6 blocks AWS chose, the
network interfaces of load balancers and interface endpoints) and which flows are allowed.

Load balancers and interface endpoints have their network interfaces in a tier's subnets,
so without their exact addresses their traffic reads as that tier's: the intent then lets
the tier stand for them (a load balancer's tier to its target tier on the target and
health-check ports, labelled by the LB's id ``lb_<tier>``; a client tier to the endpoint
tier on the flow's ports, labelled by the flow to ``aws:<service>``), and ``stand_ins``
says so in the report. With the addresses (``logs check --live``) they are endpoints of
their own (``lb_<tier>``, ``aws:<service>``) and nothing stands in."""

from __future__ import annotations

from collections.abc import Sequence
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network

from tierform.aws import INTERNET
from tierform.layout import Layout
from tierform.layout.load_balancer import load_balancer_id
from tierform.logs.rules import Block6, Rules

__all__ = ["Interface", "endpoint_name", "nat_tiers", "rules_of", "stand_ins"]

Interface = tuple[str, IPv4Address | IPv6Address]
"""A network interface's address and whose it is: ``lb_<tier>`` or ``aws:<service>``."""

_FlowTuple = tuple[str, str, str, str, tuple[tuple[int, int], ...]]


def nat_tiers(layout: Layout) -> tuple[str, ...]:
    """Tiers whose default route goes through a NAT gateway."""
    return tuple(dict.fromkeys(s.tier for s in layout.subnets if s.default_route == "nat"))


def endpoint_name(service: str) -> str:
    """``aws:<service>``: how flows (and the report) name an interface endpoint."""
    return f"aws:{service}"


def _lb_flows(layout: Layout, known: set[str]) -> list[_FlowTuple]:
    """Each load balancer's edges: internet -> LB on the listener ports and LB -> target
    tier on the target and health-check ports; the LB's tier stands for the LB when its
    addresses are not known (the internet leg is then the blueprint's own flow)."""
    out: list[_FlowTuple] = []
    for lb in layout.load_balancers:
        fid = load_balancer_id(lb.tier)
        targets = tuple(sorted({(lb.target_port, lb.target_port),
                                (lb.health_port, lb.health_port)}))
        if fid in known:
            listeners = tuple(sorted({(port, port) for port, _ in lb.listeners}))
            out.append((fid, INTERNET, fid, "tcp", listeners))
            out.append((fid, fid, lb.target_tier, "tcp", targets))
        else:
            out.append((fid, lb.tier, lb.target_tier, "tcp", targets))
    return out


def _endpoint_flows(layout: Layout, known: set[str]) -> list[_FlowTuple]:
    """For each flow to an interface endpoint whose addresses are not known: the client
    tier to the endpoint tier on the flow's ports, labelled by the flow (by every flow it
    may be, ``a or b``, when several services share the tier, client and ports)."""
    tier_of = {endpoint_name(e.service): e.tier for e in layout.interface_endpoints}
    labels: dict[tuple[str, str, str, tuple[tuple[int, int], ...]], list[str]] = {}
    for f in layout.blueprint.flows:
        tier = tier_of.get(f.dst)
        if tier is None or f.dst in known:
            continue
        key = (f.src, tier, f.protocol, tuple(f.port_ranges()))
        labels.setdefault(key, []).append(f.flow_id)
    return [(" or ".join(ids), src, tier, protocol, ports)
            for (src, tier, protocol, ports), ids in labels.items()]


def rules_of(layout: Layout, nat_addresses: Sequence[IPv4Address] = (),
             blocks6: Sequence[Block6] = (), interfaces: Sequence[Interface] = ()) -> Rules:
    """The classification rules of a laid-out blueprint. ``nat_addresses``: the private
    addresses of its NAT gateways (not in the blueprint: from a state, the console or
    ``aws ec2 describe-nat-gateways``); without them a NAT gateway's translated leg reads
    as its public tier talking to the internet. ``blocks6``: the VPC's and its tier subnets'
    IPv6 blocks (Amazon's choice, read from a state or the API); without them IPv6 records
    are unmapped. ``interfaces``: the load balancers' and interface endpoints' addresses
    (a live read); without them their tiers stand for them (module text)."""
    bp = layout.blueprint
    tiers: dict[str, list[IPv4Network]] = {}
    for subnet in layout.subnets:
        if subnet.cidr is not None:  # IPv6-only subnets have no IPv4 block
            tiers.setdefault(subnet.tier, []).append(subnet.cidr)
    owners = {load_balancer_id(lb.tier) for lb in layout.load_balancers}
    owners |= {endpoint_name(e.service) for e in layout.interface_endpoints}
    kept = [(name, address) for name, address in interfaces if name in owners]
    known = {name for name, _ in kept}
    # A block tagged with a tier the blueprint lacks is the VPC's, in no tier (unmapped).
    placed = [b if b.endpoint in tiers else Block6(b.network, None) for b in blocks6]
    # An interface's IPv6 address only with the VPC's blocks: with a block known, every
    # IPv6 address outside all of them reads as the internet, which without the VPC's own
    # would be a guess.
    if placed:
        placed += [Block6(IPv6Network(f"{a}/128"), name) for name, a in kept
                   if isinstance(a, IPv6Address)]
    flows: list[_FlowTuple] = [(f.flow_id, f.src, f.dst, f.protocol, tuple(f.port_ranges()))
                               for f in bp.flows]
    flows += _lb_flows(layout, known) + _endpoint_flows(layout, known)
    return Rules.build(vpc=bp.vpc.cidr,
                       tiers=tiers,
                       networks=bp.network_cidrs4, flows=flows, nat_tiers=nat_tiers(layout),
                       nat_addresses=nat_addresses, blocks6=placed,
                       interfaces=[(name, a) for name, a in kept
                                   if isinstance(a, IPv4Address)])


def stand_ins(layout: Layout, interfaces: Sequence[Interface] = ()) -> list[str]:
    """The report's notes for every load balancer and interface endpoint whose addresses
    were not read, so that its tier stands for it."""
    known = {name for name, _ in interfaces}
    notes = []
    for lb in layout.load_balancers:
        fid = load_balancer_id(lb.tier)
        if fid not in known:
            notes.append(f"load balancer {fid}: its network interfaces' addresses not read "
                         f"(a state does not record them; give --live): every address of "
                         f"tier {lb.tier} stands for it, so {lb.tier} -> {lb.target_tier} on "
                         f"the target and health-check ports reads as intended ({fid})")
    missing = sorted({(endpoint_name(e.service), e.tier) for e in layout.interface_endpoints
                      if endpoint_name(e.service) not in known
                      and any(f.dst == endpoint_name(e.service) for f in layout.blueprint.flows)})
    if missing:
        names = ", ".join(n for n, _ in missing)
        where = ", ".join(sorted({t for _, t in missing}))
        notes.append(f"interface endpoints {names}: their network interfaces' addresses not "
                     f"read (a state does not record them; give --live): tier {where} stands "
                     "for them, so a client tier's traffic to it on a flow's ports reads as "
                     "that flow to aws:<service>")
    return notes

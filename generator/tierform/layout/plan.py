"""Blueprint -> ``Layout``: ``plan_layout`` decides every resource name, CIDR, route and rule.

Stability (appending a flow, a tier or an AZ only adds resources):

- names depend only on a thing's own key (tier, AZ, peer, protocol, ports), never on
  its position among later things;
- NACL rules come in *groups* (one leg of one flow's port range towards one peer, one
  entry per peer CIDR). Groups are numbered in flow order per NACL direction and range,
  first occurrence wins. Rules whose peer is a tier or a named network are in the low
  range: group ``g`` (0-based) owns ``100 * (g + 1) + i``, where ``i`` is the peer CIDR's
  AZ index. Rules whose peer is the internet (0.0.0.0/0) are in the internet range:
  ``10000 + 100 * (g + 1)``; the first of them in a direction brings ``deny`` rules
  ``10000 + j`` for the VPC CIDR and each named network (``j`` = position, blueprint
  order), so that "internet" means what docs/network-semantics.md says: any address outside
  the VPC and the named networks. A later flow opens a new group; a new AZ adds ``+i``
  to existing groups and a new named network a new deny, without renumbering anything.
- Named networks are reached through one virtual private gateway (``aws_vpn_gateway.this``)
  the module creates when a flow names a named network; each tier with such a flow gets a
  route to the network's CIDR in each of its route tables (``aws_route.<tier>_<az>_<net>``).

Ranges and CIDRs are merged only where exact and stable: a flow's own ports are merged
(``FlowSpec.port_ranges``); rules of different flows are not merged (that would change
an existing rule when a flow is appended), exact duplicates are dropped.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from ipaddress import IPv4Network
from typing import Literal

from tierform.aws import ANYWHERE, DEFAULT_EPHEMERAL, INTERNET, service_name
from tierform.blueprint.model import Blueprint, FlowSpec, PortRange
from tierform.layout.model import (
    DENY_DESCRIPTION,
    INTERNET_RULES,
    EndpointPlan,
    Layout,
    NaclRulePlan,
    NatPlan,
    NetworkRoutePlan,
    SgRulePlan,
    SubnetPlan,
)

__all__ = ["az_suffix", "plan_layout"]


def az_suffix(region: str, az: str) -> str:
    """``us-east-1a`` -> ``a``: the AZ's part after the region, as an identifier."""
    rest = az[len(region):] if az.startswith(region) else az
    return re.sub(r"[^a-z0-9_]", "_", rest.lower()).strip("_") or "az"


def _ports_text(protocol: str, ports: PortRange) -> str:
    if protocol in ("all", "-1"):
        return "all traffic"
    if protocol == "icmp":
        return "icmp"
    low, high = ports
    return f"{protocol} {low}" if low == high else f"{protocol} {low}-{high}"


def _ports_key(protocol: str, ports: PortRange) -> str:
    if protocol in ("all", "-1"):
        return "all"
    if protocol == "icmp":
        return "icmp"
    low, high = ports
    return f"{protocol}_{low}" if low == high else f"{protocol}_{low}_{high}"


class _NaclBook:
    """Collects NACL entries per (tier, direction), numbering groups in first-seen order:
    tier and named-network peers in the low range, the internet in the internet range."""

    def __init__(self, excluded: list[str]) -> None:
        self.rules: list[NaclRulePlan] = []
        self._excluded = excluded
        """VPC and named-network CIDRs the internet range denies first."""
        self._groups: dict[tuple[str, bool, bool], int] = {}
        self._seen: set[tuple[str, bool, str, int, int, str]] = set()

    def _append(self, tier: str, egress: bool, number: int, protocol: str, ports: PortRange,
                cidr: str, description: str, flow: int,
                action: Literal["allow", "deny"] = "allow",
                leg: Literal["forward", "return"] = "forward") -> None:
        direction = "out" if egress else "in"
        self.rules.append(NaclRulePlan(
            name=f"{tier}_{direction}_{number}", tier=tier, egress=egress,
            rule_number=number, protocol=protocol, from_port=ports[0], to_port=ports[1],
            cidr=cidr, description=description, flow=flow, action=action, leg=leg))

    def add(self, tier: str, egress: bool, protocol: str, ports: PortRange,
            cidrs: list[str], description: str, flow: int,
            leg: Literal["forward", "return"] = "forward") -> None:
        hcl_protocol = "-1" if protocol == "all" else protocol
        if hcl_protocol in ("-1",):
            ports = (0, 65535)
        elif hcl_protocol == "icmp":
            ports = (-1, -1)
        fresh = [(i, c) for i, c in enumerate(cidrs)
                 if (tier, egress, hcl_protocol, *ports, c) not in self._seen]
        if not fresh:
            return
        internet = cidrs == [ANYWHERE]
        group = self._groups.get((tier, egress, internet), 0)
        self._groups[(tier, egress, internet)] = group + 1
        base = 0
        if internet:
            base = INTERNET_RULES
            if group == 0:
                # First-match order (A2): these denies sit above every 0.0.0.0/0 allow, so
                # the allows admit only addresses outside the VPC and the named networks.
                # Tier and named-network peers are allowed earlier, in the low range.
                for index, cidr in enumerate(self._excluded):
                    self._append(tier, egress, base + index, "-1", (0, 65535), cidr,
                                 f"{DENY_DESCRIPTION} (from flow {flow})", flow,
                                 action="deny")
        for index, cidr in fresh:
            self._seen.add((tier, egress, hcl_protocol, *ports, cidr))
            self._append(tier, egress, base + 100 * (group + 1) + index, hcl_protocol, ports,
                         cidr, description, flow, leg=leg)


class _SgBook:
    """Collects security group rules, one peer each, deduplicated by their key."""

    def __init__(self) -> None:
        self.rules: list[SgRulePlan] = []
        self._names: set[str] = set()

    def add(self, tier: str, egress: bool, protocol: str, ports: PortRange, peer: str,
            cidr: str | None, peer_tier: str | None, description: str, flow: int) -> None:
        hcl_protocol = "-1" if protocol == "all" else protocol
        direction = "to" if egress else "from"
        name = f"{tier}_{direction}_{peer}_{_ports_key(protocol, ports)}"
        if name in self._names:
            return
        self._names.add(name)
        low: int | None
        high: int | None
        if hcl_protocol == "-1":
            low = high = None
        elif hcl_protocol == "icmp":
            low = high = -1  # all ICMP types and codes
        else:
            low, high = ports
        self.rules.append(SgRulePlan(
            name=name, tier=tier, egress=egress, protocol=hcl_protocol, from_port=low,
            to_port=high, cidr=cidr, peer_tier=peer_tier, description=description, flow=flow))


def _return_protocol_ports(protocol: str) -> tuple[str, PortRange]:
    # Replies to tcp/udp go to the client's ephemeral port; icmp replies are icmp.
    if protocol in ("tcp", "udp"):
        return protocol, DEFAULT_EPHEMERAL
    return protocol, (0, 65535)


def plan_layout(bp: Blueprint, allocation: Mapping[str, Mapping[str, IPv4Network]]) -> Layout:
    """Every resource of the module: a pure function of (blueprint, allocation)."""
    azs = list(bp.availability_zones)
    public = [t for t, spec in bp.tiers.items() if spec.exposure == "public"]
    nat_tier = public[0] if public else None
    nats: list[NatPlan] = []
    if bp.nat != "none" and nat_tier is not None:
        hosts = azs if bp.nat == "per_az" else azs[:1]
        nats = [NatPlan(f"{nat_tier}_{az_suffix(bp.region, az)}",
                        f"{nat_tier}_{az_suffix(bp.region, az)}", nat_tier,
                        az=az, suffix=az_suffix(bp.region, az)) for az in hosts]

    subnets: list[SubnetPlan] = []
    for tier, spec in bp.tiers.items():
        for index, az in enumerate(azs):
            suffix = az_suffix(bp.region, az)
            nat: str | None = None
            route: str | None = None
            if spec.exposure == "public":
                route = "igw"
            elif spec.exposure == "private" and nats:
                route = "nat"
                nat = nats[index].name if bp.nat == "per_az" else nats[0].name
            subnets.append(SubnetPlan(
                name=f"{tier}_{suffix}", tier=tier, az=az, suffix=suffix, az_index=index,
                cidr=IPv4Network(allocation[tier][az]), exposure=spec.exposure,
                map_public_ip=spec.map_public_ip_on_launch, default_route=route, nat=nat))

    endpoint_tables = tuple(s.name for s in subnets if s.exposure in ("private", "isolated"))
    endpoints = tuple(EndpointPlan(e, service_name(bp.region, e), endpoint_tables)
                      for e in dict.fromkeys(bp.endpoints))

    nacl = _NaclBook([str(bp.vpc.cidr), *(str(c) for c in bp.networks.values())])
    sg = _SgBook()

    def cidrs_of(endpoint: str) -> list[str]:
        if endpoint == INTERNET:
            return [ANYWHERE]
        if endpoint in bp.networks:
            return [str(bp.networks[endpoint])]
        return [str(allocation[endpoint][az]) for az in azs]

    for number, flow in enumerate(bp.flows, start=1):
        _plan_flow(bp, number, flow, nacl, sg, cidrs_of, nat_tier if nats else None)

    network_routes = _network_routes(bp, subnets)
    return Layout(blueprint=bp, subnets=tuple(subnets), nats=tuple(nats), endpoints=endpoints,
                  nacl_rules=tuple(nacl.rules), sg_rules=tuple(sg.rules),
                  has_igw=bool(public), tiers=tuple(bp.tiers),
                  network_routes=network_routes,
                  has_vgw=any(f.src in bp.networks or f.dst in bp.networks for f in bp.flows))


def _network_routes(bp: Blueprint, subnets: list[SubnetPlan]) -> tuple[NetworkRoutePlan, ...]:
    """Routes to named networks for every tier with a flow to or from one (any exposure:
    the VPN gateway reaches only those networks, never the internet)."""
    wanted: dict[str, dict[str, None]] = {}
    for flow in bp.flows:
        for tier, peer in ((flow.src, flow.dst), (flow.dst, flow.src)):
            if tier in bp.tiers and peer in bp.networks:
                wanted.setdefault(tier, {})[peer] = None
    return tuple(
        NetworkRoutePlan(f"{s.name}_{network}", s.name, network, bp.networks[network])
        for s in subnets for network in bp.networks if network in wanted.get(s.tier, {}))


def _plan_flow(bp: Blueprint, number: int, flow: FlowSpec, nacl: _NaclBook, sg: _SgBook,
               cidrs_of: Callable[[str], list[str]], nat_tier: str | None) -> None:
    """Rules for one flow: SG both ends, NACL forward and return legs (and NAT legs)."""
    src, dst, protocol = flow.src, flow.dst, flow.protocol
    src_is_tier, dst_is_tier = src in bp.tiers, dst in bp.tiers
    back_protocol, back_ports = _return_protocol_ports(protocol)
    for ports in flow.port_ranges():
        what = f"flow {number}: {src} to {dst} {_ports_text(protocol, ports)}"
        back = f"flow {number} return: {dst} to {src} {_ports_text(back_protocol, back_ports)}"
        src_cidrs = cidrs_of(src)
        dst_cidrs = cidrs_of(dst)
        # Security groups are stateful (S2): the forward rule on each end is enough.
        if dst_is_tier:
            if src_is_tier:
                sg.add(dst, False, protocol, ports, src, None, src, what, number)
            else:
                sg.add(dst, False, protocol, ports, src, src_cidrs[0], None, what, number)
        if src_is_tier:
            if dst_is_tier:
                sg.add(src, True, protocol, ports, dst, None, dst, what, number)
            else:
                sg.add(src, True, protocol, ports, dst, dst_cidrs[0], None, what, number)
        # NACLs are stateless (A2, A3): forward leg and return leg on both subnets' ACLs.
        if src_is_tier:
            nacl.add(src, True, protocol, ports, dst_cidrs, what, number)
            nacl.add(src, False, back_protocol, back_ports, dst_cidrs, back, number, "return")
        if dst_is_tier:
            nacl.add(dst, False, protocol, ports, src_cidrs, what, number)
            nacl.add(dst, True, back_protocol, back_ports, src_cidrs, back, number, "return")
        # A5: a private tier reaches the internet through NAT; both legs cross the NAT
        # subnet's ACL, and replies keep the internet host's address (covered above by
        # the private tier's return leg from 0.0.0.0/0).
        if (dst == INTERNET and src_is_tier and nat_tier is not None
                and bp.tiers[src].exposure == "private"):
            via = f"flow {number} via NAT: {src} to {dst} {_ports_text(protocol, ports)}"
            via_back = (f"flow {number} via NAT return: {dst} to {src} "
                        f"{_ports_text(back_protocol, back_ports)}")
            nacl.add(nat_tier, False, protocol, ports, src_cidrs, via, number)
            nacl.add(nat_tier, True, protocol, ports, [ANYWHERE], via, number)
            nacl.add(nat_tier, False, back_protocol, back_ports, [ANYWHERE], via_back, number,
                     "return")
            nacl.add(nat_tier, True, back_protocol, back_ports, src_cidrs, via_back, number,
                     "return")

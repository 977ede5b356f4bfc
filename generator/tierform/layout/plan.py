"""Blueprint -> ``Layout``: ``plan_layout`` decides every resource name, CIDR, route and rule.

Stability: a rule depends only on the flow it serves. Editing a flow's ports or protocol
changes only that flow's rules; reordering flows changes nothing; removing a flow only
deletes its rules; appending a flow, a tier or an AZ only adds resources (docs/network-
semantics.md, D4 and D7).

- **Identity.** A flow is known by its id (``FlowSpec.flow_id``: the ``id`` written, else
  ``<from>_to_<to>_<protocol>``; the checks refuse two alike). Rule descriptions say
  ``flow <id>``, never a position.
- **NACL numbers** come from the id's slot (``tierform.layout.numbering``): the flow's
  ``k``-th rule on one ACL direction and band is ``band first + 10 * slot + k``, ``k``
  in an order fixed by the flow's own content. Rules of different flows are never
  merged or shared, even when alike, so that removing one flow never renumbers the
  other's. Names are ``<tier>_<in|out>_<number>`` (``tierform.layout.names``).
- **One NACL rule per peer tier, not per peer subnet.** A tier placed by the allocator
  is named by its whole reserved block (no other tier can ever live there; its unused
  slots hold no subnet, so they admit nothing); explicit CIDRs by their exact aggregate
  (``ipaddress.collapse_addresses``: 10.0.0.0/24 + 10.0.1.0/24 is 10.0.0.0/23), else one
  rule per CIDR. A flow's rule count then does not grow with the AZ count.
- **Denies.** Each ACL direction with an internet rule starts its deny band with the VPC
  CIDR and each named network (``deny_number``), so that 0.0.0.0/0 allows admit only
  what "internet" means (I1, D4).
- **Security-group rules** are named by their content (tier, direction, peer, protocol,
  ports); flows that need the very same rule (AWS refuses duplicates) share it, and it
  is described by the one whose id sorts first, whatever the flows' order.
- Named networks are reached through one virtual private gateway (``aws_vpn_gateway.this``)
  the module creates when a flow names a named network; each tier with such a flow gets a
  route to the network's CIDR in each of its route tables (``aws_route.<tier>_<az>_<net>``).
  A network with ``vpn`` also gets its customer gateway and a static-routes-only VPN
  connection to that gateway, named by the network, routes named by the CIDR.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from ipaddress import IPv4Network, collapse_addresses
from typing import Literal

from tierform.aws import (
    ANYWHERE,
    ANYWHERE_V6,
    DEFAULT_EPHEMERAL,
    GATEWAY_ENDPOINT_SERVICES,
    INTERNET,
    service_endpoint,
    service_name,
    service_of_endpoint,
)
from tierform.blueprint.allocate import allocate, dedicated_subnets
from tierform.blueprint.model import Blueprint, FlowSpec, PortRange
from tierform.layout.inspection import plan_inspection
from tierform.layout.ipv6 import VPC_BLOCK, subnet_index, tier_block
from tierform.layout.load_balancer import load_balancer_id, load_balancer_legs, load_balancers
from tierform.layout.model import (
    DENY_DESCRIPTION,
    EndpointPlan,
    InterfaceEndpointPlan,
    Layout,
    LoadBalancerPlan,
    NaclRulePlan,
    NatPlan,
    NetworkRoutePlan,
    PrefixListPlan,
    SgRulePlan,
    SubnetPlan,
    TransitPlan,
    VpnPlan,
)
from tierform.layout.names import (
    az_suffix,
    legacy_sg_rule_name,
    nacl_rule_name,
    network_route_name,
    sg_rule_name,
    subnet_name,
    vpn_route_name,
)
from tierform.layout.numbering import (
    IPV6_DENY,
    Band,
    deny_number,
    flow_slot,
    rule_number,
    secondary_deny_number,
)
from tierform.ports import format_ports

__all__ = ["az_suffix", "endpoint_group_name", "endpoint_resource_name", "gateway_peer",
           "peer_cidrs", "plan_layout"]

Leg = Literal["forward", "return"]


def _ports_text(protocol: str, ports: PortRange) -> str:
    return format_ports(protocol, [ports], full="0-65535", all_protocols="all traffic")


def _hcl_protocol(protocol: str) -> str:
    return "-1" if protocol == "all" else protocol


def _rule_ports(hcl_protocol: str, ports: PortRange) -> PortRange:
    """What a NACL entry carries: all ports for ``-1``, type/code -1 for icmp."""
    if hcl_protocol == "-1":
        return (0, 65535)
    if hcl_protocol == "icmp":
        return (-1, -1)
    return ports


def _return_protocol_ports(protocol: str) -> tuple[str, PortRange]:
    # Replies to tcp/udp go to the client's ephemeral port; icmp replies are icmp.
    if protocol in ("tcp", "udp"):
        return protocol, DEFAULT_EPHEMERAL
    return protocol, (0, 65535)


_Entries = dict[tuple[str, bool, Band], list[tuple[str, PortRange, str, str, Leg]]]


@dataclass
class _FlowNacl:
    """One flow's NACL entries, grouped per (tier, direction, band) in the order added.

    IPv6 twins (``ipv6=True``) are numbered after every IPv4 entry of their group, so that
    turning dual-stack on adds rules and renumbers none (``tierform.layout.numbering``)."""

    flow_id: str
    groups: _Entries = field(default_factory=dict)
    groups6: _Entries = field(default_factory=dict)

    def add(self, tier: str, egress: bool, protocol: str, ports: PortRange, cidrs: list[str],
            description: str, leg: Leg = "forward", *, ipv6: bool = False) -> None:
        hcl_protocol = _hcl_protocol(protocol)
        ports = _rule_ports(hcl_protocol, ports)
        if ipv6:
            description += " (IPv6)"
        for cidr in cidrs:
            band: Band = "internet" if cidr in (ANYWHERE, ANYWHERE_V6) else "peer"
            entries = (self.groups6 if ipv6 else self.groups).setdefault(
                (tier, egress, band), [])
            # A flow within one tier can ask twice for one entry (tcp 1024-65535 both
            # ways): the first one serves both.
            if all((p, q, c) != (hcl_protocol, ports, cidr) for p, q, c, _, _ in entries):
                entries.append((hcl_protocol, ports, cidr, description, leg))

    def rules(self) -> list[NaclRulePlan]:
        slot = flow_slot(self.flow_id)
        out: list[NaclRulePlan] = []
        for key in dict.fromkeys([*self.groups, *self.groups6]):
            tier, egress, band = key
            v4, v6 = self.groups.get(key, []), self.groups6.get(key, [])
            for k, (protocol, ports, cidr, description, leg) in enumerate(v4 + v6):
                number = rule_number(band, slot, k)
                out.append(NaclRulePlan(
                    name=nacl_rule_name(tier, egress, number), tier=tier, egress=egress,
                    rule_number=number, protocol=protocol, from_port=ports[0],
                    to_port=ports[1], cidr=cidr, description=description, flow=self.flow_id,
                    leg=leg, band=band, index=k, ipv6=k >= len(v4)))
        return out


@dataclass(frozen=True)
class _Ipv6:
    """Which ends of a flow have IPv6, and the IPv6 peers a rule names them by."""

    tiers: Mapping[str, int]
    """Tier with IPv6 -> its position in ``tiers`` (its /61 reservation)."""
    internet: frozenset[str]
    """Tiers with a ``::/0`` route (internet gateway or egress-only internet gateway)."""
    only: frozenset[str] = frozenset()
    """IPv6-only tiers: no IPv4 rule is theirs, none names them."""
    networks: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Named network -> its IPv6 CIDRs (IPv6 named networks, in a dual-stack VPC)."""

    def v4(self, owner: str, cidrs: list[str]) -> list[str]:
        """The IPv4 peers of a rule of ``owner``: none on an IPv6-only tier's layers."""
        return [] if owner in self.only else cidrs

    def peers(self, peer: str, owner: str) -> list[str]:
        """The IPv6 CIDRs of ``peer`` for a rule of tier ``owner``: none unless both ends
        speak IPv6 (interface endpoints stay IPv4; a named network by its IPv6 CIDRs)."""
        if owner not in self.tiers:
            return []
        if peer == INTERNET:
            return [ANYWHERE_V6] if owner in self.internet else []
        if peer in self.networks:
            return list(self.networks[peer])
        return [tier_block(self.tiers[peer])] if peer in self.tiers else []


@dataclass
class _SgBook:
    """Security-group rules by name (= by content): each flow that needs one is recorded."""

    wanted: dict[str, tuple[SgRulePlan, dict[str, str]]] = field(default_factory=dict)
    """name -> (the rule, flow id -> that flow's description of it)."""

    def add(self, flow_id: str, tier: str, egress: bool, protocol: str, ports: PortRange,
            peer: str, cidr: str | None, peer_tier: str | None, description: str, *,
            legacy: bool = True, prefix_list: str | None = None,
            network_list: tuple[str, int] | None = None) -> None:
        """``legacy``: the rule may have had an older name (not for endpoint groups' rules
        nor IPv6 twins, which are newer than the renaming). ``network_list``: (named
        network, its CIDR count) whose prefix list is the peer."""
        hcl_protocol = _hcl_protocol(protocol)
        ipv6 = cidr is not None and ":" in cidr
        name = sg_rule_name(tier, egress, peer, protocol, ports, ipv6=ipv6)
        low: int | None
        high: int | None
        if hcl_protocol == "-1":
            low = high = None
        elif hcl_protocol == "icmp":
            low = high = -1  # all ICMP types and codes
        else:
            low, high = ports
        rule = SgRulePlan(
            name=name, tier=tier, egress=egress, protocol=hcl_protocol, from_port=low,
            to_port=high, cidr=cidr, peer_tier=peer_tier, description="", flow="",
            prefix_list=prefix_list,
            network_list=network_list[0] if network_list else None,
            list_entries=network_list[1] if network_list else 0,
            moved_from=legacy_sg_rule_name(tier, egress, peer, protocol, ports) if legacy
            else None, label=legacy_sg_rule_name(tier, egress, peer, protocol, ports,
                                                 ipv6=ipv6))
        self.wanted.setdefault(name, (rule, {}))[1].setdefault(flow_id, description)

    def rules(self) -> list[SgRulePlan]:
        """Each rule owned by the smallest flow id; ``moved_from`` kept only where the old
        name was one rule's alone and names nothing in the new module."""
        names = {(rule.egress, name) for name, (rule, _) in self.wanted.items()}
        legacy: dict[tuple[bool, str | None], int] = {}
        for rule, _ in self.wanted.values():
            legacy[(rule.egress, rule.moved_from)] = legacy.get((rule.egress, rule.moved_from),
                                                                0) + 1
        out = []
        for name, (rule, descriptions) in self.wanted.items():
            owner = min(descriptions)
            old = rule.moved_from
            follow = (old is not None and old != name and legacy[(rule.egress, old)] == 1
                      and (rule.egress, old) not in names)
            out.append(SgRulePlan(
                name=name, tier=rule.tier, egress=rule.egress, protocol=rule.protocol,
                from_port=rule.from_port, to_port=rule.to_port, cidr=rule.cidr,
                peer_tier=rule.peer_tier, description=descriptions[owner], flow=owner,
                prefix_list=rule.prefix_list, moved_from=old if follow else None,
                label=rule.label or name, network_list=rule.network_list,
                list_entries=rule.list_entries))
        return out


def peer_cidrs(bp: Blueprint, allocation: Mapping[str, Mapping[str, IPv4Network]]
               ) -> dict[str, list[str]]:
    """Tier -> the CIDRs a rule names it by: the allocator's whole block for a netmask tier
    (when the allocation is the allocator's: every subnet of the tier in the block, no
    other tier's subnet in it), else the exact aggregates of its subnets."""
    blocks = {r.tier: r.network for r in allocate(bp).reservations if not r.explicit}
    out: dict[str, list[str]] = {}
    for tier in bp.tiers:
        if bp.vpc.ipv6 is not None and bp.tiers[tier].ipv6 and bp.tiers[tier].ipv6_only:
            out[tier] = []  # IPv6-only: no IPv4 address to name (its reservation is unused)
            continue
        subnets = [IPv4Network(c) for c in allocation.get(tier, {}).values()]
        block = blocks.get(tier)
        others = [IPv4Network(c) for t, cidrs in allocation.items() if t != tier
                  for c in cidrs.values()]
        if (block is not None and subnets and all(s.subnet_of(block) for s in subnets)
                and not any(o.overlaps(block) for o in others)):
            out[tier] = [str(block)]
        else:
            out[tier] = [str(n) for n in collapse_addresses(subnets)]
    return out


def plan_layout(bp: Blueprint, allocation: Mapping[str, Mapping[str, IPv4Network]]) -> Layout:
    """Every resource of the module: a pure function of (blueprint, allocation)."""
    azs = list(bp.availability_zones)
    public = [t for t, spec in bp.tiers.items() if spec.exposure == "public"]
    nat_tier = public[0] if public else None
    nats: list[NatPlan] = []
    if bp.nat != "none" and nat_tier is not None:
        hosts = azs if bp.nat == "per_az" else azs[:1]
        nats = [NatPlan(subnet_name(nat_tier, az_suffix(bp.region, az)),
                        subnet_name(nat_tier, az_suffix(bp.region, az)), nat_tier,
                        az=az, suffix=az_suffix(bp.region, az)) for az in hosts]

    subnets: list[SubnetPlan] = []
    for position, (tier, spec) in enumerate(bp.tiers.items()):
        for index, az in enumerate(azs):
            suffix = az_suffix(bp.region, az)
            nat: str | None = None
            route: str | None = None
            if spec.exposure == "public":
                route = "igw"
            elif spec.exposure == "private" and nats:
                route = "nat"
                nat = nats[index].name if bp.nat == "per_az" else nats[0].name
            ipv6 = bp.vpc.ipv6 is not None and spec.ipv6
            route6: Literal["igw", "eigw"] | None = None
            if ipv6 and route is not None:
                route6 = "igw" if route == "igw" else "eigw"
            cidr: IPv4Network | None = None
            nat64: str | None = None
            if ipv6 and spec.ipv6_only:  # no IPv4: NAT64 for the IPv4 internet
                nat64, nat, route = (nat if route == "nat" else None), None, None
            else:
                cidr = IPv4Network(allocation[tier][az])
            subnets.append(SubnetPlan(
                name=subnet_name(tier, suffix), tier=tier, az=az, suffix=suffix,
                az_index=index, cidr=cidr,
                exposure=spec.exposure, map_public_ip=spec.map_public_ip_on_launch,
                default_route=route, nat=nat,
                block=next((b for b in bp.vpc.secondary_cidrs
                            if cidr is not None and cidr.subnet_of(b)), None),
                ipv6_index=subnet_index(position, index) if ipv6 else None,
                ipv6_route=route6, nat64=nat64))
    v6 = _Ipv6({t: i for i, t in enumerate(bp.tiers)
                if bp.vpc.ipv6 is not None and bp.tiers[t].ipv6},
               frozenset(s.tier for s in subnets if s.ipv6_route is not None),
               frozenset(s.tier for s in subnets if s.ipv6_only),
               {n: tuple(map(str, c)) for n, c in bp.network_cidrs6.items() if c})

    endpoints = _gateway_endpoints(bp, subnets)
    gateways = {e.service: e for e in endpoints}

    tier_cidrs = peer_cidrs(bp, allocation)

    def cidrs_of(endpoint: str) -> list[str]:
        if endpoint == INTERNET:
            return [ANYWHERE]
        if endpoint in bp.networks:  # IPv4 here; IPv6 CIDRs are the twins (_Ipv6.peers)
            return [str(c) for c in bp.network_cidrs4[endpoint]]
        return tier_cidrs[endpoint]

    interface = _interface_endpoints(bp, subnets)
    groups = {e.service: e for e in interface}
    nacl_rules: list[NaclRulePlan] = []
    sg = _SgBook()
    for flow in bp.flows:
        nacl = _FlowNacl(flow.flow_id)
        service = service_of_endpoint(flow.dst)
        if service is not None and service in gateways:
            if flow.src in bp.tiers:  # else refused by the checks
                _plan_gateway_flow(flow, gateways[service], nacl, sg)
        elif service is not None:
            if service in groups and flow.src in bp.tiers:  # else refused by the checks
                _plan_service_flow(flow, groups[service], nacl, sg, cidrs_of)
        else:
            _plan_flow(bp, flow, nacl, sg, cidrs_of, nat_tier if nats else None, v6)
        nacl_rules += nacl.rules()
    balancers = load_balancers(bp, subnets)
    for lb in balancers:
        if lb.target_tier in bp.tiers:  # else refused by the checks
            nacl_rules += _plan_load_balancer(lb, sg, cidrs_of)
    nacl_rules += _denies(bp, nacl_rules)

    order = {tier: i for i, tier in enumerate(bp.tiers)}
    order.update({e.group: len(order) + i for i, e in enumerate(interface)})
    order.update({lb.group: len(order) + i for i, lb in enumerate(balancers)})
    network_routes = _network_routes(bp, subnets)
    return Layout(
        blueprint=bp, subnets=tuple(subnets), nats=tuple(nats), endpoints=endpoints,
        nacl_rules=tuple(sorted(nacl_rules, key=lambda r: (order[r.tier], r.egress,
                                                           r.rule_number, r.flow or ""))),
        sg_rules=tuple(sorted(sg.rules(), key=lambda r: (order[r.tier], r.egress, r.name))),
        has_igw=bool(public), tiers=tuple(bp.tiers), network_routes=network_routes,
        has_vgw=any(r.via == "vgw" for r in network_routes),
        vpns=_vpns(bp, network_routes),
        interface_endpoints=interface, transit=_transit(bp, network_routes),
        ipv6=bp.vpc.ipv6 is not None,
        has_eigw=any(s.ipv6_route == "eigw" for s in subnets),
        inspection=plan_inspection(bp, subnets, nats, tier_cidrs),
        load_balancers=balancers,
        prefix_lists=_prefix_lists(bp, network_routes, sg.rules()))


def _prefix_lists(bp: Blueprint, routes: tuple[NetworkRoutePlan, ...],
                  rules: list[SgRulePlan]) -> tuple[PrefixListPlan, ...]:
    """The managed prefix list of each ``cidrs:`` network a route or group rule names."""
    named = {r.prefix_list for r in routes} | {r.network_list for r in rules}
    return tuple(PrefixListPlan(name, name, bp.network_cidrs[name])
                 for name in bp.networks if name in named and bp.network_prefix_list(name))


def _plan_load_balancer(lb: LoadBalancerPlan, sg: _SgBook,
                        cidrs_of: Callable[[str], list[str]]) -> list[NaclRulePlan]:
    """An LB's group rules into the book, and its ACL rules (its own flow identity)."""
    fid = load_balancer_id(lb.tier)
    sg_legs, nacl_legs = load_balancer_legs(lb)
    for leg in sg_legs:
        sg.add(fid, leg.owner, leg.egress, "tcp", leg.ports, leg.peer, leg.cidr,
               leg.peer_group, leg.description, legacy=False)
    nacl = _FlowNacl(fid)
    for n in nacl_legs:
        nacl.add(n.tier, n.egress, "tcp", n.ports, cidrs_of(n.peer_tier), n.description, n.leg)
    return nacl.rules()


def _transit(bp: Blueprint, routes: tuple[NetworkRoutePlan, ...]) -> TransitPlan | None:
    """The attachment's subnets (``tierform.blueprint.allocate.dedicated_subnets``) and
    ACL, when a route goes through the transit gateway. The ACL's rules are numbered by
    the identity ``transit:<cidr>`` of what they admit (never a position): the VPC CIDR
    and each network's, all traffic, both ways."""
    networks = tuple(n for n in bp.networks if any(r.network == n and r.via == "tgw"
                                                   for r in routes))
    if not networks:
        return None
    subnets = tuple((subnet_name("transit", az_suffix(bp.region, az)), az, cidr)
                    for az, cidr in dedicated_subnets(bp, "transit").items())
    peers = [str(bp.vpc.cidr), *(str(c) for n in networks for c in bp.network_cidrs4[n])]
    rules = []
    for cidr in peers:
        number = rule_number("peer", flow_slot(f"transit:{cidr}"), 0)
        for egress in (False, True):
            rules.append(NaclRulePlan(
                name=nacl_rule_name("transit", egress, number), tier="transit",
                egress=egress, rule_number=number, protocol="-1", from_port=0,
                to_port=65535, cidr=cidr,
                description=f"transit attachment: all traffic {'to' if egress else 'from'} "
                            f"{cidr}", flow=None))
    return TransitPlan(subnets, networks, tuple(sorted(rules, key=lambda r: (r.egress,
                                                                              r.rule_number))))


def endpoint_resource_name(service: str) -> str:
    """``ecr.api`` -> ``ecr_api``: the endpoint's resource name."""
    return service.replace(".", "_").replace("-", "_")


def endpoint_group_name(service: str) -> str:
    """The endpoint's security group: ``vpce_<name>`` (a tier of that name is refused as a
    clash of addresses, ``tierform.layout.names``)."""
    return f"vpce_{endpoint_resource_name(service)}"


def _interface_endpoints(bp: Blueprint, subnets: list[SubnetPlan]
                         ) -> tuple[InterfaceEndpointPlan, ...]:
    """One interface endpoint per service some flow names, in service-name order (not flow
    order: reordering flows changes nothing); clients in tier order."""
    spec = bp.interface_endpoints
    wanted: dict[str, set[str]] = {}
    for flow in bp.flows:
        service = service_of_endpoint(flow.dst)
        if service is not None:
            wanted.setdefault(service, set()).add(flow.src)
    if spec is None or spec.tier not in bp.tiers:
        return ()  # refused by the checks
    return tuple(
        InterfaceEndpointPlan(
            service=service, name=endpoint_resource_name(service),
            service_name=service_name(bp.region, service), tier=spec.tier,
            subnets=tuple(s.name for s in subnets if s.tier == spec.tier),
            group=endpoint_group_name(service),
            clients=tuple(t for t in bp.tiers if t in wanted[service]),
            policy=spec.policy is not None)
        for service in sorted(wanted))


def _plan_service_flow(flow: FlowSpec, endpoint: InterfaceEndpointPlan, nacl: _FlowNacl,
                       sg: _SgBook, cidrs_of: Callable[[str], list[str]]) -> None:
    """A flow to ``aws:<service>``: a flow to the endpoint's network interfaces, which sit
    in ``endpoint.tier``'s subnets and carry the endpoint's group. Groups: egress on the
    client's group to the endpoint's, ingress on the endpoint's from the client's. ACLs:
    both legs on the client's and the endpoint tier's ACLs (peer: the other tier's block)."""
    fid, src, host = flow.flow_id, flow.src, endpoint.tier
    target = service_endpoint(endpoint.service)
    for ports in flow.port_ranges():
        what = f"flow {fid}: {src} to {target} {_ports_text('tcp', ports)}"
        sg.add(fid, src, True, "tcp", ports, endpoint.group, None, endpoint.group, what,
               legacy=False)
        sg.add(fid, endpoint.group, False, "tcp", ports, src, None, src, what, legacy=False)
        nacl.add(src, True, "tcp", ports, cidrs_of(host), what)
        nacl.add(host, False, "tcp", ports, cidrs_of(src), what)
    back = (f"flow {fid} return: {target} to {src} "
            f"{_ports_text('tcp', DEFAULT_EPHEMERAL)}")
    nacl.add(src, False, "tcp", DEFAULT_EPHEMERAL, cidrs_of(host), back, "return")
    nacl.add(host, True, "tcp", DEFAULT_EPHEMERAL, cidrs_of(src), back, "return")


def _gateway_endpoints(bp: Blueprint, subnets: list[SubnetPlan]) -> tuple[EndpointPlan, ...]:
    """Gateway endpoints: those ``endpoints:`` lists (blueprint order, routed on every
    private and isolated table, as always), then those only flows to ``aws:s3`` /
    ``aws:dynamodb`` name (service order). Either way a flow's tier gets the route on its
    tables too; a service only flows name is routed on their tiers' tables alone."""
    clients: dict[str, set[str]] = {}
    for flow in bp.flows:
        service = service_of_endpoint(flow.dst)
        if service in GATEWAY_ENDPOINT_SERVICES and flow.src in bp.tiers:
            clients.setdefault(service, set()).add(flow.src)
    listed = list(dict.fromkeys(bp.endpoints))
    out = []
    for service in [*listed, *sorted(set(clients) - set(listed))]:
        wanted = clients.get(service, set())
        tables = tuple(s.name for s in subnets if s.tier in wanted or (
            service in listed and s.exposure in ("private", "isolated")))
        out.append(EndpointPlan(service, service_name(bp.region, service), tables,
                                tuple(t for t in bp.tiers if t in wanted), service in listed))
    return tuple(out)


def gateway_peer(service: str) -> str:
    """``vpce-s3``: the peer part of a rule name whose peer is a gateway endpoint's prefix
    list (a ``-`` no tier name holds, so it never meets a tier's rule name)."""
    return f"vpce-{service}"


def _plan_gateway_flow(flow: FlowSpec, endpoint: EndpointPlan, nacl: _FlowNacl,
                       sg: _SgBook) -> None:
    """A flow to ``aws:s3`` / ``aws:dynamodb``: the route to the endpoint's prefix list is on
    the tier's tables (``_gateway_endpoints``); the tier's group egress names that prefix
    list, exactly. NACLs cannot name a prefix list, and the service's entries are AWS's
    (they change, and reading them needs the API at plan time): the legs are TCP 443 out to
    0.0.0.0/0 and its return in, in the internet band below the deny band, so the VPC's
    own addresses stay denied there and the route table and group do the narrowing."""
    fid, src = flow.flow_id, flow.src
    target = service_endpoint(endpoint.service)
    for ports in flow.port_ranges():
        what = f"flow {fid}: {src} to {target} {_ports_text('tcp', ports)}"
        sg.add(fid, src, True, "tcp", ports, gateway_peer(endpoint.service), None, None, what,
               legacy=False, prefix_list=endpoint.service)
        nacl.add(src, True, "tcp", ports, [ANYWHERE],
                 f"{what} (prefix list: NACLs cannot name it)")
    back = (f"flow {fid} return: {target} to {src} "
            f"{_ports_text('tcp', DEFAULT_EPHEMERAL)}")
    nacl.add(src, False, "tcp", DEFAULT_EPHEMERAL, [ANYWHERE], back, "return")


def _denies(bp: Blueprint, rules: list[NaclRulePlan]) -> list[NaclRulePlan]:
    """The deny band of every ACL direction that has an internet rule (D4): the VPC CIDR
    and each named network, all traffic, above every 0.0.0.0/0 allow (first match)."""
    excluded = [(deny_number(None), str(bp.vpc.cidr))]
    # 15101 is kept for the VPC's IPv6 block; secondary CIDR i is 15102 + i (append only).
    excluded += [(secondary_deny_number(i), str(cidr))
                 for i, cidr in enumerate(bp.vpc.secondary_cidrs)]
    # k: the CIDR's place in the network (append only); IPv6 ones deny before ::/0 only.
    excluded += [(deny_number(i, k), str(cidr))
                 for i, cidrs in enumerate(bp.network_cidrs.values())
                 for k, cidr in enumerate(cidrs) if cidr.version == 4]
    excluded6 = [(IPV6_DENY, VPC_BLOCK)]
    excluded6 += [(deny_number(i, k), str(cidr))
                  for i, cidrs in enumerate(bp.network_cidrs.values())
                  for k, cidr in enumerate(cidrs) if cidr.version == 6]
    directions = dict.fromkeys((r.tier, r.egress) for r in rules if r.band == "internet")
    # Dual-stack: the VPC's IPv6 block before the ::/0 allows (15101, numbering); IPv4
    # denies only where a 0.0.0.0/0 allow is (not on an IPv6-only tier's ACL).
    directions6 = {(r.tier, r.egress) for r in rules if r.cidr == ANYWHERE_V6}
    directions4 = {(r.tier, r.egress) for r in rules if r.band == "internet" and not r.ipv6}
    return [NaclRulePlan(name=nacl_rule_name(tier, egress, number), tier=tier, egress=egress,
                         rule_number=number, protocol="-1", from_port=0, to_port=65535,
                         cidr=cidr, description=DENY_DESCRIPTION, flow=None, action="deny",
                         band="deny", ipv6=v6)
            for tier, egress in directions
            for number, cidr, v6 in sorted(
                ([(n, c, False) for n, c in excluded] if (tier, egress) in directions4
                 else [])
                + ([(n, c, True) for n, c in excluded6] if (tier, egress) in directions6
                   else []))]


def _vpns(bp: Blueprint, routes: tuple[NetworkRoutePlan, ...]) -> tuple[VpnPlan, ...]:
    """A VPN for each ``via: vgw`` network with ``vpn`` that the gateway routes to (the
    checks refuse ``vpn`` on a network no flow names, or on a ``via: tgw`` one)."""
    routed = {r.network for r in routes if r.via == "vgw"}
    plans: list[VpnPlan] = []
    for name in bp.networks:
        vpn = bp.network_vpn(name)
        if vpn is None or name not in routed:
            continue
        plans.append(VpnPlan(name, str(vpn.customer_gateway.ip_address),
                             vpn.customer_gateway.bgp_asn,
                             tuple((vpn_route_name(name, cidr), cidr)  # a VPN route per CIDR
                                   for cidr in bp.network_cidrs4[name])))
    return tuple(plans)


def _network_routes(bp: Blueprint, subnets: list[SubnetPlan]) -> tuple[NetworkRoutePlan, ...]:
    """Routes to named networks for every tier with a flow to or from one (any exposure:
    the VPN gateway reaches only those networks, never the internet)."""
    wanted: dict[str, dict[str, None]] = {}
    for flow in bp.flows:
        for tier, peer in ((flow.src, flow.dst), (flow.dst, flow.src)):
            if tier in bp.tiers and peer in bp.networks:
                wanted.setdefault(tier, {})[peer] = None
    return tuple(
        NetworkRoutePlan(network_route_name(s.name, network), s.name, network,
                         None if bp.network_prefix_list(network) else bp.network_cidrs[network][0],
                         bp.network_via(network),
                         network if bp.network_prefix_list(network) else None)
        for s in subnets for network in bp.networks if network in wanted.get(s.tier, {}))


def _network_list(bp: Blueprint, endpoint: str) -> tuple[str, int] | None:
    """(network, its CIDR count) when ``endpoint`` is a ``cidrs:`` network, else None."""
    if endpoint in bp.networks and bp.network_prefix_list(endpoint):
        return endpoint, len(bp.network_cidrs[endpoint])
    return None


def _plan_flow(bp: Blueprint, flow: FlowSpec, nacl: _FlowNacl, sg: _SgBook,
               cidrs_of: Callable[[str], list[str]], nat_tier: str | None,
               v6: _Ipv6) -> None:
    """Rules for one flow: SG both ends, NACL forward and return legs (and NAT legs).

    Dual-stack: each ACL rule whose both ends have IPv6 gets an IPv6 twin (peer tier: its
    /61; internet: ``::/0``, for tiers routed there); security groups get a ``::/0`` twin
    of each internet rule (tier peers are group references, which cover both families).
    NAT is IPv4 only: a private tier's IPv6 leaves through the egress-only gateway. An
    IPv6-only tier's layers name no IPv4 peer and no IPv4 rule names it; with NAT, its
    ``64:ff9b::/96`` goes to the NAT gateway (NAT64): the NAT legs below."""
    fid = flow.flow_id
    src, dst, protocol = flow.src, flow.dst, flow.protocol
    if protocol == "icmp":  # ICMPv6 is another protocol (58): not derived (README)
        v6 = _Ipv6({}, frozenset(), v6.only)
    src_is_tier, dst_is_tier = src in bp.tiers, dst in bp.tiers
    src_cidrs, dst_cidrs = cidrs_of(src), cidrs_of(dst)
    # A ``cidrs:`` network is its prefix list in group rules (one rule, whatever its size).
    src_list, dst_list = _network_list(bp, src), _network_list(bp, dst)
    via_nat = (dst == INTERNET and src_is_tier and nat_tier is not None
               and bp.tiers[src].exposure == "private")
    # NAT64 (an IPv6-only private tier): the NAT subnet's ACL admits the tier's /61 in
    # over IPv6 and the translated connection out over IPv4, and the replies back.
    nat64 = [tier_block(v6.tiers[src])] if via_nat and src in v6.only else []
    for ports in flow.port_ranges():
        what = f"flow {fid}: {src} to {dst} {_ports_text(protocol, ports)}"
        # Security groups are stateful (S2): the forward rule on each end is enough.
        if dst_is_tier:
            if src_is_tier:
                sg.add(fid, dst, False, protocol, ports, src, None, src, what)
            elif src_list is not None:
                sg.add(fid, dst, False, protocol, ports, src, None, None, what, legacy=False,
                       network_list=src_list)
            else:
                for cidr in v6.v4(dst, src_cidrs):
                    sg.add(fid, dst, False, protocol, ports, src, cidr, None, what)
                for cidr in v6.peers(src, dst):
                    sg.add(fid, dst, False, protocol, ports, src, cidr, None,
                           what + " (IPv6)", legacy=False)
        if src_is_tier:
            if dst_is_tier:
                sg.add(fid, src, True, protocol, ports, dst, None, dst, what)
            elif dst_list is not None:
                sg.add(fid, src, True, protocol, ports, dst, None, None, what, legacy=False,
                       network_list=dst_list)
            else:
                for cidr in v6.v4(src, dst_cidrs):
                    sg.add(fid, src, True, protocol, ports, dst, cidr, None, what)
                for cidr in v6.peers(dst, src):
                    sg.add(fid, src, True, protocol, ports, dst, cidr, None,
                           what + " (IPv6)", legacy=False)
        # NACLs are stateless (A2, A3): the forward leg on both subnets' ACLs...
        if src_is_tier:
            nacl.add(src, True, protocol, ports, v6.v4(src, dst_cidrs), what)
            nacl.add(src, True, protocol, ports, v6.peers(dst, src), what, ipv6=True)
        if dst_is_tier:
            nacl.add(dst, False, protocol, ports, v6.v4(dst, src_cidrs), what)
            nacl.add(dst, False, protocol, ports, v6.peers(src, dst), what, ipv6=True)
        # A5: a private tier reaches the internet through NAT; both legs cross the NAT
        # subnet's ACL, and replies keep the internet host's address (covered below by
        # the private tier's return leg from 0.0.0.0/0).
        if via_nat and nat_tier is not None:
            via = f"flow {fid} via NAT: {src} to {dst} {_ports_text(protocol, ports)}"
            nacl.add(nat_tier, False, protocol, ports, src_cidrs, via)
            nacl.add(nat_tier, True, protocol, ports, [ANYWHERE], via)
            if nat64:  # in over IPv6 from the tier, out translated to IPv4 (above)
                nacl.add(nat_tier, False, protocol, ports, nat64, via, ipv6=True)
    # ... and the return leg, once per flow (every port range's replies share it).
    back_protocol, back_ports = _return_protocol_ports(protocol)
    back = f"flow {fid} return: {dst} to {src} {_ports_text(back_protocol, back_ports)}"
    if src_is_tier:
        nacl.add(src, False, back_protocol, back_ports, v6.v4(src, dst_cidrs), back,
                 "return")
        nacl.add(src, False, back_protocol, back_ports, v6.peers(dst, src), back, "return",
                 ipv6=True)
    if dst_is_tier:
        nacl.add(dst, True, back_protocol, back_ports, v6.v4(dst, src_cidrs), back,
                 "return")
        nacl.add(dst, True, back_protocol, back_ports, v6.peers(src, dst), back, "return",
                 ipv6=True)
    if via_nat and nat_tier is not None:
        via_back = (f"flow {fid} via NAT return: {dst} to {src} "
                    f"{_ports_text(back_protocol, back_ports)}")
        nacl.add(nat_tier, False, back_protocol, back_ports, [ANYWHERE], via_back, "return")
        nacl.add(nat_tier, True, back_protocol, back_ports, src_cidrs, via_back, "return")
        if nat64:
            nacl.add(nat_tier, True, back_protocol, back_ports, nat64, via_back, "return",
                     ipv6=True)

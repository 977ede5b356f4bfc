"""Layout -> the intended ``Network`` (source ``blueprint``): what the module means to build,
with the ids the plan reader will find (module-relative addresses)."""

from __future__ import annotations

from collections.abc import Mapping
from ipaddress import IPv4Network

from tierform.aws import (
    ANYWHERE,
    ANYWHERE_V6,
    IPV6_NATIVE_STAND_IN,
    NAT64_PREFIX,
    normalise_protocol,
)
from tierform.blueprint.model import Blueprint
from tierform.layout.inspection import EDGE_TABLE
from tierform.layout.ipv6 import VPC_BLOCK
from tierform.layout.model import InspectionPlan, InspectionRoutePlan, Layout
from tierform.layout.plan import plan_layout
from tierform.network.firewall_rules import parse_rules_string, rule_from_header
from tierform.network.model import (
    Firewall,
    FirewallPolicy,
    FirewallRuleGroup,
    GatewayEndpoint,
    InterfaceEndpoint,
    InternetGateway,
    Listener,
    LoadBalancer,
    Nacl,
    NaclEntry,
    NatGateway,
    Network,
    Route,
    RouteTable,
    SecurityGroup,
    SgRule,
    Subnet,
    TargetGroup,
    firewall_endpoint_key,
    named_networks_of,
)

__all__ = ["FIREWALL", "derive", "firewall_endpoint_id", "network_of"]

_GATEWAY = {"vgw": "aws_vpn_gateway.this", "tgw": "var.transit_gateway_id"}
"""What a route to a named network targets, as the plan reader names it."""


def derive(bp: Blueprint, allocation: Mapping[str, Mapping[str, IPv4Network]]) -> Network:
    """The network the rendered module intends (source ``blueprint``)."""
    return network_of(plan_layout(bp, allocation))


def network_of(layout: Layout) -> Network:
    """Build the ``Network`` from a ``Layout`` (ids = module-relative addresses)."""
    bp = layout.blueprint
    net = Network(source="blueprint", vpc_cidrs=(bp.vpc.cidr, *bp.vpc.secondary_cidrs),
                  vpc_id="aws_vpc.this",
                  named_networks=named_networks_of(bp.network_cidrs),
                  vpc_ipv6_cidrs=(VPC_BLOCK,) if layout.ipv6 else ())
    services = {e.service: e.service_name for e in layout.endpoints}
    for s in layout.subnets:
        sid = f"aws_subnet.{s.name}"
        # An IPv6-only subnet is recorded as the readers record it (IPv4 stand-in, native).
        cidr = s.cidr if s.cidr is not None else IPv4Network(IPV6_NATIVE_STAND_IN)
        net.subnets[sid] = Subnet(sid, cidr, s.az, s.tier, f"{bp.name}-{s.tier}-{s.suffix}",
                                  s.map_public_ip, sid, ipv6_cidr=s.ipv6_cidr,
                                  assign_ipv6=s.ipv6_cidr is not None,
                                  ipv6_native=s.ipv6_only)
    if layout.has_igw:
        net.internet_gateways["aws_internet_gateway.this"] = InternetGateway(
            "aws_internet_gateway.this", "aws_internet_gateway.this")
    for n in layout.nats:
        nid = f"aws_nat_gateway.{n.name}"
        net.nat_gateways[nid] = NatGateway(nid, f"aws_subnet.{n.subnet}", True, nid)
    # The managed main table holds no routes (besides AWS's implicit local route).
    net.route_tables["aws_default_route_table.this"] = RouteTable(
        "aws_default_route_table.this", is_main=True, name=f"{bp.name}-main",
        source="aws_default_route_table.this")
    inspection = layout.inspection
    for s in layout.subnets:
        rid = f"aws_route_table.{s.name}"
        routes: tuple[Route, ...] = ()
        retargeted = inspection.retargeted(s.name) if inspection is not None else None
        if retargeted is not None and retargeted.az is not None:
            routes = (Route(ANYWHERE, "gwlbe", firewall_endpoint_id(retargeted.az),
                            f"aws_route.{s.name}_default"),)
        elif s.default_route == "igw":
            routes = (Route(ANYWHERE, "igw", "aws_internet_gateway.this",
                            f"aws_route.{s.name}_default"),)
        elif s.default_route == "nat":
            routes = (Route(ANYWHERE, "nat", f"aws_nat_gateway.{s.nat}",
                            f"aws_route.{s.name}_default"),)
        if s.ipv6_route is not None:
            gateway = ("aws_internet_gateway.this" if s.ipv6_route == "igw"
                       else "aws_egress_only_internet_gateway.this")
            routes += (Route(ANYWHERE_V6, s.ipv6_route, gateway,
                             f"aws_route.{s.name}_default_ipv6"),)
        if s.nat64 is not None:
            routes += (Route(NAT64_PREFIX, "nat", f"aws_nat_gateway.{s.nat64}",
                             f"aws_route.{s.name}_nat64"),)
        # A VPN or transit gateway reaches the named networks only (never the internet).
        # A prefix-list route is the route to each of its entries (R11).
        routes += tuple(Route(str(c), r.via, _GATEWAY[r.via], f"aws_route.{r.name}")
                        for r in layout.network_routes_of(s.name)
                        for c in ((r.cidr,) if r.cidr is not None
                                  else bp.network_cidrs[r.network]))
        # R5: a gateway endpoint adds a prefix-list route for its service to each table it
        # serves; recorded as the plan, state and live readers do (destination = service).
        routes += tuple(Route(services[e.service], "endpoint",
                              f"aws_vpc_endpoint.{e.service}", f"aws_vpc_endpoint.{e.service}")
                        for e in layout.endpoints if s.name in e.route_tables)
        # Egress alone: the NAT subnets route the inspected private subnets back through
        # the firewall endpoint of the private subnet's AZ.
        routes += tuple(Route(r.destination, "gwlbe", firewall_endpoint_id(r.az),
                              f"aws_route.{r.name}")
                        for r in (inspection.routes_of(s.name) if inspection is not None
                                  else ()) if not r.retargets and r.az is not None)
        net.route_tables[rid] = RouteTable(rid, routes, frozenset({f"aws_subnet.{s.name}"}),
                                           False, s.tier, f"{bp.name}-{s.tier}-{s.suffix}", rid)
    if inspection is not None:
        _firewall_network(net, layout, inspection)
    if layout.transit is not None:
        # The attachment's subnets: no tier (not endpoints, E3), local routes only, one ACL.
        for name, az, cidr in layout.transit.subnets:
            sid = f"aws_subnet.{name}"
            net.subnets[sid] = Subnet(sid, cidr, az, None, f"{bp.name}-{name.replace('_', '-')}",
                                      False, sid)
            net.route_tables[f"aws_route_table.{name}"] = RouteTable(
                f"aws_route_table.{name}", (), frozenset({sid}), False, None,
                f"{bp.name}-{name.replace('_', '-')}", f"aws_route_table.{name}")
        net.nacls["aws_network_acl.transit"] = Nacl(
            "aws_network_acl.transit",
            tuple(NaclEntry(r.rule_number, r.egress, "-1", "allow", r.cidr,
                            source=f"aws_network_acl_rule.{r.name}")
                  for r in layout.transit.acl_rules),
            frozenset(f"aws_subnet.{name}" for name, _, _ in layout.transit.subnets),
            False, None, f"{bp.name}-transit", "aws_network_acl.transit")
    for e in layout.endpoints:
        eid = f"aws_vpc_endpoint.{e.service}"
        net.endpoints[eid] = GatewayEndpoint(
            eid, services[e.service],
            frozenset(f"aws_route_table.{t}" for t in e.route_tables), eid, eid)
    # Managed default NACL with no entries: subnets left on it are denied (fail closed).
    net.nacls["aws_default_network_acl.this"] = Nacl(
        "aws_default_network_acl.this", is_default=True, name=f"{bp.name}-default",
        source="aws_default_network_acl.this")
    for tier in layout.tiers:
        aid = f"aws_network_acl.{tier}"
        entries = tuple(
            NaclEntry(r.rule_number, r.egress, normalise_protocol(r.protocol), r.action, r.cidr,
                      r.from_port if r.protocol != "icmp" else 0,
                      r.to_port if r.protocol != "icmp" else 65535,
                      -1 if r.protocol == "icmp" else None,
                      -1 if r.protocol == "icmp" else None,
                      f"aws_network_acl_rule.{r.name}")
            for r in layout.nacl_rules if r.tier == tier)
        net.nacls[aid] = Nacl(aid, entries,
                              frozenset(f"aws_subnet.{s.name}" for s in layout.subnets_of(tier)),
                              False, tier, f"{bp.name}-{tier}", aid)
    net.security_groups["aws_default_security_group.this"] = SecurityGroup(
        "aws_default_security_group.this", is_default=True, name="default",
        source="aws_default_security_group.this")
    owners: list[tuple[str, str | None]] = [(tier, tier) for tier in layout.tiers]
    owners += [(e.group, None) for e in layout.interface_endpoints]
    owners += [(lb.group, None) for lb in layout.load_balancers]
    for owner, tier_of in owners:
        gid = f"aws_security_group.{owner}"
        rules = tuple(
            SgRule(r.egress, normalise_protocol(r.protocol),
                   0 if r.from_port is None else r.from_port,
                   65535 if r.to_port is None else r.to_port,
                   cidr, None if r.peer_tier is None else f"aws_security_group.{r.peer_tier}",
                   None if r.prefix_list is None else f"aws_vpc_endpoint.{r.prefix_list}",
                   r.description,
                   f"aws_vpc_security_group_{'egress' if r.egress else 'ingress'}_rule.{r.name}")
            for r in layout.sg_rules if r.tier == owner
            # A named network's prefix list: a rule per entry (S5, its entries are known).
            for cidr in ([r.cidr] if r.network_list is None
                         else [str(c) for c in bp.network_cidrs[r.network_list]]))
        net.security_groups[gid] = SecurityGroup(gid, rules, tier_of, f"{bp.name}-{owner}",
                                                 False, gid)
        if tier_of is not None:
            net.tier_groups[tier_of] = (gid,)
    for i in layout.interface_endpoints:
        iid = f"aws_vpc_endpoint.{i.name}"
        net.interface_endpoints[iid] = InterfaceEndpoint(
            iid, i.service_name, frozenset(f"aws_subnet.{s}" for s in i.subnets),
            (f"aws_security_group.{i.group}",), iid, "ipv4")  # rendered IPv4 only
    for lb in layout.load_balancers:
        lid = f"aws_lb.{lb.name}"
        tg = TargetGroup(f"aws_lb_target_group.{lb.name}", lb.target_port,
                         lb.target_protocol,
                         lb.health_port if lb.health_port != lb.target_port else None,
                         f"aws_lb_target_group.{lb.name}")
        net.load_balancers[lid] = LoadBalancer(
            lid, lb.type, False, frozenset(f"aws_subnet.{s}" for s in lb.subnets),
            (f"aws_security_group.{lb.group}",),
            tuple(Listener(port, protocol, (tg.id,)) for port, protocol in lb.listeners),
            (tg,), lid)
    return net


FIREWALL = "aws_networkfirewall_firewall.this"
"""The rendered firewall's key, as the plan reader names it."""
_POLICY = "aws_networkfirewall_firewall_policy.this"
_GROUP = "aws_networkfirewall_rule_group"


def firewall_endpoint_id(az: str) -> str:
    """The id derive gives the firewall's endpoint in ``az`` (known only after apply): the
    key the plan reader gives it too (R15), so the analyzer takes the route as a firewall hop."""
    return firewall_endpoint_key(FIREWALL, az)


def _firewall_network(net: Network, layout: Layout, plan: InspectionPlan) -> None:
    """The firewall subnets (no tier), their tables and ACL, and the internet gateway's
    edge table (associated with the gateway, no subnet)."""
    bp = layout.blueprint

    def route(r: InspectionRoutePlan) -> Route:
        if r.target == "firewall" and r.az is not None:
            return Route(r.destination, "gwlbe", firewall_endpoint_id(r.az), f"aws_route.{r.name}")
        if r.target == "igw":
            return Route(r.destination, "igw", "aws_internet_gateway.this", f"aws_route.{r.name}")
        return Route(r.destination, "nat", f"aws_nat_gateway.{r.nat}", f"aws_route.{r.name}")

    for f in plan.subnets:
        sid, rid = f"aws_subnet.{f.name}", f"aws_route_table.{f.name}"
        tag = f"{bp.name}-firewall-{f.suffix}"
        net.subnets[sid] = Subnet(sid, f.cidr, f.az, None, tag, False, sid)
        net.route_tables[rid] = RouteTable(rid, tuple(route(r) for r in plan.routes_of(f.name)),
                                           frozenset({sid}), False, None, tag, rid)
    if plan.edge:
        rid = f"aws_route_table.{EDGE_TABLE}"
        net.route_tables[rid] = RouteTable(
            rid, tuple(route(r) for r in plan.routes_of(EDGE_TABLE)), frozenset(), False,
            None, f"{bp.name}-igw-edge", rid,
            gateway_ids=frozenset({"aws_internet_gateway.this"}))
    net.nacls["aws_network_acl.firewall"] = Nacl(
        "aws_network_acl.firewall",
        tuple(NaclEntry(r.rule_number, r.egress, "-1", "allow", r.cidr,
                        source=f"aws_network_acl_rule.{r.name}") for r in plan.acl_rules),
        frozenset(f"aws_subnet.{f.name}" for f in plan.subnets), False, None,
        f"{bp.name}-firewall", "aws_network_acl.firewall")
    _firewall_rules(net, layout, plan)


def _firewall_rules(net: Network, layout: Layout, plan: InspectionPlan) -> None:
    """The firewall, its policy and rule groups as the plan reader reads the rendered ones
    (R15): the same keys, the rules read by the same parser, so the analyzer answers alike."""
    groups: list[FirewallRuleGroup] = []
    if plan.domains:
        groups.append(FirewallRuleGroup(
            f"{_GROUP}.egress_domains", domains=plan.domains, domain_action="allow",
            strict_order=True, source=f"{_GROUP}.egress_domains"))
    if plan.rules:
        rules, unparsed = parse_rules_string("\n".join(plan.rules))
        groups.append(FirewallRuleGroup(f"{_GROUP}.rules", rules=tuple(rules),
                                        unparsed=tuple(unparsed), strict_order=True,
                                        source=f"{_GROUP}.rules"))
    if plan.flow_rules:
        passes = []
        for r in plan.flow_rules:
            got = rule_from_header("PASS", r.protocol, r.source, "ANY", "FORWARD",
                                   r.destination, r.destination_port, [("sid", str(r.sid))])
            assert not isinstance(got, str), got  # the layout writes only what parses
            passes.append(got)
        groups.append(FirewallRuleGroup(f"{_GROUP}.flows", rules=tuple(passes),
                                        strict_order=True, source=f"{_GROUP}.flows"))
    for g in groups:
        net.firewall_rule_groups[g.id] = g
    net.firewall_policies[_POLICY] = FirewallPolicy(
        _POLICY, ("aws:forward_to_sfe",), ("aws:forward_to_sfe",), (),
        tuple(g.id for g in groups), (plan.default_action,), True, _POLICY)
    net.firewalls[FIREWALL] = Firewall(
        FIREWALL, tuple(sorted((f.az, f"aws_subnet.{f.name}") for f in plan.subnets)),
        tuple(sorted((f.az, firewall_endpoint_id(f.az)) for f in plan.subnets)), _POLICY,
        FIREWALL)

"""Network Firewall inspection -> its resources: firewall subnets, routes, rule groups, policy.

The routing is ``tierform.blueprint.inspection``'s (which tiers' default routes the firewall
takes over); here it becomes resources, each named and numbered by identity:

- **Firewall subnets**: the dedicated /28 of each AZ (``dedicated_subnets(bp, "firewall")``),
  ``firewall_<az suffix>``, each with its own route table, one ACL admitting all traffic
  (the firewall filters; AWS's advice), rules numbered from ``firewall:<cidr>``.
- **Routes** (every endpoint AZ-local: the endpoint of the subnet's own AZ):
  ingress: an edge route table on the internet gateway routes each routed public subnet's
  CIDR to its AZ's endpoint, the public subnets' ``0.0.0.0/0`` goes to the endpoint (the
  same ``<subnet>_default`` route, its target changed in place), the firewall subnets'
  ``0.0.0.0/0`` to the internet gateway. Egress alone: the private subnets' ``0.0.0.0/0`` to
  the endpoint, the firewall subnets' to the NAT gateway of their AZ (``nat: single``: the
  one NAT), and each NAT subnet routes the private subnets it serves back to their AZ's
  endpoint (symmetric return). Ingress and egress: egress crosses the firewall after NAT.
  East-west, per routed tier pair (X earlier in the blueprint than Y): each X subnet's table
  routes each Y subnet's CIDR to an endpoint and that Y subnet's table routes the X
  subnet's CIDR back to the same one (``east_west_az``: the X subnet's AZ), named
  ``<table subnet>_east_west_<destination subnet>``.
- **Rule groups** (stateful, strict order), by priority: 100 the domain allow-list, 200 the
  blueprint's rule strings, 300 one 5-tuple PASS per inspected flow (sid from the flow id,
  never its position; east-west: per source and destination subnet CIDR); flows to the
  internet get no pass rule when ``egress_domains`` is given (a TCP pass would let their
  connections by before the domain check).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

from tierform.aws import ANYWHERE, INTERNET
from tierform.blueprint.allocate import dedicated_subnets
from tierform.blueprint.inspection import (
    InspectionRouting,
    crosses,
    east_west_az,
    inspection_routing,
    nat_tier_of,
)
from tierform.blueprint.model import Blueprint
from tierform.layout.model import (
    FirewallSubnetPlan,
    InspectionPlan,
    InspectionRoutePlan,
    NaclRulePlan,
    NatPlan,
    StatefulRulePlan,
    SubnetPlan,
)
from tierform.layout.names import az_suffix, nacl_rule_name, subnet_name
from tierform.layout.numbering import flow_slot, rule_number

__all__ = [
    "DEFAULT_ACTIONS",
    "EDGE_TABLE",
    "FLOW_SID_FIRST",
    "PRIORITIES",
    "FirewallSubnetPlan",
    "InspectionPlan",
    "InspectionRoutePlan",
    "StatefulRulePlan",
    "flow_sid",
    "plan_inspection",
]

EDGE_TABLE = "igw_edge"
"""The route table associated with the internet gateway (ingress)."""
FLOW_SID_FIRST = 1_000_000_000
"""The flows' pass rules take sids ``FLOW_SID_FIRST + digest mod 10**9`` (the checks keep
the blueprint's own rule strings below it)."""
PRIORITIES = {"egress_domains": 100, "rules": 200, "flows": 300}
"""Strict-order priority of each rule group in the policy, by what it holds."""
DEFAULT_ACTIONS = {"drop": "aws:drop_established", "alert": "aws:alert_established"}
_PROTOCOLS = {"tcp": "TCP", "udp": "UDP", "icmp": "ICMP", "all": "IP"}

def flow_sid(flow_id: str, k: int) -> int:
    """Sid of a flow's ``k``-th pass rule: a digest of ``<id>:<k>`` (stable, not positional)."""
    digest = hashlib.sha256(f"{flow_id}:{k}".encode()).digest()
    return FLOW_SID_FIRST + int.from_bytes(digest[:8], "big") % FLOW_SID_FIRST


def _ports(low: int, high: int) -> str:
    if (low, high) == (0, 65535):
        return "ANY"
    return str(low) if low == high else f"{low}:{high}"


def plan_inspection(bp: Blueprint, subnets: tuple[SubnetPlan, ...] | list[SubnetPlan],
                    nats: tuple[NatPlan, ...] | list[NatPlan],
                    tier_cidrs: Mapping[str, list[str]]) -> InspectionPlan | None:
    """The inspection's resources (module docstring); None without ``inspection``."""
    spec = bp.inspection
    routing = inspection_routing(bp)
    if spec is None or routing is None:
        return None
    firewall = tuple(FirewallSubnetPlan(subnet_name("firewall", az_suffix(bp.region, az)), az,
                                        az_suffix(bp.region, az), cidr)
                     for az, cidr in dedicated_subnets(bp, "firewall").items())
    by_az = {f.az: f for f in firewall}
    routes: list[InspectionRoutePlan] = []
    public = [s for s in subnets if s.tier in routing.public]
    private = [s for s in subnets if s.tier in routing.private and s.default_route == "nat"]
    for s in public:
        routes.append(InspectionRoutePlan(f"{EDGE_TABLE}_{s.name}", EDGE_TABLE, str(s.cidr),
                                          "firewall", s.az))
    for s in public + private:
        routes.append(InspectionRoutePlan(f"{s.name}_default", s.name, ANYWHERE, "firewall",
                                          s.az, retargets=True))
    nat_of = {n.az: n for n in nats}
    for f in firewall:
        name = f"{f.name}_default"
        if public:
            routes.append(InspectionRoutePlan(name, f.name, ANYWHERE, "igw"))
        elif private and nats:
            nat = nat_of.get(f.az, nats[0])
            routes.append(InspectionRoutePlan(name, f.name, ANYWHERE, "nat", nat=nat.name))
    for s in private:
        nat_subnet = s.nat  # NAT gateways are named after their subnet
        if nat_subnet is not None:
            routes.append(InspectionRoutePlan(f"{nat_subnet}_via_firewall_{s.name}",
                                              nat_subnet, str(s.cidr), "firewall", s.az))
    for first, second in routing.east_west:
        for x in (s for s in subnets if s.tier == first):
            for y in (s for s in subnets if s.tier == second):
                az = east_west_az(x.az, y.az)
                routes.append(InspectionRoutePlan(f"{x.name}_east_west_{y.name}", x.name,
                                                  str(y.cidr), "firewall", az, peer=y.name))
                routes.append(InspectionRoutePlan(f"{y.name}_east_west_{x.name}", y.name,
                                                  str(x.cidr), "firewall", az, peer=x.name))
    acl_rules = []
    number = rule_number("internet", flow_slot(f"firewall:{ANYWHERE}"), 0)
    for egress in (False, True):
        acl_rules.append(NaclRulePlan(
            name=nacl_rule_name("firewall", egress, number), tier="firewall", egress=egress,
            rule_number=number, protocol="-1", from_port=0, to_port=65535, cidr=ANYWHERE,
            description=f"firewall subnets: all traffic {'to' if egress else 'from'} "
                        f"{ANYWHERE} (the firewall filters)", flow=None, band="internet"))
    return InspectionPlan(
        modes=tuple(spec.modes), subnets=firewall,
        routes=tuple(r for r in routes if r.target != "firewall" or r.az in by_az),
        acl_rules=tuple(acl_rules), domains=tuple(spec.egress_domains),
        rules=tuple(spec.rules), flow_rules=_flow_rules(bp, routing, subnets, tier_cidrs),
        default_action=DEFAULT_ACTIONS[spec.default_action],
        logging=tuple(t.upper() for t in dict.fromkeys(spec.logging)), routing=routing,
        edge=bool(public))


def _flow_rules(bp: Blueprint, routing: InspectionRouting,
                subnets: tuple[SubnetPlan, ...] | list[SubnetPlan],
                tier_cidrs: Mapping[str, list[str]]) -> tuple[StatefulRulePlan, ...]:
    """One PASS per (peer CIDR, port range) of each flow that crosses the firewall, in flow
    id order. After NAT, the firewall sees the NAT subnets' addresses as the source."""
    spec = bp.inspection
    assert spec is not None
    nat_tier = nat_tier_of(bp)
    nat_cidrs = [str(s.cidr) for s in subnets if s.tier == nat_tier]
    out: list[StatefulRulePlan] = []
    for flow in sorted(bp.flows, key=lambda f: f.flow_id):
        if not spec.inspects(flow, bp.tiers) or not crosses(bp, routing, flow):
            continue
        mode = spec.mode_of(flow, bp.tiers)
        if flow.dst == INTERNET and spec.egress_domains:
            continue  # the allow-list decides egress, a public tier's too
        protocol = _PROTOCOLS[flow.protocol]
        ranges = ([(0, 65535)] if flow.protocol in ("icmp", "all")
                  else flow.port_ranges())
        if flow.src == INTERNET:
            pairs = [("ANY", cidr) for cidr in tier_cidrs[flow.dst]]
        elif mode == "east-west":
            pairs = [(cidr, peer) for cidr in tier_cidrs[flow.src]
                     for peer in tier_cidrs[flow.dst]]
        elif mode == "egress" and routing.egress_after_nat:
            pairs = [(cidr, "ANY") for cidr in nat_cidrs]
        else:
            pairs = [(cidr, "ANY") for cidr in tier_cidrs[flow.src]]
        k = 0
        for low, high in ranges:
            for source, destination in pairs:
                out.append(StatefulRulePlan(flow_sid(flow.flow_id, k), flow.flow_id, protocol,
                                            source, destination, _ports(low, high)))
                k += 1
    return tuple(out)

"""The Layout: every resource of a rendered module, decided in Python, in render order.

The renderer writes HCL from a ``Layout`` only, and ``tierform.layout.network`` builds
the intended ``Network`` from the same ``Layout``, so the HCL and the derived network
name the same things (ids are module-relative addresses such as ``aws_subnet.web_a``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from ipaddress import IPv4Network, IPv6Network
from typing import Literal

from tierform.blueprint.inspection import InspectionRouting
from tierform.blueprint.model import Blueprint
from tierform.layout.ipv6 import subnet_block
from tierform.layout.numbering import DENY_FIRST, Band

__all__ = [
    "DENY_DESCRIPTION",
    "INTERNET_RULES",
    "EndpointPlan",
    "FirewallSubnetPlan",
    "InspectionPlan",
    "InspectionRoutePlan",
    "InterfaceEndpointPlan",
    "Layout",
    "LoadBalancerPlan",
    "NaclRulePlan",
    "NatPlan",
    "NetworkRoutePlan",
    "PrefixListPlan",
    "SgRulePlan",
    "StatefulRulePlan",
    "SubnetPlan",
    "TransitPlan",
    "VpnPlan",
]

INTERNET_RULES = DENY_FIRST
"""Rule numbers from here on are the denies of the VPC and named networks, then the
internet rules (``tierform.layout.numbering``); below are the tier and network peers."""
DENY_DESCRIPTION = "deny: internet rules below exclude the VPC and named networks"


@dataclass(frozen=True)
class SubnetPlan:
    name: str
    """Resource name shared by the subnet, its route table and associations (``web_a``)."""
    tier: str
    az: str
    suffix: str
    az_index: int
    cidr: IPv4Network | None
    """None: an IPv6-only subnet (``ipv6_native``), no IPv4 block."""
    exposure: str
    map_public_ip: bool
    default_route: str | None
    """``igw``, ``nat`` or None (isolated: local only)."""
    nat: str | None = None
    """Name of the NAT gateway this subnet's default route uses (private tiers)."""
    block: IPv4Network | None = None
    """The secondary VPC CIDR the subnet lies in (its association must exist first)."""
    ipv6_index: int | None = None
    """Dual-stack: ``k`` of its /64 in the VPC's /56 (``tierform.layout.ipv6``); None: IPv4
    only."""
    ipv6_route: Literal["igw", "eigw"] | None = None
    """The ``::/0`` route: the internet gateway (public), the egress-only internet gateway
    (private with NAT), or none (isolated, IPv4-only, private without NAT)."""
    nat64: str | None = None
    """IPv6-only private subnets with NAT: the NAT gateway of its zone that
    ``64:ff9b::/96`` (NAT64, with DNS64 on the subnet) goes to."""

    @property
    def ipv6_only(self) -> bool:
        """No IPv4 block: the subnet is ``ipv6_native``."""
        return self.cidr is None

    @property
    def ipv6_cidr(self) -> str | None:
        """The /64 as an expression of the VPC's /56 (symbolic until apply)."""
        return None if self.ipv6_index is None else subnet_block(self.ipv6_index)


@dataclass(frozen=True)
class NatPlan:
    name: str
    """Name of the NAT gateway and its EIP: the public subnet it sits in."""
    subnet: str
    tier: str
    az: str = field(kw_only=True)
    """The availability zone of its subnet."""
    suffix: str = field(kw_only=True)
    """Its subnet's AZ suffix (``a``): the Name tag is ``<prefix>-nat-<tier>-<suffix>``."""


@dataclass(frozen=True)
class EndpointPlan:
    service: str
    service_name: str
    """The AWS endpoint service name, e.g. ``com.amazonaws.us-east-1.s3``."""
    route_tables: tuple[str, ...]
    clients: tuple[str, ...] = ()
    """The tiers whose flows name ``aws:<service>`` (tier order); empty: ``endpoints:``
    alone asked for it."""
    listed: bool = True
    """Named in ``endpoints:`` (its route on every private and isolated table)."""


@dataclass(frozen=True)
class InterfaceEndpointPlan:
    """An interface endpoint some flow names (``aws:<service>``): its network interfaces in
    one tier's subnets, private DNS on, its own security group admitting the flows' tiers."""

    service: str
    """``ssm``, ``ecr.api``: the service as flows name it after ``aws:``."""
    name: str
    """Resource name of the endpoint (``ssm``, ``ecr_api``)."""
    service_name: str
    tier: str
    """The tier whose subnets hold the network interfaces."""
    subnets: tuple[str, ...]
    group: str
    """Resource name of the endpoint's security group (``vpce_ssm``)."""
    clients: tuple[str, ...]
    """Tiers whose flows name the service, in tier order."""
    policy: bool = False
    """An endpoint policy is rendered (``interface_endpoints.policy``)."""


@dataclass(frozen=True)
class LoadBalancerPlan:
    """An internet-facing load balancer in ``tier``'s subnets, proxying to ``target_tier``
    (``tierform.layout.load_balancer``): its own group, one target group, its listeners."""

    tier: str
    name: str
    """Resource name of the LB, its target group and listeners' prefix (``lb_web``)."""
    type: Literal["application", "network"]
    subnets: tuple[str, ...]
    group: str
    """Resource name of its security group (``lb_web``)."""
    listeners: tuple[tuple[int, str], ...]
    """(port, protocol) as written."""
    target_tier: str
    target_port: int
    target_protocol: str
    health_port: int
    health_path: str | None
    dualstack: bool
    """Its subnets all have IPv6: ``ip_address_type = "dualstack"``, ``::/0`` admitted."""
    certificate: bool
    """An HTTPS or TLS listener takes ``var.certificate_arn``."""
    access_logs_bucket: str | None = None


@dataclass(frozen=True)
class NaclRulePlan:
    name: str
    tier: str
    egress: bool
    rule_number: int
    protocol: str
    """tcp, udp, icmp or -1 (as written in HCL)."""
    from_port: int
    to_port: int
    cidr: str
    description: str
    flow: str | None
    """Id of the flow the rule serves (``FlowSpec.flow_id``); None for the shared denies."""
    action: Literal["allow", "deny"] = "allow"
    """``allow``, or ``deny`` for the VPC / named-network rules heading the internet band."""
    leg: Literal["forward", "return"] = "forward"
    """``return`` for a rule that admits replies (A3) rather than the flow's connections."""
    band: Band | Literal["deny"] = "peer"
    """The band of the number (``tierform.layout.numbering``)."""
    index: int = 0
    """``k``: the rule's place among its flow's rules on this ACL direction and band."""
    ipv6: bool = False
    """``cidr`` is IPv6 (``::/0``, or an expression of the VPC's /56): ``ipv6_cidr_block``."""


@dataclass(frozen=True)
class NetworkRoutePlan:
    """A route from one tier subnet's table to a named network, through the VPN gateway."""

    name: str
    """``<subnet>_<network>``, e.g. ``mgmt_a_corp``."""
    subnet: str
    """Name of the subnet (and its route table)."""
    network: str
    cidr: IPv4Network | IPv6Network | None
    """The destination CIDR (IPv6: ``destination_ipv6_cidr_block``); None when the
    destination is the network's prefix list."""
    via: Literal["vgw", "tgw"] = "vgw"
    """Through the VPN gateway, or the transit gateway (``var.transit_gateway_id``)."""
    prefix_list: str | None = None
    """``aws_ec2_managed_prefix_list.<this>``: a ``cidrs:`` network's list (one route for
    all its CIDRs: adding one changes only the list)."""


@dataclass(frozen=True)
class PrefixListPlan:
    """A named network written with ``cidrs:``: ``aws_ec2_managed_prefix_list.<name>``,
    ``max_entries`` = its CIDR count, one ``entry`` per CIDR in blueprint order."""

    name: str
    """The resource name: the network's name."""
    network: str
    cidrs: tuple[IPv4Network | IPv6Network, ...]
    """One family (a prefix list has one address family: ``checks``)."""

    @property
    def max_entries(self) -> int:
        return len(self.cidrs)

    @property
    def address_family(self) -> str:
        return "IPv6" if self.cidrs[0].version == 6 else "IPv4"


@dataclass(frozen=True)
class VpnPlan:
    """A site-to-site VPN to a named network (``networks.<name>.vpn``): the customer
    gateway, the connection to ``aws_vpn_gateway.this`` (static routes only) and one
    ``aws_vpn_connection_route`` per network CIDR, named by the CIDR (never a position)."""

    network: str
    """The named network; also the name of the customer gateway and the connection."""
    ip_address: str
    bgp_asn: int
    routes: tuple[tuple[str, IPv4Network], ...]
    """(resource name, destination CIDR): ``corp_192_168_0_0_16``."""


@dataclass(frozen=True)
class TransitPlan:
    """The transit gateway attachment: dedicated /28 subnets (one per AZ) with their own
    route table each and one ACL, admitting all traffic between the VPC and the networks
    reached through it (AWS's advice: filter in the tiers' ACLs, not the attachment's)."""

    subnets: tuple[tuple[str, str, IPv4Network], ...]
    """(name, availability zone, CIDR): ``transit_a``."""
    networks: tuple[str, ...]
    """The named networks with ``via: tgw``, in blueprint order."""
    acl_rules: tuple[NaclRulePlan, ...]


@dataclass(frozen=True)
class FirewallSubnetPlan:
    """A Network Firewall endpoint's dedicated /28 (``tierform.layout.inspection``)."""

    name: str
    """``firewall_a``: the subnet, its route table and associations."""
    az: str
    suffix: str
    cidr: IPv4Network


@dataclass(frozen=True)
class InspectionRoutePlan:
    """A route the inspection adds or retargets."""

    name: str
    """The ``aws_route`` resource name (``web_a_default`` when it retargets that route)."""
    table: str
    """The route table's resource name (``web_a``, ``firewall_a``, ``igw_edge``)."""
    destination: str
    target: Literal["firewall", "igw", "nat"]
    az: str | None = None
    """``firewall``: the AZ whose endpoint it targets (the table's subnet's AZ; for a NAT
    subnet's return route the private subnet's AZ; east-west, ``east_west_az`` of the
    pair)."""
    nat: str | None = None
    """``nat``: the NAT gateway's name."""
    retargets: bool = False
    """It is the subnet's ``<subnet>_default`` route with a new target (updated in place)."""
    peer: str | None = None
    """East-west: the subnet whose CIDR is the destination (the other end of the pair)."""


@dataclass(frozen=True)
class StatefulRulePlan:
    """A 5-tuple PASS rule of the flows' rule group."""

    sid: int
    flow: str
    protocol: str
    """TCP, UDP, ICMP or IP."""
    source: str
    destination: str
    destination_port: str
    """``ANY``, ``443`` or ``1024:2048``."""


@dataclass(frozen=True)
class InspectionPlan:
    modes: tuple[str, ...]
    subnets: tuple[FirewallSubnetPlan, ...]
    routes: tuple[InspectionRoutePlan, ...]
    acl_rules: tuple[NaclRulePlan, ...]
    domains: tuple[str, ...]
    rules: tuple[str, ...]
    flow_rules: tuple[StatefulRulePlan, ...]
    default_action: str
    """``aws:drop_established`` or ``aws:alert_established``."""
    logging: tuple[str, ...]
    """``ALERT``, ``FLOW``: in blueprint order."""
    routing: InspectionRouting
    edge: bool
    """The internet gateway's edge route table is rendered (ingress)."""

    def routes_of(self, table: str) -> list[InspectionRoutePlan]:
        return [r for r in self.routes if r.table == table]

    def retargeted(self, subnet: str) -> InspectionRoutePlan | None:
        """The subnet's default route when the inspection retargets it."""
        return next((r for r in self.routes if r.table == subnet and r.retargets), None)


@dataclass(frozen=True)
class SgRulePlan:
    name: str
    tier: str
    egress: bool
    protocol: str
    """tcp, udp, icmp or -1 (as written in HCL ``ip_protocol``)."""
    from_port: int | None
    to_port: int | None
    cidr: str | None
    peer_tier: str | None
    description: str
    flow: str
    """Id of the flow the rule is described by: of the flows that need this very rule
    (AWS refuses a duplicate), the one whose id sorts first, whatever their order."""
    moved_from: str | None = None
    """The name Tierform gave this rule before names were escaped, when it differs and
    Terraform can follow it (a ``moved`` block is rendered)."""
    prefix_list: str | None = None
    """The gateway endpoint (resource name) whose prefix list is the peer (a flow to
    ``aws:s3``): ``prefix_list_id = aws_vpc_endpoint.<it>.prefix_list_id``."""
    label: str = ""
    """``<tier>_<from|to>_<peer>_<ports>`` unescaped, for the ``Name`` tag (tags need not be
    unique; names must): the tag every release has given this rule."""
    network_list: str | None = None
    """The named network (``cidrs:``) whose managed prefix list is the peer:
    ``prefix_list_id = aws_ec2_managed_prefix_list.<it>.id``."""
    list_entries: int = 0
    """The peer prefix list's ``max_entries``: AWS counts the rule that many times."""


@dataclass(frozen=True)
class Layout:
    """Every resource the module holds, in render order."""

    blueprint: Blueprint
    subnets: tuple[SubnetPlan, ...]
    nats: tuple[NatPlan, ...]
    endpoints: tuple[EndpointPlan, ...]
    nacl_rules: tuple[NaclRulePlan, ...]
    sg_rules: tuple[SgRulePlan, ...]
    has_igw: bool
    tiers: tuple[str, ...] = field(default=())
    network_routes: tuple[NetworkRoutePlan, ...] = field(default=())
    has_vgw: bool = False
    """A virtual private gateway for the named networks (some flow names one)."""
    vpns: tuple[VpnPlan, ...] = field(default=())
    """Site-to-site VPNs to ``via: vgw`` networks some flow names, in blueprint order."""
    interface_endpoints: tuple[InterfaceEndpointPlan, ...] = field(default=())
    transit: TransitPlan | None = None
    """Present when some flow names a network with ``via: tgw``."""
    ipv6: bool = False
    """Dual-stack (``vpc.ipv6``): the VPC asks for an Amazon-provided /56."""
    has_eigw: bool = False
    """An egress-only internet gateway: some subnet routes ``::/0`` to it."""
    inspection: InspectionPlan | None = None
    """AWS Network Firewall (``inspection``): ``tierform.layout.inspection``."""
    load_balancers: tuple[LoadBalancerPlan, ...] = field(default=())
    prefix_lists: tuple[PrefixListPlan, ...] = field(default=())
    """Managed prefix lists of ``cidrs:`` networks some flow names, in blueprint order."""
    """One per tier with ``load_balancer``, in tier order."""

    def subnets_of(self, tier: str) -> list[SubnetPlan]:
        return [s for s in self.subnets if s.tier == tier]

    def network_routes_of(self, subnet: str) -> list[NetworkRoutePlan]:
        return [r for r in self.network_routes if r.subnet == subnet]

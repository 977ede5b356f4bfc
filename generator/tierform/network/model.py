"""The one Network type in the middle: what derive, the plan/state/live readers build,
and what the analyzer reads. Plain frozen dataclasses; no behaviour beyond lookups.

Conventions every builder follows:

- ``id`` is the key other objects use to refer to a thing: a Terraform resource
  address (``aws_subnet.web_a``, module-relative) for derive/plan, the AWS id for
  state/live. ``source`` is what a report should name (address, or "id (address)").
- Protocols are AWS protocol numbers as strings: ``"-1"`` (all), ``"6"`` tcp,
  ``"17"`` udp, ``"1"`` icmp. Readers normalise "tcp"/"udp"/"icmp"/"all".
- Port ranges are inclusive; a rule without ports covers 0-65535. Readers turn
  attribute values into ranges with :func:`port_range` only, so plan, state and live
  read the same rule the same way.
- Every route table implicitly holds ``local`` routes for the VPC CIDRs (AWS R1):
  builders need not add them; the analyzer does.
- The network always has a main route table and a default NACL: when the
  configuration does not manage them, the reader adds AWS's defaults (main table:
  local routes only; default NACL: allow all in and out, rule 100).
- Anything a reader could not resolve goes to ``unresolved``; it is never guessed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from ipaddress import IPv4Network, IPv6Network, ip_network
from typing import Literal

from tierform.aws import ALL_PORTS, PORTED_PROTOCOLS, normalise_protocol, service_from_name

__all__ = [
    "DEFAULT_NACL_ID",
    "FIREWALL_ENDPOINT_MARK",
    "MAIN_ROUTE_TABLE_ID",
    "Appliance",
    "Firewall",
    "FirewallPolicy",
    "FirewallRuleGroup",
    "GatewayEndpoint",
    "InterfaceEndpoint",
    "InternetGateway",
    "Listener",
    "LoadBalancer",
    "Nacl",
    "NaclEntry",
    "NamedCidr",
    "NatGateway",
    "Network",
    "Peering",
    "Route",
    "RouteKind",
    "RouteTable",
    "SecurityGroup",
    "SgRule",
    "Source",
    "StatefulRule",
    "Subnet",
    "TargetGroup",
    "Unresolved",
    "Vpc",
    "aws_default_nacl",
    "firewall_endpoint_key",
    "named_blocks",
    "named_networks_of",
    "port_range",
]

Source = Literal["blueprint", "plan", "state", "live"]
RouteKind = Literal["local", "igw", "nat", "endpoint", "eigw", "blackhole", "tgw", "vgw",
                    "peering", "carrier", "lgw", "eni", "instance", "gwlbe", "core", "other"]
"""Route targets: ``endpoint`` a gateway endpoint (prefix list), ``gwlbe`` a Gateway Load
Balancer endpoint, ``lgw`` an Outposts local gateway, ``core`` a Cloud WAN core network,
``other`` a target the reader could not classify (always unknown to the analyzer)."""

MAIN_ROUTE_TABLE_ID = "main"
DEFAULT_NACL_ID = "default"
FIREWALL_ENDPOINT_MARK = "#endpoint@"
"""Between a firewall's key and an AZ in the symbolic key of its endpoint in that AZ (a plan:
the endpoint id is known only after apply, but which firewall and which AZ is)."""


def firewall_endpoint_key(firewall: str, az: str) -> str:
    """The symbolic key of firewall ``firewall``'s endpoint in ``az`` (plan readers)."""
    return f"{firewall}{FIREWALL_ENDPOINT_MARK}{az}"


def _port(value: object) -> int | None:
    """A port number, or None for "not given" (absent, empty, or AWS's ``-1``)."""
    if value is None or value == "":
        return None
    number = int(str(value))
    return None if number == -1 else number


def port_range(protocol: str | int, from_port: object, to_port: object) -> tuple[int, int]:
    """The inclusive destination port range a rule matches: the one reading of
    from/to ports that the plan, state and live readers share.

    - Protocol -1 and every protocol but tcp/udp: all ports (AWS ignores the ports;
      NACL entries for -1 carry no PortRange, Terraform writes 0/0, and
      ``aws_vpc_security_group_*_rule`` writes null or -1).
    - tcp/udp: the given ports, as AWS stores them: ``0``-``0`` is port 0 alone, not
      all ports (terraform-provider-aws #20236, #27525).
    - An end that is not given (absent, empty, -1) takes the other end's value, so
      ``from_port = 80`` alone is port 80; with neither end given, all ports.
    """
    if normalise_protocol(protocol) not in PORTED_PROTOCOLS:
        return ALL_PORTS
    low, high = _port(from_port), _port(to_port)
    if low is None:
        return ALL_PORTS if high is None else (high, high)
    return low, low if high is None else high


@dataclass(frozen=True)
class Subnet:
    id: str
    cidr: IPv4Network
    az: str | None = None
    tier: str | None = None
    name: str | None = None
    map_public_ip: bool = False
    source: str = ""
    ipv6_cidr: str | None = None
    """The subnet's IPv6 block: a CIDR, or a symbolic prefix (``network/ipv6.py``) when it
    is carved from an Amazon-provided block unknown at plan time; None: no IPv6 hosts."""
    assign_ipv6: bool = False  # assign_ipv6_address_on_creation
    ipv6_native: bool = False  # IPv6 only: the subnet has no IPv4 hosts (cidr is a stand-in)
    vpc: str | None = None
    """The key of its VPC in ``Network.vpcs`` when the input holds several; else None."""


@dataclass(frozen=True)
class Route:
    """One route. ``destination`` is a CIDR, or a prefix list / service name for endpoints."""

    destination: str
    kind: RouteKind
    target: str | None = None
    source: str = ""

    @property
    def network(self) -> IPv4Network | IPv6Network | None:
        try:
            return ip_network(self.destination, strict=False)
        except ValueError:
            return None


@dataclass(frozen=True)
class RouteTable:
    id: str
    routes: tuple[Route, ...] = ()
    subnet_ids: frozenset[str] = frozenset()
    is_main: bool = False
    tier: str | None = None
    name: str | None = None
    source: str = ""
    vpc: str | None = None
    """Its VPC when the input holds several (its local routes are that VPC's CIDRs)."""
    gateway_ids: frozenset[str] = frozenset()
    """Gateways it is the edge table of (``aws_route_table_association.gateway_id``): what
    comes in through them is routed by it (R15: the way in through a firewall)."""


@dataclass(frozen=True)
class NaclEntry:
    rule_number: int
    egress: bool
    protocol: str
    action: Literal["allow", "deny"]
    cidr: str
    from_port: int = 0
    to_port: int = 65535
    icmp_type: int | None = None
    icmp_code: int | None = None
    source: str = ""


@dataclass(frozen=True)
class Nacl:
    id: str
    entries: tuple[NaclEntry, ...] = ()
    subnet_ids: frozenset[str] = frozenset()
    is_default: bool = False
    tier: str | None = None
    name: str | None = None
    source: str = ""
    vpc: str | None = None


@dataclass(frozen=True)
class SgRule:
    """One rule with one peer (multi-peer rules are split by the readers)."""

    egress: bool
    protocol: str
    from_port: int = 0
    to_port: int = 65535
    cidr: str | None = None
    group: str | None = None
    prefix_list: str | None = None
    description: str = ""
    source: str = ""


@dataclass(frozen=True)
class SecurityGroup:
    id: str
    rules: tuple[SgRule, ...] = ()
    tier: str | None = None
    name: str | None = None
    is_default: bool = False
    source: str = ""
    vpc: str | None = None


@dataclass(frozen=True)
class NatGateway:
    id: str
    subnet_id: str
    public: bool = True
    source: str = ""


@dataclass(frozen=True)
class InternetGateway:
    id: str
    source: str = ""


@dataclass(frozen=True)
class GatewayEndpoint:
    """A gateway endpoint (S3, DynamoDB): a route to the service's prefix list on
    ``route_table_ids``; the analyzer's endpoint ``aws:<service>`` (R5)."""

    id: str
    service: str
    route_table_ids: frozenset[str] = frozenset()
    source: str = ""
    prefix_list_id: str | None = None
    """What group rules name its prefix list by: ``pl-...`` once applied, the endpoint's
    own key in a plan (``prefix_list_id`` is known only after apply); None: not read."""
    cidrs: tuple[str, ...] | None = None
    """The prefix list's entries (AWS's addresses for the service); None: not read."""

    @property
    def endpoint(self) -> str:
        """``aws:s3``: the name flows and queries use."""
        return f"aws:{service_from_name(self.service)}"

    @property
    def names(self) -> frozenset[str]:
        """Every id a rule may name its prefix list by."""
        return frozenset({self.id, *([self.prefix_list_id] if self.prefix_list_id else [])})


@dataclass(frozen=True)
class Vpc:
    """One VPC of an input that holds several: its CIDRs and what to call it."""

    id: str
    cidrs: tuple[IPv4Network, ...]
    name: str
    """Its Name tag, else its address (or id): the qualifier of tier names it shares."""
    source: str = ""
    ipv6_cidrs: tuple[str, ...] = ()
    """Its IPv6 blocks, as ``Network.vpc_ipv6_cidrs`` (a table's IPv6 local routes)."""


@dataclass(frozen=True)
class Peering:
    """An active peering connection whose two VPCs are both in the input (a route to it is
    a path to the other VPC's subnets, R13)."""

    id: str
    vpcs: frozenset[str]
    source: str = ""


@dataclass(frozen=True)
class InterfaceEndpoint:
    """An interface endpoint: network interfaces in ``subnet_ids`` carrying
    ``security_group_ids``; the analyzer's endpoint ``aws:<service>``."""

    id: str
    service: str
    """The AWS service name (``com.amazonaws.us-east-1.ssm``)."""
    subnet_ids: frozenset[str] = frozenset()
    security_group_ids: tuple[str, ...] = ()
    source: str = ""
    ip_address_type: str | None = None
    """``ipv4``, ``dualstack`` or ``ipv6`` as read; None: not in the input (unknown at plan
    time), so whether its interfaces have IPv6 addresses is unknown (N4)."""

    @property
    def endpoint(self) -> str:
        """``aws:ssm``: the name flows and queries use."""
        return f"aws:{service_from_name(self.service)}"


@dataclass(frozen=True)
class Listener:
    """A load balancer's listener: the port (and protocol) clients connect to."""

    port: int
    protocol: str = ""
    target_groups: tuple[str, ...] = ()
    """Ids of the target groups its default action forwards to (empty: not read)."""


@dataclass(frozen=True)
class TargetGroup:
    """Where a load balancer sends connections: ``port`` of whatever is registered."""

    id: str
    port: int | None
    """None: not in the input (then where the LB connects is unknown)."""
    protocol: str = ""
    health_port: int | None = None
    """The health checks' port when another than ``port`` (None: the traffic port)."""
    source: str = ""


@dataclass(frozen=True)
class LoadBalancer:
    """An ALB or NLB (``aws_lb``): network interfaces in ``subnet_ids`` carrying
    ``security_group_ids``; a proxy (``tierform.analyze.proxy``): clients connect to it
    on the listener ports, it opens its own connections to the target groups' ports."""

    id: str
    type: str | None
    """``application``, ``network``; None: not read."""
    internal: bool | None
    subnet_ids: frozenset[str] = frozenset()
    security_group_ids: tuple[str, ...] | None = ()
    """None: not read (then its legs are unknown); empty: no group (an NLB without one)."""
    listeners: tuple[Listener, ...] = ()
    target_groups: tuple[TargetGroup, ...] = ()
    source: str = ""

    @property
    def endpoint(self) -> str:
        """``lb:<name or id>``: what reports call it."""
        return f"lb:{self.source or self.id}"


@dataclass(frozen=True)
class Appliance:
    """An in-VPC next hop a route can name: a network interface, or an instance (its
    primary interface), with what decides whether packets go on through it (R14). Keyed in
    ``Network.appliances`` by every id a route may name it by (ENI id, instance id)."""

    id: str
    subnet_id: str
    security_group_ids: tuple[str, ...] | None = None
    """The groups of its interface; None: not read (then the hop is unknown)."""
    source_dest_check: bool | None = None
    """False: it may forward what is not addressed to it; True: AWS drops that; None: not
    read. Only False lets the analyzer follow the hop."""
    source: str = ""


@dataclass(frozen=True)
class StatefulRule:
    """One 5-tuple stateful rule (``stateful_rule`` / ``StatefulRules``) or one rule
    string's header the reader could parse. Addresses are CIDRs, ``$HOME_NET``,
    ``$EXTERNAL_NET``, another ``$VARIABLE`` (resolved by the group's ``variables``) or
    ``any``; ports a list of ranges (empty: any). ``direction``: ``forward`` (source to
    destination only) or ``any`` (both ways)."""

    action: Literal["pass", "drop", "reject", "alert"]
    protocol: str
    """``ip`` (any), ``tcp``, ``udp``, ``icmp``, or an application protocol (``tls``,
    ``http``...: the analyzer cannot tell its packets apart, so unknown)."""
    sources: tuple[str, ...]
    source_ports: tuple[tuple[int, int], ...]
    destinations: tuple[str, ...]
    destination_ports: tuple[tuple[int, int], ...]
    direction: Literal["forward", "any"] = "forward"
    text: str = ""
    """How a verdict names it (the rule string, or ``action proto src -> dst``)."""
    partial: bool = False
    """Its options match part of the traffic only (content, SNI...): a match is unknown."""


@dataclass(frozen=True)
class FirewallRuleGroup:
    """A Network Firewall rule group as read. ``rules``: its 5-tuple rules in order;
    ``domains``: a domain list (allow or deny list) with its target types; ``unparsed``:
    rules the reader could not read (Suricata options, keywords...), each in words: a pair
    they could match is unknown. ``stateless``: a stateless group (its rules are not
    modelled: unknown, unless the policy forwards everything to the stateful engine)."""

    id: str
    stateless: bool = False
    rules: tuple[StatefulRule, ...] = ()
    domains: tuple[str, ...] = ()
    domain_action: Literal["allow", "deny"] | None = None
    unparsed: tuple[str, ...] = ()
    variables: tuple[tuple[str, tuple[str, ...]], ...] = ()
    """``rule_variables`` ip sets: name (no ``$``) -> CIDRs; ``HOME_NET`` overrides the VPC."""
    strict_order: bool | None = None
    source: str = ""


@dataclass(frozen=True)
class FirewallPolicy:
    """A firewall policy: its stateless defaults, its stateful groups by priority, the
    stateful default actions (``aws:drop_established``...) and the rule order."""

    id: str
    stateless_default: tuple[str, ...] = ("aws:forward_to_sfe",)
    stateless_fragment_default: tuple[str, ...] = ("aws:forward_to_sfe",)
    stateless_groups: tuple[str, ...] = ()
    stateful_groups: tuple[str, ...] = ()
    """Rule group keys in evaluation order (priority, for strict order)."""
    stateful_default: tuple[str, ...] = ()
    strict_order: bool = False
    source: str = ""
    variables: tuple[tuple[str, tuple[str, ...]], ...] = ()
    """``policy_variables`` ip sets (``HOME_NET``): a rule group's own definition wins,
    then these, then the firewall's VPC."""


@dataclass(frozen=True)
class Firewall:
    """An AWS Network Firewall: its subnet per AZ, its endpoint per AZ (a vpce id once
    applied; :func:`firewall_endpoint_key` in a plan), and its policy (None: not read)."""

    id: str
    subnets: tuple[tuple[str, str], ...] = ()
    """(AZ, subnet key) for each subnet mapping."""
    endpoints: tuple[tuple[str, str], ...] = ()
    """(AZ, endpoint key)."""
    policy: str | None = None
    source: str = ""
    vpc: str | None = None
    """Its VPC when the input holds several (``$HOME_NET`` is that VPC's CIDRs)."""

    def subnet_in(self, az: str) -> str | None:
        return next((s for a, s in self.subnets if a == az), None)

    def az_of(self, endpoint: str) -> str | None:
        return next((a for a, e in self.endpoints if e == endpoint), None)


@dataclass(frozen=True)
class Unresolved:
    """Wiring a reader could not resolve: the resource, the attribute, and why."""

    address: str
    attribute: str
    reason: str


NamedCidr = IPv4Network | IPv6Network


def named_blocks(value: object) -> tuple[NamedCidr, ...]:
    """A named network's CIDRs from what a caller gives: one CIDR (text or network) or
    several (a blueprint's ``cidrs``, a prefix list's entries), IPv4 or IPv6."""
    if isinstance(value, IPv4Network | IPv6Network):
        return (value,)
    if isinstance(value, str):
        return (ip_network(value),)
    if isinstance(value, tuple | list):
        return tuple(b for v in value for b in named_blocks(v))
    raise TypeError(f"a named network's CIDR: {value!r}")


def named_networks_of(named: object) -> dict[str, tuple[NamedCidr, ...]]:
    """``{name: cidr or cidrs}`` -> ``{name: (cidr, ...)}`` (None: none)."""
    if named is None:
        return {}
    if not isinstance(named, dict) and not hasattr(named, "items"):
        raise TypeError(f"named networks: {named!r}")
    return {str(k): named_blocks(v) for k, v in named.items()}


def aws_default_nacl(subnet_ids: frozenset[str] = frozenset(), *, ipv6: bool = False) -> Nacl:
    """AWS's default NACL when nothing manages it: allow all, both directions (rule 100);
    in a VPC with an IPv6 block also ``::/0`` (rule 101, A7)."""
    entries = tuple(
        NaclEntry(100, egress, "-1", "allow", "0.0.0.0/0", source="default NACL rule 100")
        for egress in (False, True)
    ) + tuple(
        NaclEntry(101, egress, "-1", "allow", "::/0", source="default NACL rule 101")
        for egress in (False, True) if ipv6
    )
    return Nacl(DEFAULT_NACL_ID, entries, subnet_ids, is_default=True, name="default",
                source="VPC default NACL (unmanaged: AWS allows all)")


@dataclass
class Network:
    """A VPC's layering as read from one source."""

    source: Source
    vpc_cidrs: tuple[IPv4Network, ...]
    subnets: dict[str, Subnet] = field(default_factory=dict)
    route_tables: dict[str, RouteTable] = field(default_factory=dict)
    nacls: dict[str, Nacl] = field(default_factory=dict)
    security_groups: dict[str, SecurityGroup] = field(default_factory=dict)
    nat_gateways: dict[str, NatGateway] = field(default_factory=dict)
    internet_gateways: dict[str, InternetGateway] = field(default_factory=dict)
    endpoints: dict[str, GatewayEndpoint] = field(default_factory=dict)
    interface_endpoints: dict[str, InterfaceEndpoint] = field(default_factory=dict)
    named_networks: dict[str, tuple[NamedCidr, ...]] = field(default_factory=dict)
    """Named network -> its CIDRs (a prefix list's several; IPv4 or IPv6)."""
    tier_groups: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Explicit placement: tier -> security group ids. Tiers absent here use the
    groups whose ``tier`` is that tier (the ``Tier`` tag)."""
    unresolved: list[Unresolved] = field(default_factory=list)
    vpc_id: str = "vpc"
    vpc_ipv6_cidrs: tuple[str, ...] = ()
    """The VPC's IPv6 blocks (of several VPCs, all their blocks): CIDRs, or the symbol of an
    Amazon-provided /56 unknown at plan time (``network/ipv6.py``)."""
    vpcs: dict[str, Vpc] = field(default_factory=dict)
    """Every VPC when the input holds several (``vpc_id`` is the one with most subnets;
    ``vpc_cidrs`` all their CIDRs); empty for one VPC, whose objects carry ``vpc=None``."""
    peerings: dict[str, Peering] = field(default_factory=dict)
    appliances: dict[str, Appliance] = field(default_factory=dict)
    """In-VPC next hops by the ids routes name them by (R14); routes to others are unknown."""
    firewalls: dict[str, Firewall] = field(default_factory=dict)
    firewall_policies: dict[str, FirewallPolicy] = field(default_factory=dict)
    firewall_rule_groups: dict[str, FirewallRuleGroup] = field(default_factory=dict)
    load_balancers: dict[str, LoadBalancer] = field(default_factory=dict)
    """ALBs and NLBs by id: proxies (``tierform.analyze.proxy``), not hops of any path."""

    def firewall_of(self, endpoint: str | None) -> tuple[Firewall, str] | None:
        """R15: the firewall an endpoint id belongs to and its AZ (None: not known to be a
        Network Firewall endpoint: a Gateway Load Balancer endpoint, unknown)."""
        for firewall in self.firewalls.values():
            az = firewall.az_of(endpoint or "")
            if az is not None:
                return firewall, az
        return None

    @property
    def has_ipv6(self) -> bool:
        """Whether some subnet has an IPv6 block (else no host has an IPv6 address)."""
        return any(s.ipv6_cidr for s in self.subnets.values())

    def local_cidrs(self, table: RouteTable) -> tuple[IPv4Network, ...]:
        """R1: the CIDRs a table routes locally: its own VPC's."""
        vpc = self.vpcs.get(table.vpc) if table.vpc is not None else None
        return vpc.cidrs if vpc is not None else self.vpc_cidrs

    def local_ipv6_cidrs(self, table: RouteTable) -> tuple[str, ...]:
        """R1 over IPv6 (N4): the IPv6 blocks a table routes locally: its own VPC's."""
        vpc = self.vpcs.get(table.vpc) if table.vpc is not None else None
        return vpc.ipv6_cidrs if vpc is not None else self.vpc_ipv6_cidrs

    def vpc_of(self, subnet_id: str) -> str | None:
        subnet = self.subnets.get(subnet_id)
        return subnet.vpc if subnet is not None else None

    @property
    def tiers(self) -> list[str]:
        """Tier names in first-seen subnet order."""
        seen: dict[str, None] = {}
        for subnet in self.subnets.values():
            if subnet.tier is not None:
                seen.setdefault(subnet.tier, None)
        return list(seen)

    def subnets_of(self, tier: str) -> list[Subnet]:
        return [s for s in self.subnets.values() if s.tier == tier]

    def route_table_of(self, subnet_id: str) -> RouteTable | None:
        """The associated table, else the main one of the subnet's VPC (R1)."""
        main = None
        vpc = self.vpc_of(subnet_id)
        for table in self.route_tables.values():
            if subnet_id in table.subnet_ids:
                return table
            if table.is_main and table.vpc == vpc:
                main = table
        return main

    def nacl_of(self, subnet_id: str) -> Nacl | None:
        """The associated NACL, else the default one of the subnet's VPC (A1)."""
        default = None
        vpc = self.vpc_of(subnet_id)
        for nacl in self.nacls.values():
            if subnet_id in nacl.subnet_ids and not nacl.is_default:
                return nacl
            if nacl.is_default and nacl.vpc == vpc:
                default = nacl
        return default

    @property
    def services(self) -> list[str]:
        """The ``aws:<service>`` endpoints of the interface and gateway endpoints, sorted."""
        return sorted({*(e.endpoint for e in self.interface_endpoints.values()),
                       *(e.endpoint for e in self.endpoints.values())})

    def groups_of(self, tier: str) -> list[SecurityGroup]:
        """Security groups placed on a tier (explicit placement first, else the Tier tag)."""
        if tier in self.tier_groups:
            return [self.security_groups[g] for g in self.tier_groups[tier]
                    if g in self.security_groups]
        return [g for g in self.security_groups.values() if g.tier == tier and not g.is_default]

"""Shape of blueprint format version 1 (pydantic, ``extra="forbid"``).

Shape only: cross-field rules (overlaps, unknown tiers, exposure vs flows, quotas)
live in ``tierform.blueprint.checks`` so that every finding is reported at once.
The format grows by adding optional keys; a blueprint that was valid stays valid.
"""

from __future__ import annotations

from ipaddress import IPv4Address, IPv4Network, IPv6Network, ip_network
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from tierform.aws import INTERNET as _INTERNET
from tierform.aws import REGION_PATTERN
from tierform.ports import PortRange, PortSet, parse_ports

__all__ = [
    "FLOW_ID_PATTERN",
    "NETWORK_CIDRS",
    "TIER_NAME_PATTERN",
    "AlarmsSpec",
    "Blueprint",
    "CustomerGatewaySpec",
    "EndpointPolicySpec",
    "Exposure",
    "FlowLogsSpec",
    "FlowSpec",
    "HealthCheckSpec",
    "InspectionMode",
    "InspectionSpec",
    "InterfaceEndpointsSpec",
    "Ipv6IpamSpec",
    "Limits",
    "ListenerSpec",
    "LoadBalancerSpec",
    "MonitoringSpec",
    "NamedNetworkSpec",
    "PortRange",
    "Protocol",
    "TargetSpec",
    "TierSpec",
    "VpcSpec",
    "VpnSpec",
]


Exposure = Literal["public", "private", "isolated"]
Protocol = Literal["tcp", "udp", "icmp", "all"]
# At most 24 characters: the name is the module's default name_prefix, which becomes
# part of IAM role and log group name prefixes (the module validates the same bound).
Name = Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]{0,23}$")]
TIER_NAME_PATTERN = r"^[a-z][a-z0-9_]{0,29}$"
TierName = Annotated[str, Field(pattern=TIER_NAME_PATTERN)]
FLOW_ID_PATTERN = r"^[a-z][a-z0-9_-]{0,63}$"
"""A flow's ``id``: its rules are numbered and described by it (``tierform.layout``). The
pattern is checked in ``checks`` (with a finding of its own), so the schema only shows it."""

# Numbers and flags are what YAML wrote, never coerced: pydantic's lax mode would read the
# text "24", "1_0" or "20.0" as a number and "yes"/"off"/1 as a flag. (The loader has
# already refused numbers that are not plain decimal, such as 0755 or 20:21.)
Whole = Annotated[int, Strict()]
Flag = Annotated[bool, Strict()]


def _exact_number(value: object) -> object:
    """A Literal of numbers matches by equality, so True and 1.0 would pass as 1: refuse them."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise PydanticCustomError("int_type", "Input should be a valid integer")
    return value


def _cidr_text(value: object) -> object:
    """A network is written as text: pydantic would read the number 167772160 (or true)
    as the address 10.0.0.0/32 (or 0.0.0.1/32)."""
    if not isinstance(value, str | IPv4Network):
        raise PydanticCustomError("ip_v4_network", "Input is not a valid IPv4 network")
    return value


Cidr = Annotated[IPv4Network, BeforeValidator(_cidr_text)]


def _any_cidr(value: object) -> object:
    """An IPv4 or IPv6 network, written as text (for the reason ``_cidr_text`` gives)."""
    if isinstance(value, IPv4Network | IPv6Network):
        return value
    if not isinstance(value, str):
        raise PydanticCustomError("ip_network", "Input is not a valid IPv4 or IPv6 network")
    try:
        return ip_network(value.strip())
    except ValueError:
        raise PydanticCustomError(
            "ip_network", "Input is not a valid IPv4 or IPv6 network (host bits must be "
            "zero: write the network address)") from None


NetCidr = Annotated[IPv4Network | IPv6Network, BeforeValidator(_any_cidr)]
"""A named network's CIDR: IPv4, or IPv6 in a dual-stack VPC (``checks``)."""


def _address_text(value: object) -> object:
    """An address is written as text, for the reason ``_cidr_text`` gives."""
    if not isinstance(value, str | IPv4Address):
        raise PydanticCustomError("ip_v4_address", "Input is not a valid IPv4 address")
    return value


Address = Annotated[IPv4Address, BeforeValidator(_address_text)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Ipv6IpamSpec(_Strict):
    """The VPC's IPv6 /56 allocated from an IPAM pool instead of Amazon's. Only a /56: the
    stable index (tier t, zone i -> /64 number 8t + i) and the analyzer's symbolic
    reading are about a /56; another length would move every subnet."""

    ipam_pool_id: str = Field(pattern=r"^ipam-pool-[0-9a-f]{8,17}$")
    """The module input ``ipv6_ipam_pool_id``'s default (another account may set its own)."""
    netmask_length: Annotated[Literal[56], BeforeValidator(_exact_number)] = 56


class VpcSpec(_Strict):
    """The VPC: one IPv4 CIDR, DNS support and hostnames on by default."""

    cidr: Cidr
    secondary_cidrs: list[Cidr] = Field(default_factory=list)
    """More IPv4 blocks (append only: a block's deny rule number is its place, 15102 + i)."""
    enable_dns_support: Flag = True
    enable_dns_hostnames: Flag = True
    ipv6: Literal["amazon"] | Ipv6IpamSpec | None = None
    """Dual-stack: ``amazon`` asks AWS for an Amazon-provided /56 (``{ipam_pool_id,
    netmask_length: 56}``: from an IPAM pool) and gives every tier (unless
    ``tiers.<name>.ipv6: false``) a /64 per subnet by a stable index
    (``tierform.layout.ipv6``); absent: IPv4 only, the module as before."""


class ListenerSpec(_Strict):
    """A load balancer's listener: the port the internet connects to, and its protocol
    (application: HTTP or HTTPS; network: TCP or TLS; UDP is refused in ``checks``)."""

    port: Whole
    protocol: Literal["HTTP", "HTTPS", "TCP", "TLS", "UDP"]


class HealthCheckSpec(_Strict):
    """How the load balancer probes its targets: a path (HTTP targets) and a port (by
    default the target port; another port opens its own legs to the target tier)."""

    path: str | None = None
    port: Whole | None = None


class TargetSpec(_Strict):
    """Where the load balancer sends connections: a non-public tier, on one port."""

    tier: str
    port: Whole
    health_check: HealthCheckSpec | None = None


class LoadBalancerSpec(_Strict):
    """An internet-facing load balancer in a public tier's subnets, a proxy to a target
    tier: the internet reaches it on the listener ports, it reaches the target tier on the
    target port (and health-check port); the target tier admits only its group."""

    type: Literal["application", "network"]
    listeners: list[ListenerSpec] = Field(min_length=1)
    target: TargetSpec
    access_logs_bucket: str | None = None
    """An existing S3 bucket for the access logs (its policy must admit the ELB service);
    none: no access logs (a checkov skip says why)."""

    @property
    def health_port(self) -> int:
        """The port the health checks use: the health check's own, else the target port."""
        check = self.target.health_check
        return check.port if check is not None and check.port is not None else self.target.port


class TierSpec(_Strict):
    """A layer: subnets that share reachability requirements, one per availability zone."""

    exposure: Exposure
    cidrs: list[Cidr] | None = None
    netmask: Whole | None = Field(default=None, ge=16, le=28)
    map_public_ip_on_launch: Flag = False
    description: str = ""
    security_groups: list[str] | None = None
    """Only for verifying a network Tierform did not write: the security groups every
    instance of the tier carries, each a group id, ``Name`` tag, ``name``, or Terraform
    address, or a glob (``*``, ``?``, ``[...]``) over those. ``render`` refuses it (the
    rendered module places its own group on each tier)."""
    ipv6: Flag = True
    """In a dual-stack VPC (``vpc.ipv6``), whether the tier's subnets get IPv6 /64s;
    ``false``: IPv4 only (its IPv6 index stays reserved, so no other tier moves)."""
    ipv6_only: Flag = False
    """In a dual-stack VPC, subnets with no IPv4 block at all (``ipv6_native``): their /64s
    by the same stable index, DNS64 where a NAT64 route exists (a private tier with NAT:
    ``64:ff9b::/96`` to its zone's NAT gateway). ``netmask``/``cidrs`` are optional: when
    written, the IPv4 space stays reserved, unused, so that turning a tier IPv6-only moves
    no other tier; left out, the tier takes no IPv4 space."""
    block: Cidr | None = None
    """The VPC block a ``netmask`` tier is allocated from: ``vpc.cidr`` (the default) or one
    of ``vpc.secondary_cidrs``, written as that CIDR."""
    load_balancer: LoadBalancerSpec | None = None
    """Only on a public tier: an internet-facing ALB or NLB in the tier's subnets that
    proxies to ``target.tier`` (``tierform.layout.load_balancer``)."""


class FlowSpec(_Strict):
    """An allowed connection: opened by ``from`` to ``to`` on ``protocol``/``ports``."""

    src: str = Field(alias="from")
    dst: str = Field(alias="to")
    protocol: Protocol = "tcp"
    ports: list[int | str] | Literal["all"] | None = None
    description: str = ""
    id: str | None = Field(default=None, json_schema_extra={"pattern": FLOW_ID_PATTERN})
    """The flow's identity; by default ``derived_id`` (from, to, protocol). Required where
    two flows would derive the same one (``checks``)."""
    internet_reason: str | None = None
    """Why a flow from the internet opens SSH, RDP, FTP or every port: required for those
    (``checks``), and written as the reason of the rendered module's checkov skips."""
    inspect: Flag | None = None
    """Whether the flow crosses the Network Firewall (``inspection``); None: the default of
    its mode (``InspectionSpec.mode_of``). ``true`` with the mode off is refused."""

    @property
    def derived_id(self) -> str:
        """``<from>_to_<to>_<protocol>``: what ``flow_id`` is when no ``id`` is given."""
        return f"{self.src}_to_{self.dst}_{self.protocol}"

    @property
    def flow_id(self) -> str:
        """The identity the layout numbers, names and describes this flow's rules by: the
        ``id`` as written, else ``derived_id``. Never the flow's position in the list."""
        return self.id if self.id is not None else self.derived_id

    @field_validator("ports", mode="before")
    @classmethod
    def _ports_shape(cls, value: object) -> object:
        """Reject YAML values that pydantic would coerce into ports (``true`` -> 1, ``80.5``).

        Syntax and range of each item are checked in ``checks`` (with ``tierform.ports``, the
        one parser) with the item's own location; here only the shape: a list of numbers and
        texts, ``all`` or nothing.
        """
        if value is None or value == "all":
            return value
        if not isinstance(value, list):
            raise ValueError(
                f"ports must be a list (e.g. [80, 443, \"1024-2048\"]) or 'all', got {value!r}"
            )
        for index, item in enumerate(value):
            if isinstance(item, bool) or not isinstance(item, int | str):
                raise ValueError(
                    f"ports[{index}] is {item!r}: a port is a number, a range \"a-b\" or 'all'"
                )
        return value

    def port_set(self) -> PortSet:
        """The destination ports; every port for icmp, protocol ``all`` and ``ports: all``.

        Assumes the value passed the checks (``tierform.ports.parse_ports`` raises
        ``PortSyntaxError`` otherwise).
        """
        if self.protocol in ("icmp", "all"):
            return PortSet.full()
        return parse_ports(self.ports)

    def port_ranges(self) -> list[PortRange]:
        """Destination port ranges, sorted and merged; ``[(0, 65535)]`` for all."""
        return list(self.port_set().ranges)


class FlowLogsSpec(_Strict):
    """VPC flow logs: to a CloudWatch log group (created) or S3 (created or existing bucket)."""

    destination: Literal["cloudwatch", "s3"] = "cloudwatch"
    retention_days: Whole = 365
    traffic_type: Literal["ACCEPT", "REJECT", "ALL"] = "ALL"
    fields: list[str] | None = None
    bucket_arn: str | None = None
    max_aggregation_interval: Annotated[Literal[60, 600], BeforeValidator(_exact_number)] = 600


class AlarmsSpec(_Strict):
    """CloudWatch alarms compiled from the flows (``tierform.layout.monitoring``): one for
    REJECTs on intended flows (broken), one for ACCEPTs between tiers no flow allows. The
    alarms notify ``sns_topic_arn`` (an existing topic) or a topic the module creates
    (``create_topic: true``, encrypted with a KMS key of its own): exactly one of them."""

    sns_topic_arn: str | None = None
    create_topic: Flag = False
    period: Annotated[int, Strict(), Field(ge=60, le=86400, multiple_of=60)] = 300
    """Seconds the records are summed over (a multiple of 60)."""
    threshold: Annotated[int, Strict(), Field(ge=1)] = 1
    """Records in one period that set the alarm off."""
    evaluation_periods: Annotated[int, Strict(), Field(ge=1, le=100)] = 1


class MonitoringSpec(_Strict):
    """What watches the layers once deployed (opt-in)."""

    alarms: AlarmsSpec | None = None


class EndpointPolicySpec(_Strict):
    """An interface endpoint policy: who may use the service through the endpoint. Either
    condition (both: both hold) denies every request that does not meet it."""

    source_vpc: Flag = False
    """Only requests that come through this VPC (``aws:SourceVpc``)."""
    principal_org_id: str | None = Field(default=None, pattern=r"^o-[a-z0-9]{10,32}$")
    """Only principals of this AWS Organization (``aws:PrincipalOrgID``)."""


class InterfaceEndpointsSpec(_Strict):
    """Where the interface endpoints that flows to ``aws:<service>`` create live."""

    tier: str
    """The tier whose subnets hold the endpoints' network interfaces (one per AZ)."""
    policy: EndpointPolicySpec | None = None
    """Endpoint policy of every interface endpoint; none: AWS's default (full access)."""


InspectionMode = Literal["ingress", "egress", "east-west"]


class InspectionSpec(_Strict):
    """AWS Network Firewall in the paths (issue 15): which traffic crosses it (``modes``)
    and what its stateful engine does there (strict order: domain allow-list, ``rules``,
    the flows' own pass rules, then ``default_action``)."""

    modes: list[InspectionMode] = Field(min_length=1)
    """``ingress`` (internet <-> public tiers), ``egress`` (private tiers -> internet),
    ``east-west`` (between two tiers: more specific routes between their subnets)."""
    egress_domains: list[str] = Field(default_factory=list)
    """Egress allow-list (TLS SNI / HTTP host; a leading ``.`` covers subdomains): when
    given, other egress to the internet is dropped by the firewall."""
    rules: list[str] = Field(default_factory=list)
    """Suricata-compatible rule strings, in strict order, after the domain list."""
    default_action: Literal["drop", "alert"] = "drop"
    """What the stateful engine does with established traffic no rule passes:
    ``aws:drop_established`` or ``aws:alert_established``."""
    logging: list[Literal["alert", "flow"]] = Field(default_factory=list)
    """Network Firewall log types, sent to the blueprint's flow-log destination."""

    def mode_of(self, flow: FlowSpec, tiers: dict[str, TierSpec]) -> InspectionMode | None:
        """The mode that would inspect ``flow``: from the internet ``ingress``; from a public
        tier to the internet ``ingress`` too (its default route is the one the firewall
        takes over); from a private tier to the internet ``egress``; between two tiers
        ``east-west``; None for flows the firewall never sees (named networks, services,
        and a tier to itself: traffic inside one subnet meets no route table, so a tier's
        own traffic cannot all be routed through the firewall)."""
        if flow.src == _INTERNET and flow.dst in tiers:
            return "ingress"
        if flow.dst == _INTERNET and flow.src in tiers:
            return "ingress" if tiers[flow.src].exposure == "public" else "egress"
        if flow.src in tiers and flow.dst in tiers and flow.src != flow.dst:
            return "east-west"
        return None

    def inspects(self, flow: FlowSpec, tiers: dict[str, TierSpec]) -> bool:
        """The flow crosses the firewall: ``inspect`` as written, else its mode is on."""
        mode = self.mode_of(flow, tiers)
        if mode is None:
            return False
        return flow.inspect if flow.inspect is not None else mode in self.modes


class CustomerGatewaySpec(_Strict):
    """The on-premises end of a site-to-site VPN: its outside IPv4 address and its BGP ASN
    (AWS asks for one even when the routes are static)."""

    ip_address: Address
    bgp_asn: Whole = Field(default=65000, ge=1, le=2147483647)
    """The provider's ``bgp_asn`` takes 1 to 2147483647 (larger 4-byte ASNs need another
    argument, not rendered)."""


class VpnSpec(_Strict):
    """A site-to-site VPN connection from the module's virtual private gateway to a
    customer gateway, with static routes only (one per network CIDR)."""

    customer_gateway: CustomerGatewaySpec


NETWORK_CIDRS = 10
"""CIDRs a named network may have: the ACLs' deny band numbers each (``tierform.layout.
numbering``: ten deny numbers per network)."""


class NamedNetworkSpec(_Strict):
    """A named network with its way in: ``via: vgw`` (the module's virtual private gateway,
    the default, as the short form ``corp: 192.168.0.0/16``) or ``via: tgw`` (an existing
    transit gateway, attached in dedicated subnets). Its addresses: ``cidr`` (one block,
    routed and ruled by CIDR) or ``cidrs`` (a list, even of one: a managed prefix list that
    routes and groups name, so that adding a block changes only the list)."""

    cidr: NetCidr | None = None
    cidrs: list[NetCidr] | None = Field(default=None, min_length=1)
    """Several blocks: the module's ``aws_ec2_managed_prefix_list.<name>`` (append only: a
    block's deny rule number is its place, ``tierform.layout.numbering``)."""
    via: Literal["vgw", "tgw"] = "vgw"
    vpn: VpnSpec | None = None
    """``via: vgw`` only: the module also creates the customer gateway and the VPN
    connection to its virtual private gateway (``tierform.layout.plan``)."""

    @model_validator(mode="after")
    def _one_form(self) -> NamedNetworkSpec:
        if (self.cidr is None) == (self.cidrs is None):
            raise PydanticCustomError(
                "network_cidr_form",
                "write exactly one of 'cidr' (one block) and 'cidrs' (a list: a prefix list)")
        return self

    @property
    def blocks(self) -> tuple[IPv4Network | IPv6Network, ...]:
        """Every CIDR of the network, as written."""
        return (self.cidr,) if self.cidr is not None else tuple(self.cidrs or ())


class Limits(_Strict):
    """AWS quotas checked at validation (defaults are AWS's default quotas)."""

    nacl_rules_per_direction: Whole = Field(default=20, ge=1, le=40)
    sg_rules_per_direction: Whole = Field(default=60, ge=1, le=1000)
    subnets_per_vpc: Whole = Field(default=200, ge=1)
    nat_gateways_per_az: Whole = Field(default=5, ge=0)
    routes_per_table: Whole = Field(default=50, ge=1, le=1000)


class Blueprint(_Strict):
    """A whole blueprint, format version 1."""

    tierform: Annotated[Literal[1], BeforeValidator(_exact_number)]
    name: Name
    description: str = ""
    region: str = Field(pattern=REGION_PATTERN)
    vpc: VpcSpec
    availability_zones: list[str] = Field(min_length=1)
    networks: dict[str, Cidr | NamedNetworkSpec] = Field(default_factory=dict)
    tiers: dict[TierName, TierSpec] = Field(min_length=1)
    nat: Literal["none", "single", "per_az"] = "none"
    flows: list[FlowSpec] = Field(default_factory=list)
    endpoints: list[Literal["s3", "dynamodb"]] = Field(default_factory=list)
    interface_endpoints: InterfaceEndpointsSpec | None = None
    flow_logs: FlowLogsSpec | None = None
    monitoring: MonitoringSpec | None = None
    inspection: InspectionSpec | None = None
    """AWS Network Firewall in front of the tiers (issue 15); absent: no firewall."""
    tags: dict[str, str] = Field(default_factory=dict)
    limits: Limits = Field(default_factory=Limits)

    @property
    def network_cidrs(self) -> dict[str, tuple[IPv4Network | IPv6Network, ...]]:
        """Named network -> its CIDRs (one, or ``cidrs`` as written; IPv4 or IPv6),
        whichever form."""
        return {name: value.blocks if isinstance(value, NamedNetworkSpec) else (value,)
                for name, value in self.networks.items()}

    @property
    def network_cidrs4(self) -> dict[str, tuple[IPv4Network, ...]]:
        """Named network -> its IPv4 CIDRs (none for an IPv6 network)."""
        return {name: tuple(c for c in cidrs if isinstance(c, IPv4Network))
                for name, cidrs in self.network_cidrs.items()}

    @property
    def network_cidrs6(self) -> dict[str, tuple[IPv6Network, ...]]:
        """Named network -> its IPv6 CIDRs (dual-stack VPCs only, ``checks``)."""
        return {name: tuple(c for c in cidrs if isinstance(c, IPv6Network))
                for name, cidrs in self.network_cidrs.items()}

    def network_prefix_list(self, name: str) -> bool:
        """Whether named network ``name`` is a managed prefix list (written ``cidrs:``)."""
        value = self.networks[name]
        return isinstance(value, NamedNetworkSpec) and value.cidrs is not None

    def network_vpn(self, name: str) -> VpnSpec | None:
        """The site-to-site VPN of named network ``name``, if it has one."""
        value = self.networks[name]
        return value.vpn if isinstance(value, NamedNetworkSpec) else None

    def network_via(self, name: str) -> Literal["vgw", "tgw"]:
        """How named network ``name`` is reached (``vgw`` unless written ``via: tgw``)."""
        value = self.networks[name]
        return value.via if isinstance(value, NamedNetworkSpec) else "vgw"

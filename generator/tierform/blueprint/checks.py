"""Semantic checks of a blueprint that has the right shape: every cross-field rule, all at once.

Each rule adds a ``Finding`` with a short ``code``, a message saying what is wrong and a
hint saying how to fix it; the caller raises them together. The rules come from AWS
(VPC and subnet sizes, quotas, flow-log fields, CloudWatch retention values) and from
the layering contract of SEC05-BP01 (who may talk to the internet).
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from ipaddress import IPv4Network, IPv6Network
from typing import Protocol

from tierform.aws import (
    GATEWAY_ENDPOINT_SERVICES,
    INTERFACE_ENDPOINT_SERVICES,
    INTERNET,
    service_endpoint,
    service_of_endpoint,
)
from tierform.blueprint.allocate import Allocation, allocate, dedicated_block
from tierform.blueprint.inspection import crosses, inspection_routing, nat_tier_of
from tierform.blueprint.model import (
    FLOW_ID_PATTERN,
    NETWORK_CIDRS,
    Blueprint,
    FlowSpec,
    NamedNetworkSpec,
)
from tierform.errors import Finding
from tierform.ports import PortSet, PortSyntaxError, parse_port

__all__ = [
    "ADMIN_PORTS",
    "FLOW_LOG_FIELDS",
    "INTERNET_REASON_MAX",
    "MAX_TAGS",
    "RETENTION_DAYS",
    "S3_RESERVED_PREFIXES",
    "Locator",
    "ShapeErrors",
    "check_blueprint",
    "internet_exposures",
    "render_refusals",
]

PathKey = tuple[str | int, ...]


class Locator(Protocol):
    """Where a key path sits in the source (``SourceMap`` of ``tierform.blueprint.load``)."""

    def locate(self, path: Sequence[str | int]) -> tuple[int, int]: ...

    def locate_key(self, path: Sequence[str | int]) -> tuple[int, int]: ...


# Fields of a VPC flow log record (custom format ``${field}``), by the version that
# introduced them (Amazon VPC User Guide, "Flow log records"). CreateFlowLogs rejects
# any other name, so an unknown one is caught here instead of at apply time.
FLOW_LOG_FIELDS: frozenset[str] = frozenset({
    # version 2 (the default format)
    "version", "account-id", "interface-id", "srcaddr", "dstaddr", "srcport", "dstport",
    "protocol", "packets", "bytes", "start", "end", "action", "log-status",
    # version 3
    "vpc-id", "subnet-id", "instance-id", "tcp-flags", "type", "pkt-srcaddr", "pkt-dstaddr",
    # version 4
    "region", "az-id", "sublocation-type", "sublocation-id",
    # version 5
    "pkt-src-aws-service", "pkt-dst-aws-service", "flow-direction", "traffic-path",
    # version 7 (ECS)
    "ecs-cluster-arn", "ecs-cluster-name", "ecs-container-instance-arn",
    "ecs-container-instance-id", "ecs-container-id", "ecs-second-container-id",
    "ecs-service-name", "ecs-task-definition-arn", "ecs-task-arn", "ecs-task-id",
    # version 8
    "reject-reason",
})

# Names that look like flow-log fields but are not VPC flow-log fields (some examples,
# including the SEC05-BP01 sample, use them): the VPC field that means the same thing.
_FIELD_LOOKALIKES: dict[str, str] = {
    "windowstart": "start",
    "windowend": "end",
    "flowlogstatus": "log-status",
    "logstatus": "log-status",
    "srcip": "srcaddr",
    "dstip": "dstaddr",
}

RETENTION_DAYS: frozenset[int] = frozenset({
    0, 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192,
    2557, 2922, 3288, 3653,
})
"""CloudWatch Logs retention values (PutRetentionPolicy); 0 = never expire."""

# AWS: a VPC or subnet IPv4 CIDR block is between /16 and /28.
_MIN_PREFIX, _MAX_PREFIX = 16, 28
_NETWORK_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,29}$")
_S3_ARN = re.compile(r"^arn:aws[a-z-]*:s3:::[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](/[^\s]*)?$")


class _Report:
    """Collects findings with their source location."""

    def __init__(self, source_map: Locator, file: str) -> None:
        self.source_map = source_map
        self.file = file
        self.findings: list[Finding] = []

    def add(self, code: str, path: Sequence[str | int], message: str, hint: str, *,
            at_key: bool = False) -> None:
        locate = self.source_map.locate_key if at_key else self.source_map.locate
        line, column = locate(path)
        self.findings.append(Finding(path=tuple(path), message=message, hint=hint,
                                     file=self.file, line=line, column=column, code=code))


@dataclass(frozen=True)
class ShapeErrors:
    """The parts of a blueprint whose shape was wrong (already reported by the loader).

    The loader replaces them by placeholders so that the semantic checks can run on the
    rest in the same pass; each check skips what it would read from a broken part, so a
    placeholder never produces a finding. A *unit* is a top-level key (``("vpc",)``), one
    tier, network or tag (``("tiers", "web")``) or one flow (``("flows", 2)``).
    """

    units: frozenset[PathKey] = frozenset()
    dropped_tiers: frozenset[str] = frozenset()
    """Tiers left out because their name itself is wrong: flows may still name them."""
    ports: frozenset[PathKey] = frozenset()
    """Port items (``("flows", i, "ports", j)``) that are broken: only they are skipped."""

    def section(self, key: str) -> bool:
        """The top-level ``key`` was read (its items may still be broken)."""
        return (key,) not in self.units

    def whole(self, key: str) -> bool:
        """Nothing under the top-level ``key`` is broken."""
        return not any(unit[0] == key for unit in self.units) and not (
            key == "tiers" and self.dropped_tiers)

    def item(self, key: str, item: str | int) -> bool:
        """The item (one tier, network, tag or flow) under ``key`` was read."""
        return self.section(key) and (key, item) not in self.units


_NOTHING_BROKEN = ShapeErrors()


def check_blueprint(bp: Blueprint, source_map: Locator, file: str,
                    broken: ShapeErrors = _NOTHING_BROKEN,
                    allocation: Allocation | None = None) -> list[Finding]:
    """Every semantic problem of ``bp`` (empty list: the blueprint is usable).

    ``broken``: the parts that failed the shape check, replaced by placeholders in ``bp``.
    ``allocation``: the allocator's result for ``bp`` when the caller already has it.
    """
    report = _Report(source_map, file)
    _check_names(bp, report, broken)
    if broken.section("region") and broken.whole("availability_zones"):
        _check_zones(bp, report)
    _check_vpc_and_networks(bp, report, broken)
    _check_tiers(bp, report, broken)
    _check_security_groups(bp, report, broken)
    if broken.section("vpc") and broken.whole("tiers") and broken.whole("availability_zones"):
        _check_addresses(bp, report, allocation or allocate(bp))
    _check_flows(bp, report, broken)
    _check_flow_ids(bp, report, broken)
    _check_vpns(bp, report, broken)
    _check_network_families(bp, report, broken)
    _check_interface_endpoints(bp, report, broken)
    _check_load_balancers(bp, report, broken)
    if broken.section("nat") and broken.whole("tiers"):
        _check_nat(bp, report)
    if broken.whole("flow_logs"):
        _check_flow_logs(bp, report)
    _check_misc(bp, report, broken)
    _check_ipv6(bp, report, broken)
    _check_ipv6_only(bp, report, broken)
    _check_tags(bp, report, broken)
    if broken.section("name") and broken.whole("flow_logs"):
        _check_bucket_name(bp, report)
    if broken.whole("monitoring") and broken.whole("flow_logs"):
        _check_monitoring(bp, report)
    if broken.whole("inspection") and broken.whole("tiers") and broken.section("nat"):
        _check_inspection(bp, report, broken)
    return report.findings


def render_refusals(bp: Blueprint, source_map: Locator, file: str) -> list[Finding]:
    """Why this valid blueprint cannot be rendered: ``security_groups`` on a tier says the
    network was written by someone else (the rendered module would place its own groups,
    which the key does not name). Empty: it can."""
    report = _Report(source_map, file)
    for name, tier in bp.tiers.items():
        if tier.security_groups is not None:
            report.add("adopt-only", ("tiers", name, "security_groups"),
                       f"tier '{name}' names the security groups of a network Tierform did "
                       "not write: this blueprint describes that network for `verify "
                       "--plan/--state/--live`, it cannot be rendered, planned or applied",
                       "verify the existing network with `tierform verify BP --plan "
                       "plan.json` (or --state, --live); to let Tierform write the network, "
                       "remove security_groups (the module places one group per tier)",
                       at_key=True)
    return report.findings


def _did_you_mean(word: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'? " if close else ""


# --- names, zones ---------------------------------------------------------------------------


def _check_names(bp: Blueprint, report: _Report, broken: ShapeErrors) -> None:
    if broken.section("tiers") and INTERNET in bp.tiers:
        report.add("reserved-name", ("tiers", INTERNET),
                   f"'{INTERNET}' is reserved for any address outside the VPC and the "
                   "named networks; it cannot name a tier", "rename the tier", at_key=True)
    if not broken.section("networks"):
        return
    for name in bp.networks:
        path = ("networks", name)
        if name == INTERNET:
            report.add("reserved-name", path,
                       f"'{INTERNET}' is reserved; flows to it mean any outside address",
                       "remove this network and write flows to 'internet', or rename it",
                       at_key=True)
        elif not _NETWORK_NAME.match(name):
            report.add("bad-name", path, f"network name {name!r} is not valid",
                       "lower-case letters, digits, '_' and '-', starting with a letter, "
                       "at most 30 characters", at_key=True)
        if broken.section("tiers") and name in bp.tiers:
            report.add("name-clash", path,
                       f"'{name}' names both a tier and a network: flows could not tell "
                       "them apart", "rename one of them", at_key=True)


def _check_zones(bp: Blueprint, report: _Report) -> None:
    seen: dict[str, int] = {}
    zone_pattern = re.compile(rf"^{re.escape(bp.region)}([a-z]|-[a-z0-9-]+)$")
    for index, zone in enumerate(bp.availability_zones):
        path = ("availability_zones", index)
        if zone in seen:
            report.add("az-duplicate", path,
                       f"availability zone '{zone}' is listed twice (first at position "
                       f"{seen[zone] + 1})",
                       "each tier has one subnet per zone: list each zone once")
            continue
        seen[zone] = index
        if not zone_pattern.match(zone):
            report.add("az-region", path,
                       f"availability zone '{zone}' is not in the region '{bp.region}'",
                       f"use zone names of {bp.region}, e.g. {bp.region}a "
                       "(zone names, not zone IDs like use1-az1)")


# --- address space -------------------------------------------------------------------------


def _check_vpc_and_networks(bp: Blueprint, report: _Report, broken: ShapeErrors) -> None:
    vpc = bp.vpc.cidr
    vpc_ok = broken.section("vpc")
    if vpc_ok and not _MIN_PREFIX <= vpc.prefixlen <= _MAX_PREFIX:
        report.add("vpc-size", ("vpc", "cidr"),
                   f"the VPC CIDR {vpc} is /{vpc.prefixlen}; AWS allows /16 to /28",
                   "choose a VPC CIDR between /16 (65,536 addresses) and /28")
    blocks = [vpc]
    for index, extra in enumerate(bp.vpc.secondary_cidrs if vpc_ok else ()):
        path = ("vpc", "secondary_cidrs", index)
        if not _MIN_PREFIX <= extra.prefixlen <= _MAX_PREFIX:
            report.add("vpc-size", path, f"the secondary CIDR {extra} is /{extra.prefixlen}; "
                       "AWS allows /16 to /28", "choose a block between /16 and /28")
        clash = next((b for b in blocks if b.overlaps(extra)), None)
        if clash is not None:
            report.add("secondary-overlap", path,
                       f"the secondary CIDR {extra} overlaps the VPC's block {clash}",
                       "choose a block that overlaps no other CIDR of the VPC")
        blocks.append(extra)
    if vpc_ok and len(bp.vpc.secondary_cidrs) > 8:
        report.add("secondary-count", ("vpc", "secondary_cidrs"),
                   f"{len(bp.vpc.secondary_cidrs)} secondary CIDRs; the ACLs' deny band has "
                   "room for 8 (AWS's default quota is 4)", "use fewer, larger blocks",
                   at_key=True)
    names = [name for name in bp.networks if broken.item("networks", name)]
    placed: list[tuple[str, IPv4Network | IPv6Network]] = []  # the earlier networks' CIDRs
    for name in names:
        seen: dict[IPv4Network | IPv6Network, int] = {}
        for k, cidr in enumerate(bp.network_cidrs[name]):
            where = _network_cidr_path(bp, name, k)
            for block in blocks[1:] if vpc_ok else ():
                if cidr.overlaps(block):
                    report.add("network-overlaps-vpc", where,
                               f"network '{name}' ({cidr}) overlaps the VPC's secondary CIDR "
                               f"{block}", "use a CIDR outside every block of the VPC")
            if vpc_ok and cidr.overlaps(vpc):
                report.add("network-overlaps-vpc", where,
                           f"network '{name}' ({cidr}) overlaps the VPC {vpc}",
                           "a named network is outside the VPC: use a CIDR that does not "
                           "overlap the VPC (flows inside the VPC name tiers)")
            same = next((j for c, j in seen.items() if c.overlaps(cidr)), None)
            if same is not None:
                report.add("network-cidr-duplicate", where,
                           f"network '{name}': {cidr} overlaps its own CIDR "
                           f"{bp.network_cidrs[name][same]} (position {same + 1})",
                           "list each block once, and blocks that do not overlap (a larger "
                           "block covers the smaller)")
            else:
                seen[cidr] = k
            other = next((o for o, c in placed if c.overlaps(cidr)), None)
            if other is not None:
                theirs = next(c for o, c in placed if o == other and c.overlaps(cidr))
                report.add("network-overlap", where,
                           f"network '{name}' ({cidr}) overlaps network '{other}' "
                           f"({theirs}): an address would belong to both",
                           "make the named networks disjoint")
        placed += [(name, c) for c in bp.network_cidrs[name]]
        if len(bp.network_cidrs[name]) > NETWORK_CIDRS:
            report.add("network-cidr-count", ("networks", name, "cidrs"),
                       f"network '{name}' has {len(bp.network_cidrs[name])} CIDRs; the ACLs' "
                       f"deny band has room for {NETWORK_CIDRS} per network",
                       "aggregate blocks, or split the network in two", at_key=True)


def _network_cidr_path(bp: Blueprint, name: str, k: int) -> tuple[str | int, ...]:
    """Where a named network's ``k``-th CIDR is written: the short form's value, ``cidr``,
    or the ``cidrs`` item."""
    value = bp.networks[name]
    if not isinstance(value, NamedNetworkSpec):
        return ("networks", name)
    return ("networks", name, "cidr") if value.cidr is not None else (
        "networks", name, "cidrs", k)


def _check_network_families(bp: Blueprint, report: _Report, broken: ShapeErrors) -> None:
    """IPv6 named networks: only in a dual-stack VPC, one family per prefix list (AWS: a
    list has one address family), through the VPN gateway without a VPN (site-to-site VPN
    on a virtual private gateway carries IPv4 only; IPv6 over the transit gateway is not
    derived yet), and only with tiers that have IPv6."""
    names = [name for name in bp.networks if broken.item("networks", name)]
    for name in names:
        six = bp.network_cidrs6[name]
        if not six:
            continue
        first = next(k for k, c in enumerate(bp.network_cidrs[name]) if c.version == 6)
        where = _network_cidr_path(bp, name, first)
        if broken.section("vpc") and bp.vpc.ipv6 is None:
            report.add("network-ipv6-needs-dual-stack", where,
                       f"network '{name}' has the IPv6 CIDR {six[0]}, but the VPC is IPv4 "
                       "only: no tier could reach it", "set 'vpc.ipv6: amazon' (dual-stack), "
                       "or give the network IPv4 CIDRs")
        if bp.network_prefix_list(name) and bp.network_cidrs4[name]:
            report.add("network-cidr-family", where,
                       f"network '{name}' mixes IPv4 and IPv6 CIDRs in 'cidrs': a managed "
                       "prefix list has one address family",
                       f"split it into two networks (e.g. '{name}' and '{name}_v6')")
        if bp.network_via(name) == "tgw":
            report.add("network-ipv6-via", where,
                       f"network '{name}' is IPv6 and reached through the transit gateway: "
                       "Tierform derives IPv6 named networks through the VPN gateway only",
                       "write 'via: vgw' for the IPv6 network")
        elif bp.network_vpn(name) is not None:
            report.add("network-ipv6-vpn", where,
                       f"network '{name}' is IPv6 and has a 'vpn': a site-to-site VPN on a "
                       "virtual private gateway carries IPv4 only",
                       "remove 'vpn' (attach IPv6 through Direct Connect), or use IPv4")
    if not broken.whole("flows") or not broken.whole("tiers") or bp.vpc.ipv6 is None:
        return
    for index, flow in enumerate(bp.flows):
        for tier, peer in ((flow.src, flow.dst), (flow.dst, flow.src)):
            if (peer in names and tier in bp.tiers and bp.network_cidrs6[peer]
                    and not bp.network_cidrs4[peer] and not bp.tiers[tier].ipv6):
                report.add("flow-ipv6-network-tier", ("flows", index),
                           f"flow {flow.flow_id}: network '{peer}' is IPv6 only and tier "
                           f"'{tier}' has no IPv6 (ipv6: false)",
                           f"give '{tier}' IPv6, or '{peer}' an IPv4 CIDR")


def _check_vpns(bp: Blueprint, report: _Report, broken: ShapeErrors) -> None:
    """``networks.<name>.vpn``: only through the module's own virtual private gateway,
    which exists only when a flow names a ``via: vgw`` network; one customer gateway
    address per VPN (AWS hands back the same gateway for the same address and ASN, so two
    resources would manage, and destroy, one object); a unicast address."""
    seen: dict[str, str] = {}
    named = {end for flow in bp.flows for end in (flow.src, flow.dst)}
    # A flow end naming nothing (flow-unknown-endpoint) may be the network misspelt: the
    # VPN is not reported unused beside that error (one mistake, one finding).
    dangling = any(end not in bp.tiers and end not in bp.networks and end != INTERNET
                   and not end.startswith("aws:") for end in named)
    for name in bp.networks:
        vpn = bp.network_vpn(name) if broken.item("networks", name) else None
        if vpn is None:
            continue
        path = ("networks", name, "vpn")
        if bp.network_via(name) != "vgw":
            report.add("vpn-needs-vgw", path,
                       f"network '{name}' is reached through the transit gateway (via: "
                       "tgw); the module's VPN attaches to its virtual private gateway",
                       "write 'via: vgw', or attach your VPN to the transit gateway outside "
                       "the module", at_key=True)
        elif broken.whole("flows") and not dangling and name not in named:
            report.add("vpn-unused", path,
                       f"network '{name}' has a VPN but no flow names it: the module creates "
                       "its virtual private gateway (and so the VPN) only for networks flows "
                       "name", f"add a flow from or to '{name}', or remove 'vpn'",
                       at_key=True)
        address = vpn.customer_gateway.ip_address
        where = (*path, "customer_gateway", "ip_address")
        if (address.is_multicast or address.is_unspecified or address.is_loopback
                or address.is_link_local or address.is_reserved):
            report.add("bad-address", where,
                       f"network '{name}': {address} cannot be a customer gateway's address",
                       "write the outside (unicast) IPv4 address of your VPN device")
        other = seen.setdefault(str(address), name)
        if other != name:
            report.add("vpn-customer-gateway-shared", where,
                       f"networks '{other}' and '{name}' both name the customer gateway "
                       f"{address}: AWS keeps one gateway per address, so the module would "
                       "manage it twice", "give each VPN its own customer gateway address")


def _check_tiers(bp: Blueprint, report: _Report, broken: ShapeErrors) -> None:
    zones = len(bp.availability_zones)
    zones_ok = broken.whole("availability_zones")
    vpc = bp.vpc.cidr
    vpc_ok = broken.section("vpc")
    for name, tier in bp.tiers.items():
        if not broken.item("tiers", name):
            continue
        path = ("tiers", name)
        if tier.cidrs is None and tier.netmask is None and not tier.ipv6_only:
            report.add("tier-subnets", path,
                       f"tier '{name}' gives neither 'cidrs' nor 'netmask'",
                       "add 'netmask: 24' (allocated) or 'cidrs: [...]' (one per zone)",
                       at_key=True)
        elif tier.cidrs is not None and tier.netmask is not None:
            report.add("tier-subnets", (*path, "netmask"),
                       f"tier '{name}' gives both 'cidrs' and 'netmask'",
                       "keep one: 'cidrs' for explicit subnets or 'netmask' for allocation",
                       at_key=True)
        if vpc_ok and tier.netmask is not None and tier.netmask < vpc.prefixlen:
            report.add("netmask-too-small", (*path, "netmask"),
                       f"netmask /{tier.netmask} is larger than the whole VPC {vpc}",
                       f"use a netmask of at least /{vpc.prefixlen}, e.g. "
                       f"/{min(vpc.prefixlen + 4, _MAX_PREFIX)}")
        if vpc_ok and tier.block is not None and tier.block not in (
                vpc, *bp.vpc.secondary_cidrs):
            report.add("tier-block", (*path, "block"),
                       f"tier '{name}': block {tier.block} is not one of the VPC's CIDRs",
                       "write vpc.cidr or one of vpc.secondary_cidrs")
        elif tier.block is not None and tier.cidrs is not None:
            report.add("tier-block", (*path, "block"),
                       f"tier '{name}' gives 'block' and explicit 'cidrs'",
                       "'block' places a netmask tier; explicit cidrs say where they are")
        if tier.map_public_ip_on_launch and tier.exposure != "public":
            report.add("public-ip-not-public", (*path, "map_public_ip_on_launch"),
                       f"tier '{name}' is {tier.exposure} but gives its hosts public IPv4 "
                       "addresses", "remove map_public_ip_on_launch or make the tier public")
        if tier.cidrs is None:
            continue
        if zones_ok and len(tier.cidrs) != zones:
            report.add("subnet-count", (*path, "cidrs"),
                       f"tier '{name}' lists {len(tier.cidrs)} CIDR(s) for {zones} "
                       "availability zone(s)",
                       "give exactly one CIDR per availability zone, in the zones' order")
        for index, cidr in enumerate(tier.cidrs):
            cpath = (*path, "cidrs", index)
            if not _MIN_PREFIX <= cidr.prefixlen <= _MAX_PREFIX:
                report.add("subnet-size", cpath,
                           f"subnet {cidr} is /{cidr.prefixlen}; AWS allows /16 to /28",
                           "choose a subnet size between /16 and /28")
            if vpc_ok and not any(cidr.subnet_of(b) for b in (vpc, *bp.vpc.secondary_cidrs)):
                report.add("cidr-outside-vpc", cpath,
                           f"subnet {cidr} of tier '{name}' is not inside the VPC {vpc}"
                           + (" or its secondary CIDRs" if bp.vpc.secondary_cidrs else ""),
                           f"choose a CIDR inside {vpc}")


def _check_security_groups(bp: Blueprint, report: _Report, broken: ShapeErrors) -> None:
    """``tiers.<name>.security_groups``: at least one reference, each a non-blank text
    without surrounding blanks, listed once (a reference that matches no group in the
    network read is a finding of ``verify``, not of the blueprint)."""
    for name, tier in bp.tiers.items():
        if not broken.item("tiers", name) or tier.security_groups is None:
            continue
        path = ("tiers", name, "security_groups")
        if not tier.security_groups:
            report.add("security-groups", path,
                       f"tier '{name}' lists no security groups",
                       "list the groups every instance of the tier carries (id, Name tag, "
                       "name, Terraform address or a glob), or remove the key to place "
                       "groups by their Tier tag", at_key=True)
        seen: set[str] = set()
        for index, ref in enumerate(tier.security_groups):
            where = (*path, index)
            if not ref.strip():
                report.add("security-groups", where,
                           f"tier '{name}': security_groups[{index}] is blank",
                           "give a group id (sg-...), Name tag, name, Terraform address "
                           "(module.sg.aws_security_group.this[0]) or a glob (module.web_sg.*)")
            elif ref != ref.strip():
                report.add("security-groups", where,
                           f"tier '{name}': security group {ref!r} begins or ends with "
                           "blanks, which no group id, name or address does",
                           f"write {ref.strip()!r}")
            elif ref in seen:
                report.add("security-groups", where,
                           f"tier '{name}' lists security group {ref!r} twice",
                           "list each group once")
            seen.add(ref)


def _check_addresses(bp: Blueprint, report: _Report, allocation: Allocation) -> None:
    """Overlaps between tiers' subnets and allocated blocks; tiers the allocator could not place."""
    vpc = bp.vpc.cidr
    placed: list[tuple[str, IPv4Network, bool, tuple[str | int, ...]]] = []
    index_in_tier: dict[str, int] = {}
    for reservation in allocation.reservations:
        if reservation.explicit:
            position = index_in_tier.get(reservation.tier, 0)
            index_in_tier[reservation.tier] = position + 1
            path: tuple[str | int, ...] = ("tiers", reservation.tier, "cidrs", position)
            if not any(reservation.network.subnet_of(b)
                       for b in (vpc, *bp.vpc.secondary_cidrs)):
                continue  # reported as cidr-outside-vpc
        else:
            path = ("tiers", reservation.tier, "netmask")
        for other_tier, other, other_explicit, _ in placed:
            if not reservation.network.overlaps(other):
                continue
            what = (f"subnet {other} of tier '{other_tier}'" if other_explicit
                    else f"the block {other} reserved for tier '{other_tier}' (netmask "
                         "allocation)")
            hint = ("choose CIDRs that do not overlap" if other_explicit else
                    f"choose CIDRs outside {other}, or list tier '{reservation.tier}' "
                    f"before '{other_tier}' in a new blueprint (reordering an existing one "
                    "moves subnets)")
            report.add("cidr-overlap", path,
                       f"{_describe_reservation(reservation.network, reservation.explicit)} "
                       f"of tier '{reservation.tier}' overlaps {what}", hint)
        placed.append((reservation.tier, reservation.network, reservation.explicit, path))
    dedicated: list[tuple[str, PathKey, str]] = []
    if any(bp.network_via(n) == "tgw" for n in bp.networks):
        dedicated.append(("transit", ("networks",), "the transit gateway attachment's"))
    if bp.inspection is not None:
        dedicated.append(("firewall", ("inspection",), "the Network Firewall endpoints'"))
    for purpose, where, whose in dedicated:
        block = dedicated_block(bp, purpose)
        if block is None:
            report.add("no-room", where,
                       f"the VPC {vpc} has no room for {whose} /28 subnets (one per "
                       "availability zone)", "use a larger VPC CIDR", at_key=True)
            continue
        for tier, network, _, path in placed:
            if network.overlaps(block):
                report.add("cidr-overlap", path,
                           f"tier '{tier}' ({network}) overlaps {block}, the top of the "
                           f"VPC that holds {whose} subnets",
                           f"choose CIDRs outside {block}")
    for tier, reason in allocation.unplaced.items():
        spec = bp.tiers[tier]
        if spec.netmask is None or spec.netmask < vpc.prefixlen or (
                spec.block is not None and spec.block not in (vpc, *bp.vpc.secondary_cidrs)):
            continue  # reported by tier-subnets / netmask-too-small / tier-block
        report.add("no-room", ("tiers", tier, "netmask"),
                   f"cannot allocate subnets for tier '{tier}': {reason}",
                   "use a larger netmask number (smaller subnets), a larger VPC, or fewer "
                   "tiers/zones")


def _describe_reservation(network: IPv4Network, explicit: bool) -> str:
    return f"subnet {network}" if explicit else f"the allocated block {network}"


# --- flows ---------------------------------------------------------------------------------


def _check_flows(bp: Blueprint, report: _Report, broken: ShapeErrors) -> None:
    if not broken.section("flows"):
        return
    # Names are known when tiers and networks were read (a broken tier keeps its name).
    names_ok = broken.section("tiers") and broken.section("networks")
    endpoints = [*bp.tiers, *bp.networks, INTERNET]
    services = [service_endpoint(s) for s in (*INTERFACE_ENDPOINT_SERVICES,
                                               *GATEWAY_ENDPOINT_SERVICES)]
    known_names = {*endpoints, *services, *broken.dropped_tiers}
    endpoints += services
    seen: dict[tuple[str, str, str, tuple[tuple[int, int], ...]], int] = {}
    for index, flow in enumerate(bp.flows):
        if not broken.item("flows", index):
            continue
        path: tuple[str | int, ...] = ("flows", index)
        known = names_ok
        for key, name in (("from", flow.src), ("to", flow.dst)):
            if names_ok and name not in known_names:
                report.add("flow-unknown-endpoint", (*path, key),
                           f"flow {key} '{name}': no tier or network has this name",
                           f"{_did_you_mean(name, endpoints)}known names: "
                           f"{', '.join(sorted(endpoints))}")
            if name not in endpoints or (name in bp.tiers and not broken.item("tiers", name)):
                known = False
        ports_ok = _check_ports(flow, (*path,), report, broken.ports)
        if known and (service_of_endpoint(flow.src) or service_of_endpoint(flow.dst)):
            _check_service_flow(bp, flow, path, report, broken)
            known = False  # the direction rules below are about tiers, networks, internet
        if ports_ok:
            _check_internet_reason(flow, path, report)
        if known:
            _check_flow_direction(bp, flow, path, report, nat_ok=broken.section("nat"))
        if known and ports_ok:
            same = (flow.src, flow.dst, flow.protocol, tuple(flow.port_ranges()))
            if same in seen:
                report.add("flow-duplicate", path,
                           f"flow {flow.src} -> {flow.dst} ({flow.protocol}) repeats flow "
                           f"#{seen[same] + 1} (flows[{seen[same]}])", "remove one of them")
            else:
                seen[same] = index


_ENDPOINT_PORT = 443
"""Interface endpoints answer on HTTPS only (AWS PrivateLink for AWS services); flows to
the gateway-endpoint services (S3, DynamoDB) are held to it too: their legs are rendered
for HTTPS (README, gateway-endpoint flows)."""


def _check_service_flow(bp: Blueprint, flow: FlowSpec, path: tuple[str | int, ...],
                        report: _Report, broken: ShapeErrors) -> None:
    """A flow to ``aws:<service>``: from a tier, TCP 443, with a tier for the endpoint
    (interface endpoints; a gateway endpoint lives in route tables, not subnets)."""
    if service_of_endpoint(flow.src) is not None:
        report.add("flow-from-service", (*path, "from"),
                   f"flow {flow.src} -> {flow.dst}: an AWS service does not open connections "
                   "through a VPC endpoint",
                   f"write the flow the other way: from a tier to '{flow.src}'")
        return
    gateway = service_of_endpoint(flow.dst) in GATEWAY_ENDPOINT_SERVICES
    answers = ("gateway-endpoint flows are rendered for" if gateway
               else "interface endpoints answer on")
    if flow.src not in bp.tiers:
        report.add("flow-service-source", (*path, "from"),
                   f"flow {flow.src} -> {flow.dst}: only a tier of this VPC reaches an AWS "
                   f"service through the VPC's {'gateway' if gateway else 'interface'} "
                   "endpoint",
                   "start the flow at a tier")
    if flow.protocol != "tcp":
        report.add("flow-service-protocol", (*path, "protocol"),
                   f"flow {flow.src} -> {flow.dst} uses {flow.protocol}: {answers} "
                   f"TCP {_ENDPOINT_PORT} only", "use 'protocol: tcp', ports [443]")
    elif not any(tuple(item[:2]) == path for item in broken.ports):
        try:
            ranges = flow.port_ranges()
        except ValueError:
            ranges = [(_ENDPOINT_PORT, _ENDPOINT_PORT)]  # reported by _check_ports
        if ranges != [(_ENDPOINT_PORT, _ENDPOINT_PORT)]:
            report.add("flow-service-ports", (*path, "ports"),
                       f"flow {flow.src} -> {flow.dst}: {answers} TCP "
                       f"{_ENDPOINT_PORT} only", "write 'ports: [443]'")
    if bp.interface_endpoints is None and broken.section("interface_endpoints") \
            and not gateway:
        report.add("flow-service-needs-tier", path,
                   f"flow {flow.src} -> {flow.dst} needs an interface endpoint, and no tier "
                   "is chosen for the endpoints' network interfaces",
                   "add 'interface_endpoints: {tier: <tier>}' (e.g. the tier of the clients, "
                   "or a dedicated endpoints tier)")


def _check_interface_endpoints(bp: Blueprint, report: _Report, broken: ShapeErrors) -> None:
    """The endpoints' tier exists; and private DNS shadows no tier's internet path (a tier
    whose flows reach the internet on 443 but do not name a service that has an endpoint
    would resolve the service to the endpoint and be refused by its group)."""
    spec = bp.interface_endpoints
    if spec is None or not broken.whole("interface_endpoints"):
        return
    if broken.section("tiers") and spec.tier not in bp.tiers \
            and spec.tier not in broken.dropped_tiers:
        report.add("interface-endpoints-tier", ("interface_endpoints", "tier"),
                   f"interface_endpoints.tier '{spec.tier}': no tier has this name",
                   f"{_did_you_mean(spec.tier, bp.tiers)}known tiers: "
                   f"{', '.join(sorted(bp.tiers))}")
    if not broken.section("flows"):
        return
    flows = [f for i, f in enumerate(bp.flows) if broken.item("flows", i)]
    services = sorted({s for f in flows if (s := service_of_endpoint(f.dst)) is not None
                       and s in INTERFACE_ENDPOINT_SERVICES})
    if not services:
        return
    admitted = {(f.src, f.dst) for f in flows}
    for index, flow in enumerate(bp.flows):
        if not broken.item("flows", index) or flow.dst != INTERNET or flow.src not in bp.tiers:
            continue
        try:
            https = flow.protocol == "all" or (
                flow.protocol == "tcp" and _ENDPOINT_PORT in flow.port_set())
        except ValueError:
            continue
        if bp.tiers[flow.src].exposure == "isolated" or not https:
            continue
        lost = [s for s in services if (flow.src, service_endpoint(s)) not in admitted]
        if lost:
            names = ", ".join(service_endpoint(s) for s in lost)
            report.add("endpoint-dns-shadow", ("flows", index),
                       f"flow {flow.src} -> internet reaches AWS services on TCP 443, but the "
                       f"interface endpoint{'s' if len(lost) > 1 else ''} for {names} "
                       "(private DNS, VPC-wide) will answer those names for "
                       f"'{flow.src}' too, and their security groups do not admit it: "
                       f"'{flow.src}' would lose {names}",
                       f"add a flow from '{flow.src}' to "
                       + " and to ".join(f"'{service_endpoint(s)}'" for s in lost)
                       + " on port 443 (it then uses the endpoint), or remove the internet "
                       "flow")
ADMIN_PORTS: tuple[tuple[str, str, int], ...] = (
    ("tcp", "FTP", 20), ("tcp", "FTP", 21), ("tcp", "SSH", 22), ("tcp", "RDP", 3389),
    ("udp", "RDP", 3389),
)
"""(protocol, service, port) that no flow may open to the whole internet without a written
reason: remote administration and clear-text FTP (checkov CKV_AWS_24/25/229-232)."""
INTERNET_REASON_MAX = 200


def internet_exposures(flow: FlowSpec) -> list[str]:
    """What a flow from the internet opens that needs ``internet_reason`` (e.g. ``tcp 22
    (SSH)``, ``every protocol and port``); empty for other flows. Ports must have parsed."""
    if flow.src != INTERNET:
        return []
    if flow.protocol == "all":
        return ["every protocol and port"]
    if flow.protocol == "icmp":
        return []
    ports = flow.port_set()
    if ports.is_full():
        return [f"every {flow.protocol} port"]
    return [f"{protocol} {port} ({service})" for protocol, service, port in ADMIN_PORTS
            if protocol == flow.protocol and port in ports]


def _check_internet_reason(flow: FlowSpec, path: tuple[str | int, ...],
                           report: _Report) -> None:
    """SSH, RDP, FTP or all ports open to 0.0.0.0/0 only with a written reason, which the
    renderer puts in the checkov skips (instead of a reason of its own)."""
    opened = internet_exposures(flow)
    reason = flow.internet_reason
    if reason is None:
        if opened:
            report.add("flow-internet-admin", path,
                       f"flow internet -> {flow.dst} opens {', '.join(opened)} to every "
                       "address on the internet",
                       "open it from a named network instead (networks: {corp: "
                       "203.0.113.0/24}, then 'from: corp'), or, if it must face the whole "
                       "internet, say why in the flow: 'internet_reason: <why>' (it becomes "
                       "the reason of the module's checkov skips)")
        return
    rpath = (*path, "internet_reason")
    if not opened:
        report.add("internet-reason-unused", rpath,
                   f"flow {flow.src} -> {flow.dst} has an internet_reason but opens no SSH, "
                   "RDP, FTP or all-ports access from the internet",
                   "remove 'internet_reason' (it is only for such flows)")
        return
    bad = next((ch for ch in reason if unicodedata.category(ch)[0] == "C"), None)
    if not reason.strip():
        report.add("internet-reason-empty", rpath, "internet_reason is empty",
                   "write why this flow must be open to the whole internet")
    elif bad is not None:
        report.add("internet-reason-text", rpath,
                   f"internet_reason contains {_char(bad)}: it is written on one comment line",
                   "write the reason on one line, without control characters")
    elif len(reason) > INTERNET_REASON_MAX:
        report.add("internet-reason-text", rpath,
                   f"internet_reason has {len(reason)} characters; at most "
                   f"{INTERNET_REASON_MAX}", "shorten the reason")


_FLOW_ID = re.compile(FLOW_ID_PATTERN)


def _check_flow_ids(bp: Blueprint, report: _Report, broken: ShapeErrors) -> None:
    """Every flow's identity (its ``id``, else from, to and protocol) is unique: the layout
    numbers, names and describes a flow's rules by it, never by the flow's position."""
    if not broken.section("flows"):
        return
    first: dict[str, int] = {}
    for index, flow in enumerate(bp.flows):
        if not broken.item("flows", index):
            continue
        path: tuple[str | int, ...] = ("flows", index)
        if flow.id is not None and not _FLOW_ID.fullmatch(flow.id):
            report.add("flow-id-invalid", (*path, "id"), f"flow id {flow.id!r} is not valid",
                       "lower-case letters, digits, '_' and '-', starting with a letter, at "
                       "most 64 characters (e.g. web_to_app_admin)")
            continue
        fid = flow.flow_id
        if fid not in first:
            first[fid] = index
            continue
        other = bp.flows[first[fid]]
        if flow.id is None and other.id is None and _same_ports(flow, other):
            continue  # the very same flow twice: reported as flow-duplicate
        if flow.id is not None:
            report.add("flow-id-duplicate", (*path, "id"),
                       f"flow id '{fid}' is already the identity of flows[{first[fid]}]",
                       "give each flow its own id")
        elif other.id is not None:
            report.add("flow-id-required", path,
                       f"flows[{index}] would be named '{fid}' (from, to and protocol), the "
                       f"id flows[{first[fid]}] gives itself",
                       "give this flow an 'id' of its own, or choose another for "
                       f"flows[{first[fid]}]")
        else:
            report.add("flow-id-required", path,
                       f"flows[{first[fid]}] and flows[{index}] both go from {flow.src} to "
                       f"{flow.dst} over {flow.protocol}, so both would be named '{fid}'; a "
                       "flow's rules are numbered and named after its identity",
                       f"give the flow you are adding an 'id' of its own (e.g. 'id: {fid}_2'); "
                       "the other keeps its name and its rules")


def _same_ports(one: FlowSpec, other: FlowSpec) -> bool:
    try:
        return one.port_ranges() == other.port_ranges()
    except ValueError:  # a port the other checks report
        return False


def _check_flow_direction(
    bp: Blueprint, flow: FlowSpec, path: tuple[str | int, ...], report: _Report, *,
    nat_ok: bool = True,
) -> None:
    src_tier = bp.tiers.get(flow.src)
    dst_tier = bp.tiers.get(flow.dst)
    if src_tier is None and dst_tier is None:
        report.add("flow-outside-vpc", path,
                   f"flow {flow.src} -> {flow.dst} does not touch a tier of this VPC",
                   "one end of every flow is a tier")
        return
    if flow.src == INTERNET and dst_tier is not None and dst_tier.exposure != "public":
        report.add("flow-internet-inbound", (*path, "to"),
                   f"flow internet -> {flow.dst}: tier '{flow.dst}' is {dst_tier.exposure}, "
                   "the internet cannot open connections to it",
                   "put an internet-facing tier (public, e.g. a load balancer) in front and "
                   f"allow a flow from it to '{flow.dst}', or make '{flow.dst}' public")
    if flow.dst == INTERNET and src_tier is not None:
        if src_tier.exposure == "isolated":
            report.add("flow-isolated-egress", (*path, "from"),
                       f"flow {flow.src} -> internet: tier '{flow.src}' is isolated (no "
                       "route to or from the internet)",
                       f"make '{flow.src}' private (outbound through NAT) or remove the flow; "
                       "AWS services are reached through 'endpoints'")
        elif src_tier.exposure == "private" and bp.nat == "none" and nat_ok:
            report.add("flow-needs-nat", (*path, "to"),
                       f"flow {flow.src} -> internet: private tier '{flow.src}' reaches the "
                       "internet only through a NAT gateway, and 'nat' is none",
                       "set 'nat: single' or 'nat: per_az' (with a public tier for the NAT "
                       "gateways)")


def _check_ports(flow: FlowSpec, path: tuple[str | int, ...], report: _Report,
                 broken: frozenset[PathKey] = frozenset()) -> bool:
    """Port syntax and range; False when ``port_ranges()`` cannot be trusted."""
    ports = flow.ports
    if flow.protocol in ("icmp", "all"):
        if ports is not None and ports != "all":
            report.add("ports-not-allowed", (*path, "ports"),
                       f"protocol {flow.protocol} carries no ports, but ports are given",
                       "remove 'ports' (or use protocol tcp/udp for specific ports)",
                       at_key=True)
        return True
    if ports is None or ports == "all":
        return True
    if not ports:
        report.add("ports-empty", (*path, "ports"), "the port list is empty",
                   "list ports such as [443], or write 'ports: all'", at_key=True)
        return False
    ok = True
    for index, item in enumerate(ports):
        if (*path, "ports", index) in broken:
            ok = False  # reported by the loader
            continue
        try:
            parse_port(item)
        except PortSyntaxError as error:
            report.add(error.code, (*path, "ports", index), error.message, error.hint)
            ok = False
    return ok


# --- load balancers --------------------------------------------------------------------------

_LISTENER_PROTOCOLS = {"application": ("HTTP", "HTTPS"), "network": ("TCP", "TLS", "UDP")}
"""What each load balancer type listens with (ELBv2 CreateListener)."""


def _check_load_balancers(bp: Blueprint, report: _Report, broken: ShapeErrors) -> None:
    """``tiers.<t>.load_balancer``: on a public tier, a target tier that exists and is not
    public, ports 1-65535, the listener protocols of its type, one transport for an NLB,
    and a flow from the internet to the tier on every listener port (required, not implied:
    the blueprint's flows stay the list of what the internet reaches, and the tier's ACL
    legs for it are that flow's, numbered by its id)."""
    for name, tier in bp.tiers.items():
        spec = tier.load_balancer
        if spec is None or not broken.item("tiers", name):
            continue
        path: PathKey = ("tiers", name, "load_balancer")
        if tier.exposure != "public":
            report.add("load-balancer-not-public", path,
                       f"tier '{name}' is {tier.exposure}, but has an internet-facing "
                       "load balancer", "put the load balancer on a public tier (its subnets "
                       "route to the internet gateway)", at_key=True)
        target = spec.target.tier
        tpath = (*path, "target", "tier")
        if broken.section("tiers") and target not in bp.tiers \
                and target not in broken.dropped_tiers:
            report.add("load-balancer-target", tpath,
                       f"load balancer of tier '{name}': target tier '{target}' does not exist",
                       f"{_did_you_mean(target, bp.tiers)}known tiers: "
                       f"{', '.join(sorted(bp.tiers))}")
        elif target in bp.tiers and bp.tiers[target].exposure == "public":
            report.add("load-balancer-target", tpath,
                       f"load balancer of tier '{name}': target tier '{target}' is public; "
                       "a load balancer proxies to a tier the internet cannot reach itself",
                       "make the target tier private or isolated, or target another tier")
        for key, port in (("port", spec.target.port),
                          ("health_check", spec.health_port)):
            if not 1 <= port <= 65535:
                where = (*path, "target", key) if key == "port" else (
                    *path, "target", "health_check", "port")
                report.add("load-balancer-port", where,
                           f"load balancer of tier '{name}': port {port} is not 1-65535",
                           "write a port between 1 and 65535")
        allowed = _LISTENER_PROTOCOLS[spec.type]
        seen: dict[int, int] = {}
        for index, listener in enumerate(spec.listeners):
            lpath = (*path, "listeners", index)
            if not 1 <= listener.port <= 65535:
                report.add("load-balancer-port", (*lpath, "port"),
                           f"listener port {listener.port} is not 1-65535",
                           "write a port between 1 and 65535")
            if listener.protocol not in allowed:
                report.add("load-balancer-listener", (*lpath, "protocol"),
                           f"a {spec.type} load balancer has no {listener.protocol} listener",
                           f"use one of {', '.join(allowed)}, or type "
                           f"{'network' if spec.type == 'application' else 'application'}")
            if listener.port in seen:
                report.add("load-balancer-listener", (*lpath, "port"),
                           f"listener port {listener.port} repeats "
                           f"listeners[{seen[listener.port]}]",
                           "give each listener its own port")
            seen.setdefault(listener.port, index)
        if any(lst.protocol == "UDP" for lst in spec.listeners):
            report.add("load-balancer-udp", (*path, "listeners"),
                       f"load balancer of tier '{name}': UDP listeners are not rendered yet "
                       "(a UDP target group keeps the client's address, so the target tier's "
                       "ACL would have to admit the whole internet)",
                       "use TCP or TLS listeners", at_key=True)
        check = spec.target.health_check
        if check is not None and check.path is not None and (
                spec.type == "network" or not check.path.startswith("/")):
            report.add("load-balancer-health-check", (*path, "target", "health_check", "path"),
                       "a health-check path is for application load balancers and starts "
                       "with '/'" if spec.type == "application" else
                       "a network load balancer checks its targets by TCP: it takes no path",
                       "write a path such as /healthz" if spec.type == "application"
                       else "remove 'path'")
        if broken.section("flows"):
            _check_load_balancer_flow(bp, name, "tcp",
                                      [lst.port for lst in spec.listeners], path, report,
                                      broken)


def _check_load_balancer_flow(bp: Blueprint, tier: str, transport: str, ports: list[int],
                              path: PathKey, report: _Report, broken: ShapeErrors) -> None:
    """Every listener port is opened from the internet to the tier by some flow."""
    opened = PortSet.empty()
    for index, flow in enumerate(bp.flows):
        if not broken.item("flows", index) or flow.src != INTERNET or flow.dst != tier:
            continue
        if flow.protocol not in (transport, "all"):
            continue
        try:
            opened = opened | flow.port_set()
        except ValueError:
            return  # the port syntax is reported with the flow
    missing = [port for port in ports if 1 <= port <= 65535 and port not in opened]
    if missing:
        shown = ", ".join(str(p) for p in missing)
        report.add("load-balancer-flow", (*path, "listeners"),
                   f"the load balancer of tier '{tier}' listens on {transport} {shown}, but "
                   f"no flow from the internet to '{tier}' opens "
                   f"{'it' if len(missing) == 1 else 'them'}",
                   f"add '- {{from: internet, to: {tier}, protocol: {transport}, ports: "
                   f"[{shown}]}}' to flows (the flow is what opens the tier's network ACL to "
                   "the internet)", at_key=True)


# --- NAT, quotas ---------------------------------------------------------------------------


def _check_nat(bp: Blueprint, report: _Report) -> None:
    if bp.nat == "none":
        return
    public = [name for name, tier in bp.tiers.items() if tier.exposure == "public"]
    if not public:
        report.add("nat-without-public", ("nat",),
                   f"nat is {bp.nat}, but no tier is public: a NAT gateway must sit in a "
                   "public subnet (one with a route to the internet gateway)",
                   "add a public tier, or set 'nat: none'")


# --- flow logs, tags, endpoints ------------------------------------------------------------


def _check_flow_logs(bp: Blueprint, report: _Report) -> None:
    logs = bp.flow_logs
    if logs is None:
        return
    path = ("flow_logs",)
    if logs.bucket_arn is not None:
        if logs.destination != "s3":
            report.add("flow-logs-bucket-arn", (*path, "bucket_arn"),
                       "bucket_arn is given but the destination is cloudwatch",
                       "set 'destination: s3' or remove bucket_arn")
        if not _S3_ARN.match(logs.bucket_arn):
            report.add("flow-logs-bucket-arn", (*path, "bucket_arn"),
                       f"{logs.bucket_arn!r} is not an S3 bucket ARN",
                       "write it as arn:aws:s3:::bucket-name (optionally /prefix)")
    if logs.retention_days not in RETENTION_DAYS:
        allowed = sorted(RETENTION_DAYS - {0})
        nearest = min(allowed, key=lambda days: (abs(days - logs.retention_days), days))
        report.add("flow-logs-retention", (*path, "retention_days"),
                   f"retention_days {logs.retention_days} is not a CloudWatch Logs retention "
                   "value",
                   f"the nearest allowed value is {nearest}; allowed: 0 (never expire), "
                   f"{', '.join(map(str, allowed))}")
    if logs.fields is None:
        return
    if not logs.fields:
        report.add("flow-log-fields-empty", (*path, "fields"), "the field list is empty",
                   "remove 'fields' for the default format, or list at least one field",
                   at_key=True)
    seen: set[str] = set()
    for index, name in enumerate(logs.fields):
        fpath = (*path, "fields", index)
        if name in seen:
            report.add("flow-log-field-duplicate", fpath, f"field '{name}' is listed twice",
                       "list each field once")
        seen.add(name)
        if name in FLOW_LOG_FIELDS:
            continue
        if name in _FIELD_LOOKALIKES:
            hint = f"use '{_FIELD_LOOKALIKES[name]}' (the VPC flow-log field for this)"
        else:
            hint = (f"{_did_you_mean(name, FLOW_LOG_FIELDS)}see 'Flow log records' in the "
                    "Amazon VPC User Guide for the field names")
        report.add("flow-log-field", fpath, f"'{name}' is not a VPC flow-log field", hint)


def _check_misc(bp: Blueprint, report: _Report, broken: ShapeErrors) -> None:
    seen: set[str] = set()
    for index, endpoint in enumerate(bp.endpoints if broken.whole("endpoints") else ()):
        if endpoint in seen:
            report.add("endpoint-duplicate", ("endpoints", index),
                       f"endpoint '{endpoint}' is listed twice", "list each endpoint once")
        seen.add(endpoint)
    for key, value in bp.tags.items():
        if not broken.item("tags", key):
            continue
        path = ("tags", key)
        # AWS tags: key 1-128 characters, value up to 256, the "aws:" prefix is reserved.
        if not 1 <= len(key) <= 128:
            report.add("tag-invalid", path, "a tag key has 1 to 128 characters",
                       "shorten the key" if key else "give the tag a key", at_key=True)
        elif key.lower().startswith("aws:"):
            report.add("tag-invalid", path, f"tag key {key!r} uses the reserved prefix 'aws:'",
                       "choose another key", at_key=True)
        if len(value) > 256:
            report.add("tag-invalid", path, f"the value of tag {key!r} is over 256 characters",
                       "shorten the value")


IPV6_TIERS = 32
IPV6_ZONES = 8
"""A dual-stack VPC's /56 holds 256 /64s: 8 per tier (one per zone), so 32 tiers
(``tierform.layout.ipv6``, which this module may not import)."""


def _check_ipv6(bp: Blueprint, report: _Report, broken: ShapeErrors) -> None:
    """Dual-stack limits of the stable /64 index, and ``tiers.<name>.ipv6`` written where
    it can mean nothing."""
    if not (broken.section("vpc") and broken.whole("tiers")):
        return
    if bp.vpc.ipv6 is None:
        for name, spec in bp.tiers.items():
            if "ipv6" in spec.model_fields_set and spec.ipv6:
                report.add("ipv6-without-vpc", ("tiers", name, "ipv6"),
                           f"tier '{name}' asks for IPv6 but the VPC is IPv4 only",
                           "add 'ipv6: amazon' under vpc (every tier then has IPv6 unless "
                           "it says 'ipv6: false'), or remove this key", at_key=True)
        return
    if len(bp.tiers) > IPV6_TIERS:
        report.add("ipv6-tiers", ("tiers",),
                   f"{len(bp.tiers)} tiers; a dual-stack VPC's /56 holds {IPV6_TIERS} "
                   f"(8 /64s each)", "use fewer tiers, or remove 'ipv6' under vpc",
                   at_key=True)
    if broken.whole("availability_zones") and len(bp.availability_zones) > IPV6_ZONES:
        report.add("ipv6-zones", ("availability_zones",),
                   f"{len(bp.availability_zones)} availability zones; a dual-stack tier "
                   f"holds {IPV6_ZONES} /64s (one per zone)",
                   "list at most 8 zones, or remove 'ipv6' under vpc", at_key=True)


def _check_ipv6_only(bp: Blueprint, report: _Report, broken: ShapeErrors) -> None:
    """What an IPv6-only tier (``tiers.<name>.ipv6_only``) cannot do: it has no IPv4
    address, so nothing that speaks only IPv4 can reach it or be reached from it (named
    networks, IPv4-only tiers, endpoints, load balancers, the NAT gateways' subnets), and
    ICMP (ICMPv6 is not derived) would derive no rule at all."""
    if not (broken.section("vpc") and broken.section("tiers")):
        return
    only = {name for name, spec in bp.tiers.items()
            if spec.ipv6_only and broken.item("tiers", name)}
    for name in sorted(only, key=list(bp.tiers).index):
        spec = bp.tiers[name]
        where = ("tiers", name, "ipv6_only")
        if bp.vpc.ipv6 is None:
            report.add("ipv6-only-without-vpc", where,
                       f"tier '{name}' is IPv6-only but the VPC is IPv4 only",
                       "add 'ipv6: amazon' under vpc, or remove this key", at_key=True)
        elif not spec.ipv6:
            report.add("ipv6-only-without-ipv6", where,
                       f"tier '{name}' is IPv6-only and says 'ipv6: false'",
                       "remove 'ipv6: false' (or 'ipv6_only')", at_key=True)
        if spec.load_balancer is not None:
            report.add("ipv6-only-load-balancer", ("tiers", name, "load_balancer"),
                       f"tier '{name}' is IPv6-only: an internet-facing load balancer needs "
                       "IPv4 addresses in its subnets", "put the load balancer in a "
                       "dual-stack public tier", at_key=True)
        if broken.section("nat") and nat_tier_of(bp) == name:
            report.add("ipv6-only-nat-tier", where,
                       f"tier '{name}' holds the NAT gateways (the first public tier, nat: "
                       f"{bp.nat}): a NAT gateway needs an IPv4 subnet",
                       "list a dual-stack public tier first, or remove 'ipv6_only'",
                       at_key=True)
    if not only:
        return
    ends = bp.tiers
    spec_ie = bp.interface_endpoints
    if spec_ie is not None and spec_ie.tier in only:
        report.add("ipv6-only-endpoints", ("interface_endpoints", "tier"),
                   f"interface endpoints in IPv6-only tier '{spec_ie.tier}': not supported "
                   "(the endpoints' network interfaces and their rules are IPv4)",
                   "place the interface endpoints in a dual-stack tier")
    for lb_tier, lb_spec in ends.items():
        lb = lb_spec.load_balancer
        if lb is not None and lb.target.tier in only:
            report.add("ipv6-only-load-balancer", ("tiers", lb_tier, "load_balancer",
                                                   "target", "tier"),
                       f"the load balancer of '{lb_tier}' targets IPv6-only tier "
                       f"'{lb.target.tier}': its targets are registered by IPv4",
                       "target a dual-stack tier")
    if not broken.section("flows"):
        return
    for index, flow in enumerate(bp.flows):
        if not broken.item("flows", index):
            continue
        for end, other, key in ((flow.src, flow.dst, "to"), (flow.dst, flow.src, "from")):
            if end not in only:
                continue
            path = ("flows", index, key)
            if other in bp.networks:
                report.add("ipv6-only-network", path,
                           f"flow {flow.src} -> {flow.dst}: '{end}' is IPv6-only and named "
                           f"network '{other}' is IPv4 (NAT64 reaches only the internet)",
                           f"make '{end}' dual-stack (remove 'ipv6_only'), or remove the flow")
            elif other in ends and other not in only and not ends[other].ipv6:
                report.add("ipv6-only-ipv4-tier", path,
                           f"flow {flow.src} -> {flow.dst}: '{end}' is IPv6-only and "
                           f"'{other}' has no IPv6 ('ipv6: false')",
                           f"give '{other}' IPv6 (remove 'ipv6: false'), or remove the flow")
            elif service_of_endpoint(other) is not None:
                report.add("ipv6-only-endpoints", path,
                           f"flow {flow.src} -> {flow.dst}: '{end}' is IPv6-only; AWS "
                           "service endpoints are reached over IPv4 here",
                           f"make '{end}' dual-stack, or remove the flow")
            elif flow.protocol == "icmp":
                report.add("ipv6-only-icmp", ("flows", index, "protocol"),
                           f"flow {flow.src} -> {flow.dst}: '{end}' is IPv6-only and ICMPv6 "
                           "is not derived, so this flow would open nothing",
                           "use tcp or udp, or remove the flow")
                break


MAX_TAGS = 50
"""User tags one AWS resource may carry (tags with the ``aws:`` prefix do not count)."""
_MODULE_TAGS = frozenset({"Name", "Tier"})
"""Tags the rendered module adds to a tier's resources, over the blueprint's tags."""
# What IAM, CloudWatch Logs and S3 accept in tag keys and values (their API pattern
# [\p{L}\p{Z}\p{N}_.:/=+\-@]); EC2 resources accept any character.
_TAG_PUNCTUATION = frozenset("_.:/=+-@")
S3_RESERVED_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")
"""Bucket names S3 refuses to create (CreateBucket: reserved prefixes)."""


def _tag_character_ok(ch: str) -> bool:
    return ch in _TAG_PUNCTUATION or unicodedata.category(ch)[0] in "LZN"


def _char(ch: str) -> str:
    return f"{ch!r} (U+{ord(ch):04X})"


def _shown(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else f"{text[:limit]}…"


def _non_ec2_tagged(bp: Blueprint) -> tuple[str, bool]:
    """The non-EC2 resources that carry the blueprint's tags, and whether one is an IAM role."""
    logs = bp.flow_logs
    if logs is None:
        return "", False
    if logs.destination == "cloudwatch":
        return "the flow-log IAM role and CloudWatch log group", True
    if logs.bucket_arn is None:
        return "the flow-log S3 bucket", False
    return "", False


def _check_tags(bp: Blueprint, report: _Report, broken: ShapeErrors) -> None:
    """AWS tag rules beyond length and prefix: count, characters, keys equal but for case."""
    if not broken.section("tags"):
        return
    if broken.whole("tags"):
        total = len(set(bp.tags) | _MODULE_TAGS)
        if total > MAX_TAGS:
            report.add("tag-count", ("tags",),
                       f"{len(bp.tags)} tags and the Name and Tier tags Tierform adds make "
                       f"{total} tags on a tier's resources; AWS allows {MAX_TAGS}",
                       f"keep at most {MAX_TAGS - len(_MODULE_TAGS)} tags besides Name and "
                       "Tier", at_key=True)
    if not broken.whole("flow_logs"):
        return
    carriers, iam = _non_ec2_tagged(bp)
    tags = {key: value for key, value in bp.tags.items() if broken.item("tags", key)}
    if carriers:
        for key, value in tags.items():
            for what, text in (("key", key), ("value", value)):
                bad = next((ch for ch in text if not _tag_character_ok(ch)), None)
                if bad is not None:
                    report.add("tag-characters", ("tags", key),
                               f"tag {what} {_shown(text)!r} contains {_char(bad)}, which AWS "
                               f"refuses in the tags of {carriers}",
                               "use only letters, digits, spaces and _ . : / = + - @",
                               at_key=what == "key")
    if iam:
        # IAM compares tag keys ignoring case ("Duplicate tag keys found"): the role
        # carries the blueprint's tags and Name.
        first: dict[str, str] = {"name": "Name"}
        for key in tags:
            other = first.setdefault(key.lower(), key)
            if other != key:
                report.add("tag-case", ("tags", key),
                           f"tag keys {other!r} and {key!r} differ only in case: IAM takes "
                           "them for one key, and the flow-log IAM role carries these tags",
                           f"keep one of them{' (Tierform sets Name)' if other == 'Name' else ''}",
                           at_key=True)


_SNS_ARN = re.compile(r"^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$")


def _check_monitoring(bp: Blueprint, report: _Report) -> None:
    """Alarms count flow-log records with CloudWatch Logs metric filters: they need the
    CloudWatch Logs destination and one notification target. (What only the compiled
    filters can tell, their count and exactness, is ``tierform.layout.monitoring``.)"""
    alarms = bp.monitoring.alarms if bp.monitoring is not None else None
    if alarms is None:
        return
    path = ("monitoring", "alarms")
    if bp.flow_logs is None:
        report.add("alarms-without-flow-logs", path,
                   "monitoring.alarms counts VPC flow-log records, but the blueprint has no "
                   "flow_logs",
                   "add 'flow_logs: {destination: cloudwatch}', or remove monitoring.alarms")
    elif bp.flow_logs.destination != "cloudwatch":
        report.add("alarms-need-cloudwatch", path,
                   "monitoring.alarms are CloudWatch Logs metric filters, which read only a "
                   "CloudWatch Logs destination; this blueprint's flow logs go to S3",
                   "set 'flow_logs.destination: cloudwatch', or remove monitoring.alarms and "
                   "watch the S3 logs with `tierform logs athena` (Athena SQL over the bucket) "
                   "or `tierform logs check`")
    if (alarms.sns_topic_arn is None) == (not alarms.create_topic):
        both = alarms.sns_topic_arn is not None
        report.add("alarms-topic", path,
                   "monitoring.alarms names both an existing topic (sns_topic_arn) and "
                   "create_topic: true" if both else
                   "monitoring.alarms needs somewhere to notify: no sns_topic_arn and no "
                   "create_topic",
                   "give one of 'sns_topic_arn: arn:aws:sns:<region>:<account>:<topic>' or "
                   "'create_topic: true'")
    arn = alarms.sns_topic_arn
    if arn is not None and not _SNS_ARN.match(arn):
        report.add("alarms-topic-arn", (*path, "sns_topic_arn"),
                   f"{arn!r} is not an SNS topic ARN",
                   "write it as arn:aws:sns:<region>:<account id>:<topic name>")
    elif arn is not None and arn.endswith(".fifo"):
        report.add("alarms-topic-arn", (*path, "sns_topic_arn"),
                   f"{arn!r} is a FIFO topic: CloudWatch alarms notify standard topics only",
                   "give a standard (non-FIFO) topic, or 'create_topic: true'")


def _check_bucket_name(bp: Blueprint, report: _Report) -> None:
    """The flow-log bucket is named ``<name>-flow-logs-<suffix>``: S3's reserved prefixes."""
    logs = bp.flow_logs
    if logs is None or logs.destination != "s3" or logs.bucket_arn is not None:
        return
    prefix = next((p for p in S3_RESERVED_PREFIXES if bp.name.startswith(p)), None)
    if prefix is not None:
        report.add("bucket-name", ("name",),
                   f"the flow-log bucket is named after the module ('{bp.name}-flow-logs-…') "
                   f"and S3 refuses bucket names that start with '{prefix}'",
                   f"choose a name that does not start with {', '.join(S3_RESERVED_PREFIXES)}, "
                   "or give flow_logs.bucket_arn (an existing bucket)")


_DOMAIN = re.compile(r"^\.?(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]"
                     r"(?:[a-z0-9-]{0,61}[a-z0-9])?$")
_RULE_HEADER = re.compile(r"^(pass|drop|reject|alert)\s+\S+\s+\S+\s+\S+\s+(?:->|<>)\s+"
                          r"\S+\s+\S+\s*\((?P<options>.*)\)\s*$", re.DOTALL)
_SID = re.compile(r"(?:^|;)\s*sid\s*:\s*(\d+)\s*;")
_MODE_WORDS = {"ingress": "from the internet, or from a public tier to it",
               "egress": "from a private tier to the internet",
               "east-west": "between two tiers"}


def _check_inspection(bp: Blueprint, report: _Report, broken: ShapeErrors) -> None:
    """``inspection`` and the flows' ``inspect``: the modes need what they route through,
    and every flow's ``inspect`` must agree with the routing (per subnet, not per flow)."""
    spec = bp.inspection
    flows = [(i, f) for i, f in enumerate(bp.flows) if broken.item("flows", i)]
    if spec is None:
        for index, flow in flows:
            if flow.inspect:
                report.add("inspect-without-inspection", ("flows", index, "inspect"),
                           f"flow {flow.flow_id} asks to be inspected, but the blueprint has "
                           "no 'inspection' block", "add 'inspection: {modes: [...]}' (see "
                           "the README's inspection section) or remove 'inspect'")
        return
    modes = ("inspection", "modes")
    public = [t for t, s in bp.tiers.items() if s.exposure == "public"]
    if "ingress" in spec.modes and not public:
        report.add("inspection-mode", (*modes, spec.modes.index("ingress")),
                   "inspection mode 'ingress' needs a public tier (the firewall sits between "
                   "the internet gateway and the public subnets); this blueprint has none",
                   "remove 'ingress', or make the internet-facing tier 'exposure: public'")
    if "egress" in spec.modes:
        where = (*modes, spec.modes.index("egress"))
        if nat_tier_of(bp) is None:
            report.add("inspection-mode", where,
                       "inspection mode 'egress' routes private tiers through the firewall "
                       "to a NAT gateway; this blueprint has none (nat: none or no public "
                       "tier)", "set 'nat: per_az' (or single) with a public tier, or "
                       "remove 'egress'")
        if not any(bp.tiers[f.src].exposure == "private" for _, f in flows
                   if f.dst == INTERNET and f.src in bp.tiers):
            report.add("inspection-mode", where,
                       "inspection mode 'egress' inspects private tiers' traffic to the "
                       "internet; no private tier has a flow to 'internet'",
                       "add the private tier's flow to internet, or remove 'egress'")
    if spec.egress_domains and "egress" not in spec.modes:
        report.add("inspection-domains", ("inspection", "egress_domains"),
                   "egress_domains filter egress, but inspection mode 'egress' is off",
                   "add 'egress' to inspection.modes, or remove egress_domains", at_key=True)
    for index, domain in enumerate(spec.egress_domains):
        if not _DOMAIN.fullmatch(domain) or len(domain) > 253:
            report.add("inspection-domains", ("inspection", "egress_domains", index),
                       f"{_shown(domain)!r} is not a domain name", "write a lower-case "
                       "name such as 'updates.example.com', or '.example.com' for it and "
                       "every subdomain")
    sids: dict[int, int] = {}
    for index, rule in enumerate(spec.rules):
        match = _RULE_HEADER.fullmatch(rule.strip())
        sid = _SID.search(match.group("options")) if match else None
        if match is None or sid is None:
            report.add("inspection-rule", ("inspection", "rules", index),
                       f"rule {index + 1} is not a Suricata rule with a sid: "
                       f"{_shown(rule)!r}", "write 'action proto src sport -> dst dport "
                       "(msg:\"...\"; sid:N; rev:1;)' with action pass, drop, reject or "
                       "alert")
            continue
        number = int(sid.group(1))
        first = sids.setdefault(number, index)
        if first != index:
            report.add("inspection-rule", ("inspection", "rules", index),
                       f"rules {first + 1} and {index + 1} both use sid {number}",
                       "give every rule its own sid")
        elif not 1 <= number < _FLOW_SID_FIRST:
            report.add("inspection-rule", ("inspection", "rules", index),
                       f"sid {number} is outside 1-{_FLOW_SID_FIRST - 1} (Tierform numbers "
                       "the flows' own pass rules from there)", "choose a smaller sid")
    if spec.logging and bp.flow_logs is None:
        report.add("inspection-logging", ("inspection", "logging"),
                   "Network Firewall logs go to the blueprint's flow-log destination; the "
                   "blueprint has no 'flow_logs'", "add 'flow_logs: {destination: ...}', or "
                   "remove inspection.logging", at_key=True)
    for index, log_type in enumerate(spec.logging):
        if spec.logging.index(log_type) != index:
            report.add("inspection-logging", ("inspection", "logging", index),
                       f"log type {log_type!r} is listed twice", "list each log type once")
    if bp.vpc.ipv6 is not None:
        report.add("inspection-ipv6", ("inspection",),
                   "inspection routes IPv4 only: in a dual-stack VPC the tiers' ::/0 routes "
                   "would bypass the firewall", "remove vpc.ipv6, or the inspection block",
                   at_key=True)
    routing = inspection_routing(bp)
    if routing is None:
        return
    nat_tier = nat_tier_of(bp)
    for index, flow in flows:
        # Egress alone: the NAT subnets route the inspected private subnets through the
        # firewall (the return path), so traffic between those tiers would cross it one way.
        if (not routing.egress_after_nat and nat_tier is not None
                and {flow.src, flow.dst} & {nat_tier}
                and {flow.src, flow.dst} & set(routing.private)):
            report.add("inspection-asymmetric", ("flows", index),
                       f"flow {flow.flow_id} joins the NAT gateways' tier '{nat_tier}' and an "
                       "egress-inspected tier: with mode 'egress' alone, the NAT subnets "
                       "route that tier's subnets through the firewall (the return path of "
                       "egress), so this flow would cross the firewall one way only",
                       "add 'ingress' to inspection.modes (egress is then inspected after "
                       "NAT), or opt the private tier's internet flows out (inspect: false)")
        # East-west between the NAT gateways' tier and a private tier that uses them: the
        # NAT subnets would route that tier's subnets to the firewall, so the replies of its
        # internet traffic (sent out to the NAT directly) would cross the firewall one way.
        elif ((pair := routing.pair(flow.src, flow.dst)) is not None
              and nat_tier is not None and nat_tier in pair
              and any(bp.tiers[t].exposure == "private" for t in pair if t != nat_tier)
              and spec.mode_of(flow, bp.tiers) == "east-west"):
            other = next(t for t in pair if t != nat_tier)
            report.add("inspection-asymmetric", ("flows", index),
                       f"flow {flow.flow_id} would route tiers '{nat_tier}' (the NAT "
                       f"gateways' tier) and '{other}' (private: its internet traffic goes "
                       "out through those NAT gateways) through the firewall east-west; the "
                       "NAT subnets would then send the replies to tier "
                       f"'{other}''s internet traffic through the firewall, which never saw "
                       "that traffic leave (asymmetric: its stateful engine drops them)",
                       f"set 'inspect: false' on the flows between '{nat_tier}' and "
                       f"'{other}' (the ACLs and groups still filter them)")
    for index, flow in flows:
        mode = spec.mode_of(flow, bp.tiers)
        path = ("flows", index, "inspect")
        if mode is None:
            if flow.inspect:
                goes = (f"stays inside tier '{flow.src}': traffic inside one subnet meets "
                        "no route table" if flow.src == flow.dst
                        else "goes to a named network or an AWS service")
                report.add("inspect-unsupported", path,
                           f"flow {flow.flow_id} never crosses the firewall (it {goes}): "
                           "it cannot be inspected", "remove 'inspect'")
            continue
        if flow.inspect and mode not in spec.modes:
            report.add("inspect-mode-off", path,
                       f"flow {flow.flow_id} asks to be inspected, but its mode '{mode}' "
                       f"({_MODE_WORDS[mode]}) is not in inspection.modes",
                       f"add '{mode}' to inspection.modes, or remove 'inspect: true'")
            continue
        wanted, crossing = spec.inspects(flow, bp.tiers), crosses(bp, routing, flow)
        if mode == "east-west":
            if crossing and not wanted:
                a, b = routing.pair(flow.src, flow.dst) or (flow.src, flow.dst)
                report.add("inspect-per-subnet", path,
                           f"flow {flow.flow_id} opts out of inspection, but another flow "
                           f"between tiers '{a}' and '{b}' is inspected: east-west routes "
                           "are per subnet pair (each subnet's table sends the other tier's "
                           "subnets to the firewall), so it would be inspected anyway",
                           f"set the same 'inspect' on every flow between '{a}' and '{b}'")
            continue
        tier = flow.src if flow.src in bp.tiers else flow.dst
        if crossing and not wanted:
            via = (f"the NAT gateways' tier '{nat_tier_of(bp)}' routes"
                   if mode == "egress" and routing.egress_after_nat
                   else f"tier '{tier}' routes")
            report.add("inspect-per-subnet", path,
                       f"flow {flow.flow_id} opts out of inspection, but {via} its internet "
                       "traffic through the firewall for the other flows (routes are per "
                       "subnet, not per flow): it would be inspected anyway",
                       "set 'inspect: false' on every flow that crosses those subnets, or "
                       "remove it here")
        elif wanted and not crossing and flow.inspect is not None:
            report.add("inspect-unsupported", path,
                       f"flow {flow.flow_id} asks to be inspected, but its path does not "
                       "cross the firewall under the routing the modes derive",
                       "see the README's inspection section for the paths of each mode")


_FLOW_SID_FIRST = 1_000_000_000
"""The flows' own pass rules take sids from here (``tierform.layout.inspection``)."""

"""Terraform JSON -> Network: the one assembler behind the plan and state readers.

Both readers reduce their JSON to resource *instances* plus a *wiring* that says
which things an attribute points to. In state the wiring is the AWS ids themselves
(``readers/state.py``); in a plan it comes from configuration references
(``readers/plan.py`` over ``readers/resolver.py``). :func:`assemble` turns instances +
wiring into a :class:`Network`, one resource kind after another, applying the AWS
defaults the model promises (main route table, default NACL, default security group).

Each step is a function of the instances and of the parts before it, passed in and
returned: what a step needs is in its signature. The only shared state is the log of
wiring that could not be read, in reading order.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from ipaddress import IPv4Network, ip_network
from typing import Any, Protocol

from tierform.aws import ANYWHERE, IPV6_NATIVE_STAND_IN, normalise_protocol
from tierform.errors import ReadError
from tierform.network.firewall_rules import policy_variables, rule_group
from tierform.network.ipv6 import AMAZON_PREFIXLEN, parse_ipv6, symbolic_base
from tierform.network.model import (
    DEFAULT_NACL_ID,
    MAIN_ROUTE_TABLE_ID,
    Appliance,
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
    Peering,
    Route,
    RouteKind,
    RouteTable,
    SecurityGroup,
    SgRule,
    Source,
    Subnet,
    TargetGroup,
    Unresolved,
    Vpc,
    aws_default_nacl,
    firewall_endpoint_key,
    named_networks_of,
    port_range,
)
from tierform.network.routes import ROUTE_TARGETS, gateway_kind
from tierform.network.tags import TIER_TAG, tag

__all__ = [
    "DEFAULT_SECURITY_GROUP_ID",
    "IPV6_NATIVE_STAND_IN",
    "NACL_BLOCK",
    "ROUTE_BLOCK",
    "SG_BLOCK",
    "VPC_DEFAULT_ATTRS",
    "Instance",
    "Wiring",
    "assemble",
    "cidr_text",
    "load_document",
    "qualify_shared_tiers",
    "routes_by_prefix_list",
    "rules_by_prefix_list",
    "whole_number",
]


DEFAULT_SECURITY_GROUP_ID = "default_security_group"
"""Id of the VPC's default security group when a plan does not manage it."""

# Attributes of aws_vpc that name the VPC's own default objects.
VPC_DEFAULT_ATTRS = (
    "default_network_acl_id",
    "default_route_table_id",
    "main_route_table_id",
    "default_security_group_id",
)

# Route target attribute -> route kind (network/routes.py, shared with the live reader);
# gateway_id is split by what it names.
_ROUTE_TARGETS: dict[str, RouteKind | None] = {t.attribute: t.kind for t in ROUTE_TARGETS}
ROUTE_TARGET_TYPES: dict[str, tuple[str, ...]] = {t.attribute: t.types for t in ROUTE_TARGETS}
_ROUTE_DESTINATIONS = (
    "cidr_block", "ipv6_cidr_block", "destination_prefix_list_id",
    "destination_cidr_block", "destination_ipv6_cidr_block",
)
_SG_TYPES = ("aws_security_group", "aws_default_security_group")

# Fields of inline blocks -> resource types an unknown field may reference (() = must be known).
ROUTE_BLOCK: dict[str, tuple[str, ...]] = {
    "cidr_block": (), "ipv6_cidr_block": (), "destination_prefix_list_id": (),
    **{t.attribute: t.types for t in ROUTE_TARGETS if t.inline},
}
SG_BLOCK: dict[str, tuple[str, ...]] = {
    "cidr_blocks": (), "ipv6_cidr_blocks": (), "prefix_list_ids": ("aws_ec2_managed_prefix_list",),
    "security_groups": _SG_TYPES, "self": (), "protocol": (), "from_port": (), "to_port": (),
}
NACL_BLOCK: dict[str, tuple[str, ...]] = {
    "cidr_block": (), "ipv6_cidr_block": (), "protocol": (), "rule_no": (), "action": (),
    "from_port": (), "to_port": (),
}


@dataclass(frozen=True)
class Instance:
    """One resource instance: its full address, type, attribute values and Network key.

    ``module`` is the module path (``module.net``; ``""`` for root or state): keys in
    the chosen VPC's module are made relative to it.
    """

    address: str
    type: str
    values: Mapping[str, Any]
    key: str
    source: str
    module: str = ""


class Wiring(Protocol):
    """How attribute values that point at other resources are read."""

    def ids(self, inst: Instance, attr: str, *, scalar: bool) -> list[str] | Unresolved:
        """Keys (or literal values, e.g. a CIDR) the attribute holds or references."""
        ...

    def blocks(self, inst: Instance, attr: str,
               ref_fields: Mapping[str, tuple[str, ...]]) -> list[dict[str, Any]] | Unresolved:
        """Inline blocks; unknown fields in ``ref_fields`` are filled with keys, else
        the element carries ``{"__unresolved__": reason}``."""
        ...


# ------------------------------------------------------------------ reading

@dataclass(frozen=True)
class _Read:
    """The instances by type and by key, their wiring, and the log of what could not be read.

    ``unresolved`` only grows; its order is the order of reading, which ``assemble`` fixes.
    """

    by_type: Mapping[str, Sequence[Instance]]
    by_key: Mapping[str, Instance]
    wiring: Wiring
    unresolved: list[Unresolved]

    @classmethod
    def of(cls, instances: Sequence[Instance], wiring: Wiring) -> _Read:
        by_type: dict[str, list[Instance]] = defaultdict(list)
        for inst in instances:
            by_type[inst.type].append(inst)
        by_key = {i.key: i for group in by_type.values() for i in group}
        return cls(by_type, by_key, wiring, [])

    def kind(self, kind: str) -> Sequence[Instance]:
        return self.by_type.get(kind, ())

    def ids(self, inst: Instance, attr: str, *, scalar: bool = True) -> list[str] | None:
        """What the attribute points at; None (and a note) when that cannot be read."""
        got = self.wiring.ids(inst, attr, scalar=scalar)
        if isinstance(got, Unresolved):
            self.unresolved.append(got)
            return None
        if scalar and len(got) > 1:
            self.unresolved.append(Unresolved(inst.address, attr, "several candidates"))
            return None
        return got

    def one(self, inst: Instance, attr: str) -> str | None:
        got = self.ids(inst, attr)
        if not got:
            if got is not None:
                self.unresolved.append(Unresolved(inst.address, attr, "not set"))
            return None
        return got[0]

    def blocks(self, inst: Instance, attr: str,
               ref_fields: Mapping[str, tuple[str, ...]]) -> Iterator[tuple[int, dict[str, Any]]]:
        """Inline blocks that could be read, with their index; the rest are noted."""
        got = self.wiring.blocks(inst, attr, ref_fields)
        if isinstance(got, Unresolved):
            self.unresolved.append(got)
            return
        for index, block in enumerate(got):
            reason = block.get("__unresolved__")
            if reason:
                self.unresolved.append(Unresolved(inst.address, f"{attr}[{index}]", reason))
                continue
            yield index, block

    def fill(self, inst: Instance, attrs: Sequence[str]) -> dict[str, Any]:
        """Values with unknown reference attributes replaced by their resolved keys."""
        values = dict(inst.values)
        for attr in attrs:
            if attr in values:
                continue
            got = self.ids(inst, attr, scalar=not attr.endswith("s"))
            values[attr] = [] if got is None else got
        return values

    def owned(self, kind: str, attr: str, owners: Collection[str], *, scalar: bool = True
              ) -> Iterator[tuple[Instance, list[str]]]:
        """Instances of ``kind`` whose ``attr`` points at one of ``owners``, with those owners."""
        for inst in self.kind(kind):
            targets = self.ids(inst, attr, scalar=scalar)
            if targets is None:
                continue
            inside = [t for t in targets if t in owners]
            if inside:
                yield inst, inside


@dataclass(frozen=True)
class _Vpc:
    """The VPC read: its instance, CIDRs, module prefix, and which keys name it.

    ``owner_of`` maps the keys of every VPC, and of each VPC's default objects, to the
    VPC's key; ``prefix`` (``module.net.``) is cut from keys inside the VPC's module.
    """

    instance: Instance | None
    cidrs: tuple[IPv4Network, ...]
    owner_of: Mapping[str, str]
    ipv6: tuple[str, ...] = ()
    """IPv6 blocks: CIDRs, or the symbol of an Amazon-provided /56 unknown at plan time."""
    several: bool = False
    """The input holds several VPCs: keys stay whole (two modules may use the same
    relative addresses) and every object carries its VPC."""

    @property
    def key(self) -> str:
        return self.instance.key if self.instance is not None else ""

    @property
    def prefix(self) -> str:
        if self.several:
            return ""
        return f"{self.instance.module}." if self.instance and self.instance.module else ""

    @property
    def tag(self) -> str | None:
        """The VPC key its objects carry (None: the input's only VPC)."""
        return self.key if self.several else None

    def rel(self, key: str) -> str:
        """Key relative to the VPC's module: ``module.net.x.a`` -> ``x.a``."""
        prefix = self.prefix
        return key[len(prefix):] if prefix and key.startswith(prefix) else key

    def value(self, attr: str) -> str | None:
        """A known attribute of the VPC (e.g. its real main route table id)."""
        got = self.instance.values.get(attr) if self.instance is not None else None
        return str(got) if got else None

    def members(self, read: _Read, kind: str, attr: str = "vpc_id") -> Iterator[Instance]:
        """Instances of ``kind`` that belong to this VPC (through ``attr``)."""
        for inst in read.kind(kind):
            owner = read.ids(inst, attr)
            if owner is None:
                continue
            if any(self.owner_of.get(o) == self.key for o in owner):
                yield inst


# ------------------------------------------------------------------- steps

def _own(key: str, vpc: _Vpc) -> str:
    """The key of an unmanaged default object (main table, default NACL or group): the
    model's constant, made the VPC's own when the input holds several."""
    return f"{key}@{vpc.key}" if vpc.several else key


def _all_vpcs(read: _Read) -> list[_Vpc]:
    """Every VPC, the one with the most subnets first (the first on ties)."""
    vpcs = read.kind("aws_vpc")
    owner_of: dict[str, str] = {}
    for each in vpcs:
        owner_of[each.key] = each.key
        for attr in VPC_DEFAULT_ATTRS:
            value = each.values.get(attr)
            owner_of[str(value) if value else f"{each.key}.{attr}"] = each.key
    counts: dict[str, int] = defaultdict(int)
    for subnet in read.kind("aws_subnet"):
        got = read.wiring.ids(subnet, "vpc_id", scalar=True)  # counted, not noted: read later
        if not isinstance(got, Unresolved):
            for owner in got:
                counts[owner_of.get(owner, "")] += 1
    if not vpcs:
        return [_Vpc(None, (), owner_of)]
    ordered = sorted(vpcs, key=lambda v: -counts.get(v.key, 0))  # stable: first on ties
    found = []
    for chosen in ordered:
        given = chosen.values.get("cidr_block")
        cidrs = [IPv4Network(cidr_text(given, chosen.address, "cidr_block"))] \
            if given is not None and given != "" else []
        if not cidrs:
            read.unresolved.append(Unresolved(chosen.address, "cidr_block",
                                              "unknown (IPAM or computed)"))
        vpc = _Vpc(chosen, (), owner_of, several=len(vpcs) > 1)
        for assoc in vpc.members(read, "aws_vpc_ipv4_cidr_block_association"):
            if assoc.values.get("cidr_block") not in (None, ""):
                cidrs.append(IPv4Network(cidr_text(assoc.values["cidr_block"], assoc.address,
                                                   "cidr_block")))
            else:
                read.unresolved.append(Unresolved(assoc.address, "cidr_block", "unknown"))
        found.append(replace(vpc, cidrs=tuple(cidrs), ipv6=_vpc_ipv6(read, vpc, chosen)))
    return found


def _vpc_ipv6(read: _Read, vpc: _Vpc, chosen: Instance) -> tuple[str, ...]:
    """The VPC's IPv6 blocks (N4): known ones as they are; an Amazon-provided one that is
    unknown at plan time as its symbol, and so an IPAM-allocated one of that length (/56);
    an IPAM-allocated unknown one of another or no length is unresolved."""
    found: list[str] = []

    def one(inst: Instance, generated: bool) -> None:
        value = inst.values.get("ipv6_cidr_block")
        if value or "ipv6_cidr_block" in inst.values:  # known (empty: no IPv6 block)
            if value:
                found.append(str(value))
        elif inst.values.get("ipv6_ipam_pool_id"):
            length = inst.values.get("ipv6_netmask_length")
            if length == AMAZON_PREFIXLEN and not isinstance(length, bool):
                # A /56 from a pool: as unknown as Amazon's, and as symbolic (N4).
                found.append(symbolic_base(inst.key))
            else:
                read.unresolved.append(Unresolved(
                    inst.address, "ipv6_cidr_block",
                    "unknown (allocated from an IPAM pool"
                    + (f", /{length}: only a /56 is read symbolically)"
                       if isinstance(length, int) and not isinstance(length, bool)
                       else ", its length not given)")))
        elif generated:
            found.append(symbolic_base(inst.key))
        elif inst.type != "aws_vpc":  # a VPC asks for no IPv6 block unless told to
            read.unresolved.append(Unresolved(inst.address, "ipv6_cidr_block", "unknown"))

    one(chosen, bool(chosen.values.get("assign_generated_ipv6_cidr_block")))
    for assoc in vpc.members(read, "aws_vpc_ipv6_cidr_block_association"):
        one(assoc, bool(assoc.values.get("assign_generated_ipv6_cidr_block")))
    return tuple(found)


def _subnets(read: _Read, vpc: _Vpc, tier_tag: str) -> tuple[frozenset[str], dict[str, Subnet]]:
    """(keys of every subnet in the VPC, the subnets whose CIDR is known)."""
    keys: set[str] = set()
    subnets: dict[str, Subnet] = {}
    for inst in vpc.members(read, "aws_subnet"):
        keys.add(inst.key)
        native = bool(inst.values.get("ipv6_native"))
        cidr = IPV6_NATIVE_STAND_IN if native else inst.values.get("cidr_block")
        if cidr is None or cidr == "":
            read.unresolved.append(Unresolved(inst.address, "cidr_block", "unknown"))
            continue
        subnets[inst.key] = Subnet(
            id=vpc.rel(inst.key), cidr=IPv4Network(cidr_text(cidr, inst.address, "cidr_block")),
            az=inst.values.get("availability_zone") or None,
            tier=tag(inst.values, tier_tag), name=tag(inst.values, "Name"),
            map_public_ip=bool(inst.values.get("map_public_ip_on_launch")),
            source=inst.source, ipv6_cidr=_subnet_ipv6(read, inst),
            assign_ipv6=bool(inst.values.get("assign_ipv6_address_on_creation")),
            ipv6_native=native, vpc=vpc.tag)
    return frozenset(keys), subnets


def _subnet_ipv6(read: _Read, inst: Instance) -> str | None:
    """A subnet's IPv6 block: known, else what the configuration carves it from (a
    symbolic prefix of the VPC's block); anything else is unresolved (N4)."""
    if "ipv6_cidr_block" in inst.values:
        return str(inst.values["ipv6_cidr_block"] or "") or None
    got = read.ids(inst, "ipv6_cidr_block")
    if not got:
        return None
    if parse_ipv6(got[0]) is None:
        read.unresolved.append(Unresolved(inst.address, "ipv6_cidr_block",
                                          f"{got[0]!r} is not an IPv6 prefix"))
        return None
    return got[0]


def _gateways(read: _Read, vpc: _Vpc, subnet_keys: Collection[str]
              ) -> tuple[dict[str, InternetGateway], dict[str, NatGateway]]:
    igws = {vpc.rel(inst.key): InternetGateway(vpc.rel(inst.key), inst.source)
            for inst in vpc.members(read, "aws_internet_gateway")}
    for inst in vpc.members(read, "aws_internet_gateway_attachment"):
        for gateway in read.ids(inst, "internet_gateway_id") or []:
            found = read.by_key.get(gateway)
            igws[vpc.rel(gateway)] = InternetGateway(
                vpc.rel(gateway), found.source if found else inst.source)
    nats: dict[str, NatGateway] = {}
    for inst, subnets in read.owned("aws_nat_gateway", "subnet_id", subnet_keys):
        # connectivity_type "private": an internet gateway drops its traffic (R4).
        public = (inst.values.get("connectivity_type") or "public") == "public"
        nats[vpc.rel(inst.key)] = NatGateway(vpc.rel(inst.key), vpc.rel(subnets[0]),
                                             public, inst.source)
    return igws, nats


_APPLIANCE_GROUPS = {"aws_network_interface": "security_groups",
                     "aws_instance": "vpc_security_group_ids"}


def _appliances(read: _Read, vpc: _Vpc, subnet_keys: Collection[str],
                targets: Collection[str]) -> dict[str, Appliance]:
    """R14: the network interfaces and instances some route of the VPC names, by every id
    a route may name them by (an instance also by its primary interface): their subnet,
    groups and source/destination check. What cannot be read stays None (unknown)."""
    found: dict[str, Appliance] = {}
    attached: dict[str, list[str]] = defaultdict(list)
    unreadable: set[str] = set()
    eni_keys = {i.key for i in read.kind("aws_network_interface")}
    for assoc, owner in read.owned("aws_network_interface_sg_attachment",
                                   "network_interface_id", eni_keys):
        group = read.one(assoc, "security_group_id")
        if group is None:
            unreadable.add(owner[0])
        else:
            attached[owner[0]].append(group)
    for kind, groups_attr in _APPLIANCE_GROUPS.items():
        for inst in read.kind(kind):
            primary = str(inst.values.get("primary_network_interface_id") or "")
            names = [vpc.rel(inst.key), *([vpc.rel(primary)] if primary else [])]
            if not any(name in targets for name in names):
                continue
            subnets = read.ids(inst, "subnet_id")
            if not subnets or subnets[0] not in subnet_keys:
                continue  # in no subnet of this VPC: the route's target stays unknown
            groups = read.ids(inst, groups_attr, scalar=False)
            if kind == "aws_instance" and inst.values.get("security_groups"):
                groups = None  # named groups (EC2-Classic style): not read by id
            if groups is not None:
                groups = groups + attached.get(inst.key, [])
            if not groups or inst.key in unreadable:
                groups = None  # none given: AWS adds the VPC's default group, not read here
            check = inst.values.get("source_dest_check")
            appliance = Appliance(
                vpc.rel(inst.key), vpc.rel(subnets[0]),
                None if groups is None else tuple(dict.fromkeys(vpc.rel(g) for g in groups)),
                check if isinstance(check, bool) else None, inst.source)
            found.update(dict.fromkeys(names, appliance))
    return found


_POLICY_DEFAULTS = {"stateless_default_actions": ("aws:forward_to_sfe",),
                    "stateless_fragment_default_actions": ("aws:forward_to_sfe",)}


def _nested_key(read: _Read, inst: Instance, path: str, value: Any) -> str | None:
    """A reference inside nested blocks (a policy's rule group ARN): the value when known,
    else what the wiring says it names; None (noted) when it cannot be read."""
    if isinstance(value, str) and value:
        return value
    nested = getattr(read.wiring, "nested", None)
    got = nested(inst, path) if nested is not None else Unresolved(
        inst.address, path, "unknown")
    if isinstance(got, Unresolved):
        read.unresolved.append(got)
        return None
    if len(got) != 1:
        read.unresolved.append(Unresolved(inst.address, path, "not one rule group"))
        return None
    return str(got[0])


def _firewall_policies(read: _Read) -> tuple[dict[str, FirewallPolicy],
                                               dict[str, FirewallRuleGroup]]:
    """R15: every firewall policy and rule group of the input (they are VPC-free)."""
    policies: dict[str, FirewallPolicy] = {}
    for inst in read.kind("aws_networkfirewall_firewall_policy"):
        body = _block(inst.values.get("firewall_policy"))
        refs: dict[str, list[tuple[int, str]]] = {"stateful": [], "stateless": []}
        for kind in refs:
            blocks = body.get(f"{kind}_rule_group_reference") or []
            for index, ref in enumerate(blocks if isinstance(blocks, list) else []):
                key = _nested_key(read, inst, f"firewall_policy.0.{kind}_rule_group_reference."
                                              f"{index}.resource_arn", ref.get("resource_arn"))
                priority = ref.get("priority")
                refs[kind].append((priority if isinstance(priority, int) else index,
                                   key if key is not None else
                                   f"{inst.key} {kind} group {index} (not read)"))
        order = str(_block(body.get("stateful_engine_options")).get("rule_order") or "")

        policies[inst.key] = FirewallPolicy(
            inst.key, _actions(body, "stateless_default_actions"),
            _actions(body, "stateless_fragment_default_actions"),
            tuple(k for _, k in sorted(refs["stateless"], key=lambda r: r[0])),
            tuple(k for _, k in sorted(refs["stateful"], key=lambda r: r[0])),
            _actions(body, "stateful_default_actions"), order == "STRICT_ORDER", inst.source,
            policy_variables(_block(body.get("policy_variables"))))
    groups = {inst.key: rule_group(inst.key, inst.values, inst.source)
              for inst in read.kind("aws_networkfirewall_rule_group")}
    return policies, groups


def _actions(body: Mapping[str, Any], name: str) -> tuple[str, ...]:
    value = body.get(name)
    return tuple(str(v) for v in value) if isinstance(value, list) and value else \
        _POLICY_DEFAULTS.get(name, ())


def _block(value: Any) -> Mapping[str, Any]:
    if isinstance(value, list):
        return value[0] if value and isinstance(value[0], Mapping) else {}
    return value if isinstance(value, Mapping) else {}


def _firewalls(read: _Read, vpc: _Vpc, subnets: Mapping[str, Subnet], *, plan: bool
               ) -> dict[str, Firewall]:
    """R15: the VPC's firewalls: their subnet per AZ, endpoint per AZ (known after apply;
    in a plan the symbol of that firewall's endpoint in that AZ) and policy."""
    found: dict[str, Firewall] = {}
    for inst in vpc.members(read, "aws_networkfirewall_firewall"):
        key = vpc.rel(inst.key)
        mapped: list[tuple[str, str]] = []
        for _, block in read.blocks(inst, "subnet_mapping", {"subnet_id": ("aws_subnet",)}):
            subnet = subnets.get(vpc.rel(str(block.get("subnet_id") or "")))
            if subnet is None or subnet.az is None:
                read.unresolved.append(Unresolved(inst.address, "subnet_mapping",
                                                  "a mapped subnet (or its AZ) is not read"))
                continue
            mapped.append((subnet.az, subnet.id))
        status = _block(inst.values.get("firewall_status"))
        endpoints: list[tuple[str, str]] = []
        for state in status.get("sync_states") or []:
            endpoint = str(_block(state.get("attachment")).get("endpoint_id") or "")
            if endpoint and state.get("availability_zone"):
                endpoints.append((str(state["availability_zone"]), endpoint))
        if not endpoints and plan:
            endpoints = [(az, vpc.rel(firewall_endpoint_key(inst.key, az))) for az, _ in mapped]
        policy = read.one(inst, "firewall_policy_arn")
        found[key] = Firewall(key, tuple(sorted(mapped)), tuple(sorted(endpoints)), policy,
                              inst.source, vpc.tag)
    return found


def _target_kind(read: _Read, attr: str, target: str, *, prefix_list: bool) -> RouteKind:
    kind = _ROUTE_TARGETS[attr]
    if kind is not None:
        return kind
    inst = read.by_key.get(target) if target != "local" else None
    return gateway_kind(target, resource_type=inst.type if inst is not None else None,
                        prefix_list=prefix_list)


def _route(read: _Read, vpc: _Vpc, values: Mapping[str, Any], source: str,
           address: str) -> Route | None:
    destination = next((str(values[d]) for d in _ROUTE_DESTINATIONS if values.get(d)), None)
    if destination is None:
        read.unresolved.append(Unresolved(address, "destination", "unknown"))
        return None
    for attr in _ROUTE_TARGETS:
        target = values.get(attr)
        if target:
            prefix_list = not any(values.get(d) for d in _ROUTE_DESTINATIONS
                                  if d != "destination_prefix_list_id")
            return Route(destination, _target_kind(read, attr, str(target),
                                                   prefix_list=prefix_list),
                         vpc.rel(str(target)), source)
    if values.get("blackhole") or values.get("state") == "blackhole":
        return Route(destination, "blackhole", None, source)
    read.unresolved.append(Unresolved(address, "target", "no known target"))
    return None


def _route_values(read: _Read, inst: Instance) -> dict[str, Any]:
    """An aws_route's values with its unknown target filled in from the wiring."""
    values = dict(inst.values)
    for attr in ("destination_prefix_list_id",):  # a prefix list created with the route
        if attr not in values:
            got = read.wiring.ids(inst, attr, scalar=True)
            if isinstance(got, Unresolved):
                read.unresolved.append(got)
            elif got:
                values[attr] = got[0]
    if "destination_ipv6_cidr_block" not in values:
        # Unknown at plan time: a VPC's Amazon-provided block (a peer VPC's, R13) or a
        # cidrsubnet() of it reads as its symbolic prefix (N4); anything else is unresolved.
        got = read.wiring.ids(inst, "destination_ipv6_cidr_block", scalar=True)
        if isinstance(got, Unresolved):
            read.unresolved.append(got)
        elif got and parse_ipv6(got[0]) is not None:
            values["destination_ipv6_cidr_block"] = got[0]
        elif got:
            read.unresolved.append(Unresolved(inst.address, "destination_ipv6_cidr_block",
                                              f"{got[0]!r} is not an IPv6 prefix"))
    for attr, types in ROUTE_TARGET_TYPES.items():
        if attr in values or not types:
            continue  # known (or null) at plan time
        got = read.wiring.ids(inst, attr, scalar=True)
        if isinstance(got, Unresolved):
            read.unresolved.append(got)
        elif got:
            values[attr] = got[0]
    return values


def routes_by_prefix_list(route: Route, lists: Mapping[str, list[str]]) -> list[Route]:
    """A route to a managed prefix list read from the input: one route per CIDR of the list
    (R11); any other route as it is."""
    if route.kind == "endpoint" or route.destination not in lists:
        return [route]
    return [replace(route, destination=cidr,
                    source=f"{route.source} (prefix list {route.destination})")
            for cidr in lists[route.destination]]


def _route_tables(read: _Read, vpc: _Vpc, tier_tag: str, lists: Mapping[str, list[str]]
                  ) -> dict[str, RouteTable]:
    """Route tables by key, with their routes and subnets, and the main table."""
    routes: dict[str, list[Route]] = {}
    meta: dict[str, tuple[Instance, bool]] = {}
    for inst in vpc.members(read, "aws_route_table"):
        routes[inst.key], meta[inst.key] = [], (inst, False)
    for inst in vpc.members(read, "aws_default_route_table", "default_route_table_id"):
        routes[inst.key], meta[inst.key] = [], (inst, True)
    # Separate aws_route resources first: their addresses are the better source.
    for inst, owner in read.owned("aws_route", "route_table_id", meta):
        route = _route(read, vpc, _route_values(read, inst), inst.source, inst.address)
        if route is not None:
            routes[owner[0]] += routes_by_prefix_list(route, lists)
    for key, (inst, _) in meta.items():
        for index, block in read.blocks(inst, "route", ROUTE_BLOCK):
            route = _route(read, vpc, block, f"{inst.source} route[{index}]", inst.address)
            for each in routes_by_prefix_list(route, lists) if route is not None else []:
                if all(r.destination != each.destination for r in routes[key]):
                    routes[key].append(each)
    subnets: dict[str, set[str]] = defaultdict(set)
    gateways: dict[str, set[str]] = defaultdict(set)
    for inst, owner in read.owned("aws_route_table_association", "route_table_id", meta):
        edge = read.ids(inst, "gateway_id")
        if edge:  # an edge association (R15): the gateway's way in
            gateways[owner[0]].add(edge[0])
            continue
        subnet = read.one(inst, "subnet_id")
        if subnet is not None:
            subnets[owner[0]].add(subnet)
    main: set[str] = {k for k, (_, is_default) in meta.items() if is_default}
    for _assoc, owner in read.owned("aws_main_route_table_association", "route_table_id",
                                    meta):
        main = {owner[0]}  # AWS moves the "main" flag to this table
    tables = {key: RouteTable(
        id=vpc.rel(key), routes=tuple(routes[key]),
        subnet_ids=frozenset(vpc.rel(s) for s in subnets[key]),
        gateway_ids=frozenset(vpc.rel(g) for g in gateways[key]),
        is_main=key in main, tier=tag(inst.values, tier_tag),
        name=tag(inst.values, "Name"), source=inst.source, vpc=vpc.tag)
        for key, (inst, _) in meta.items()}
    if not main:
        real = vpc.value("main_route_table_id")
        key = real or _own(MAIN_ROUTE_TABLE_ID, vpc)
        tables[key] = RouteTable(
            key, is_main=True, name="main", vpc=vpc.tag,
            source=f"VPC main route table{f' {key}' if real else ''} "
                   "(unmanaged: AWS local routes only)")
    return tables


def _endpoints(read: _Read, vpc: _Vpc, tables: Mapping[str, RouteTable]
               ) -> tuple[dict[str, GatewayEndpoint], dict[str, RouteTable]]:
    """Gateway endpoints, and the route tables with the prefix-list route each adds (R5)."""
    members = list(vpc.members(read, "aws_vpc_endpoint"))
    # vpc_endpoint_type defaults to "Gateway"; Interface endpoints do not route.
    gateways = [inst for inst in members
                if (inst.values.get("vpc_endpoint_type") or "Gateway") == "Gateway"]
    extra: dict[str, set[str]] = defaultdict(set)
    for assoc, owner in read.owned("aws_vpc_endpoint_route_table_association",
                                   "vpc_endpoint_id", {m.key for m in members}):
        table = read.one(assoc, "route_table_id")
        if table is not None:
            extra[owner[0]].add(table)
    found: dict[str, GatewayEndpoint] = {}
    routed = dict(tables)
    for inst in gateways:
        ids = set(read.ids(inst, "route_table_ids", scalar=False) or []) | extra[inst.key]
        service = str(inst.values.get("service_name") or "")
        listed = inst.values.get("prefix_list_id")
        cidrs = inst.values.get("cidr_blocks")  # known once applied (state), else not read
        found[inst.key] = GatewayEndpoint(
            vpc.rel(inst.key), service, frozenset(vpc.rel(t) for t in ids), inst.source,
            listed if isinstance(listed, str) and listed else inst.key,
            tuple(str(c) for c in cidrs) if isinstance(cidrs, list) and cidrs
            and all(isinstance(c, str) and c for c in cidrs) else None)
        for table in ids:
            if table in routed:
                old = routed[table]
                route = Route(service, "endpoint", vpc.rel(inst.key), inst.source)
                routed[table] = replace(old, routes=(*old.routes, route))
    return found, routed


def _first(value: Any) -> str:
    """A scalar attribute's value, filled (a list of one) or as it is."""
    if isinstance(value, list):
        return str(value[0]) if len(value) == 1 and value[0] else ""
    return str(value) if value else ""


_LB_TYPES = ("aws_lb", "aws_alb")
_LISTENER_TYPES = ("aws_lb_listener", "aws_alb_listener")
_TARGET_GROUP_TYPES = ("aws_lb_target_group", "aws_alb_target_group")


def _port(value: Any) -> int | None:
    """A port attribute as Terraform writes it (a number, or text for health checks)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


def _load_balancers(read: _Read, vpc: _Vpc, subnet_keys: frozenset[str]
                    ) -> dict[str, LoadBalancer]:
    """ALBs and NLBs (``aws_lb``/``aws_alb``) with a subnet in this VPC (from ``subnets``
    or ``subnet_mapping``), their listeners and the target groups those forward to. An LB
    whose groups cannot be read gets ``security_group_ids=None`` (its legs are unknown)."""
    groups_by_key: dict[str, TargetGroup] = {}
    for kind in _TARGET_GROUP_TYPES:
        for inst in read.kind(kind):
            checks = inst.values.get("health_check")
            health = None
            if isinstance(checks, list) and checks and isinstance(checks[0], Mapping):
                health = _port(checks[0].get("port"))
            port = _port(inst.values.get("port"))
            groups_by_key[vpc.rel(inst.key)] = TargetGroup(
                vpc.rel(inst.key), port, str(inst.values.get("protocol") or ""),
                health if health != port else None, inst.source)
    found: dict[str, LoadBalancer] = {}
    for kind in _LB_TYPES:
        for inst in read.kind(kind):
            subnets = set(read.ids(inst, "subnets", scalar=False) or [])
            for _, block in read.blocks(inst, "subnet_mapping", {"subnet_id": ("aws_subnet",)}):
                if block.get("subnet_id"):
                    subnets.add(str(block["subnet_id"]))
            if not subnets & subnet_keys:
                continue
            groups = read.ids(inst, "security_groups", scalar=False)
            listeners = []
            for lkind in _LISTENER_TYPES:
                for listener, _ in read.owned(lkind, "load_balancer_arn", {inst.key}):
                    forwards: list[str] = []
                    for _, action in read.blocks(listener, "default_action",
                                                 {"target_group_arn": _TARGET_GROUP_TYPES}):
                        target = action.get("target_group_arn")
                        if target:
                            forwards.append(str(target))
                    port = _port(listener.values.get("port"))
                    if port is None:
                        read.unresolved.append(Unresolved(listener.address, "port", "unknown"))
                        continue
                    listeners.append(Listener(port, str(listener.values.get("protocol") or ""),
                                              tuple(vpc.rel(t) for t in forwards)))
            targets = tuple(dict.fromkeys(t for lst in listeners for t in lst.target_groups))
            internal = inst.values.get("internal")
            found[inst.key] = LoadBalancer(
                vpc.rel(inst.key), str(inst.values.get("load_balancer_type") or "application"),
                internal if isinstance(internal, bool) else None,
                frozenset(vpc.rel(s) for s in subnets),
                None if groups is None else tuple(vpc.rel(g) for g in groups),
                tuple(sorted(listeners, key=lambda lst: lst.port)),
                tuple(groups_by_key.get(t, TargetGroup(t, None)) for t in targets),
                inst.source)
    return found


def _interface_endpoints(read: _Read, vpc: _Vpc) -> dict[str, InterfaceEndpoint]:
    """Interface endpoints: their subnets and security groups (attributes, or the separate
    association resources), the analyzer's ``aws:<service>`` endpoints."""
    members = [inst for inst in vpc.members(read, "aws_vpc_endpoint")
               if (inst.values.get("vpc_endpoint_type") or "Gateway") == "Interface"]
    keys = {m.key for m in members}
    subnets: dict[str, set[str]] = defaultdict(set)
    groups: dict[str, list[str]] = defaultdict(list)
    for inst in members:
        subnets[inst.key].update(read.ids(inst, "subnet_ids", scalar=False) or [])
        groups[inst.key] += read.ids(inst, "security_group_ids", scalar=False) or []
    for assoc, owner in read.owned("aws_vpc_endpoint_subnet_association", "vpc_endpoint_id",
                                   keys):
        subnet = read.one(assoc, "subnet_id")
        if subnet is not None:
            subnets[owner[0]].add(subnet)
    for assoc, owner in read.owned("aws_vpc_endpoint_security_group_association",
                                   "vpc_endpoint_id", keys):
        group = read.one(assoc, "security_group_id")
        if group is not None:
            groups[owner[0]].append(group)
    return {inst.key: InterfaceEndpoint(
        vpc.rel(inst.key), str(inst.values.get("service_name") or ""),
        frozenset(vpc.rel(s) for s in subnets[inst.key]),
        tuple(dict.fromkeys(vpc.rel(g) for g in groups[inst.key])), inst.source,
        str(inst.values.get("ip_address_type") or "") or None)
        for inst in members}
class _BadNumber(ValueError):
    """A number Terraform never writes; raised from inside the JSON decoder."""


def _constant(name: str) -> float:
    raise _BadNumber(f"{name} is not a JSON number (Terraform never writes it)")


_MAX_DIGITS = 100


def _integer(text: str) -> int:
    if len(text) > _MAX_DIGITS:
        raise _BadNumber(f"a number of {len(text)} digits (Terraform writes none over "
                         f"{_MAX_DIGITS})")
    return int(text)


def _decimal(text: str) -> float:
    if len(text) > _MAX_DIGITS * 4:
        raise _BadNumber(f"a number of {len(text)} characters")
    return float(text)


_FILE_HINT = "give the output of `terraform show -json PLANFILE` or `terraform show -json`"


def load_document(text: str, where: str, hint: str = _FILE_HINT) -> Any:
    """JSON that ``terraform show -json`` (or ``version -json``) could have written; every
    other text is a ReadError that says what and where, never a traceback: nesting deeper
    than Python's recursion limit, ``Infinity``/``NaN``, integers past Python's 4,300-digit
    conversion limit."""
    try:
        return json.loads(text, parse_constant=_constant, parse_int=_integer,
                          parse_float=_decimal)
    except json.JSONDecodeError as exc:
        raise ReadError(f"{where}:{exc.lineno}:{exc.colno}: not JSON: {exc.msg}; "
                        f"{hint}") from None
    except _BadNumber as exc:
        raise ReadError(f"{where}: not Terraform's JSON: {exc}; {hint}") from None
    except RecursionError:
        raise ReadError(f"{where}: not Terraform's JSON: nested deeper than can be read "
                        f"(Terraform's documents are a few dozen levels deep); {hint}") from None


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else f"{text[:40]}…"


def cidr_text(value: object, where: str, attr: str, *, symbolic: bool = False) -> str:
    """A CIDR attribute as Terraform writes it: text naming a network. Anything else is a
    malformed document: a number read as an address would drop every flow silently.
    ``symbolic``: a block of an Amazon-provided /56 unknown at plan time, as the reader
    resolved it from the configuration (``network/ipv6.py``), is a CIDR too."""
    if not isinstance(value, str):
        raise ReadError(f"{where}: {attr} is {_shown(value)}, not a CIDR such as "
                        '"10.0.0.0/24"; regenerate the JSON with terraform show -json')
    if symbolic:
        prefix = parse_ipv6(value)
        if prefix is not None and prefix.base is not None:
            return value
    try:
        ip_network(value)
    except ValueError as exc:
        raise ReadError(f"{where}: {attr} {_shown(value)} is not a CIDR ({exc}); regenerate "
                        "the JSON with terraform show -json") from None
    return value


_WHOLE_TEXT = re.compile(r"-?[0-9]{1,10}")


def whole_number(value: object, where: str, attr: str) -> int:
    """An integer attribute (rule number, ICMP type or code): a JSON number without a
    fraction, or its decimal text; never a flag, Infinity or NaN."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) < 2**31:
        return value
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**31:
        return int(value)
    if isinstance(value, str) and _WHOLE_TEXT.fullmatch(value.strip()):
        return int(value)
    raise ReadError(f"{where}: {attr} is {_shown(value)}, not a whole number; regenerate the "
                    "JSON with terraform show -json")


def _entry(values: Mapping[str, Any], egress: bool, number_attr: str, action_attr: str,
           source: str) -> NaclEntry | None:
    """One NACL entry; None when it has no CIDR (unknown: the reader noted why)."""
    cidr_attr = "cidr_block" if _first(values.get("cidr_block")) else "ipv6_cidr_block"
    if not _first(values.get(cidr_attr)):
        return None
    raw = values.get(cidr_attr)
    if isinstance(raw, list) and len(raw) == 1:  # filled by the reader (read.fill)
        raw = raw[0]
    cidr = cidr_text(raw, source, cidr_attr, symbolic=cidr_attr == "ipv6_cidr_block")
    protocol = normalise_protocol(values.get("protocol", "-1"))
    low, high = port_range(protocol, values.get("from_port"), values.get("to_port"))
    icmp_type, icmp_code = values.get("icmp_type"), values.get("icmp_code")
    return NaclEntry(
        rule_number=whole_number(values.get(number_attr), source, number_attr), egress=egress,
        protocol=protocol,
        action="deny" if str(values.get(action_attr)).lower() == "deny" else "allow",
        cidr=cidr,
        from_port=low, to_port=high,
        icmp_type=None if icmp_type in (None, "") else whole_number(icmp_type, source,
                                                                    "icmp_type"),
        icmp_code=None if icmp_code in (None, "") else whole_number(icmp_code, source,
                                                                    "icmp_code"),
        source=source)


def _nacls(read: _Read, vpc: _Vpc, tier_tag: str) -> dict[str, Nacl]:
    """Network ACLs by key with their entries and subnets, and AWS's default one."""
    meta: dict[str, tuple[Instance, bool]] = {}
    for inst in vpc.members(read, "aws_network_acl"):
        meta[inst.key] = (inst, False)
    for inst in vpc.members(read, "aws_default_network_acl", "default_network_acl_id"):
        meta[inst.key] = (inst, True)
    entries: dict[str, dict[tuple[bool, int], NaclEntry]] = {key: {} for key in meta}
    subnets: dict[str, set[str]] = defaultdict(set)
    for inst, owner in read.owned("aws_network_acl_rule", "network_acl_id", meta):
        values = read.fill(inst, ("cidr_block", "ipv6_cidr_block"))
        entry = _entry(values, bool(inst.values.get("egress")), "rule_number",
                       "rule_action", inst.source)
        if entry is None:
            if not read.unresolved or read.unresolved[-1].address != inst.address:
                read.unresolved.append(Unresolved(inst.address, "cidr_block",
                                                  "the rule's CIDR is unknown"))
            continue
        entries[owner[0]][(entry.egress, entry.rule_number)] = entry
    for inst, owner in read.owned("aws_network_acl_association", "network_acl_id", meta):
        subnet = read.one(inst, "subnet_id")
        if subnet is not None:
            subnets[owner[0]].add(subnet)
    for key, (inst, _) in meta.items():
        for egress in (False, True):
            attr = "egress" if egress else "ingress"
            for _index, block in read.blocks(inst, attr, NACL_BLOCK):
                entry = _entry(block, egress, "rule_no", "action",
                               f"{inst.source} {attr} rule {block.get('rule_no')}")
                if entry is None:
                    read.unresolved.append(Unresolved(inst.address, f"{attr}[{_index}]",
                                                      "the rule's CIDR is unknown"))
                    continue
                entries[key].setdefault((egress, entry.rule_number), entry)
        subnets[key].update(read.ids(inst, "subnet_ids", scalar=False) or [])
    elsewhere = {s for k, (_, d) in meta.items() if not d for s in subnets[k]}
    nacls: dict[str, Nacl] = {}
    for key, (inst, is_default) in meta.items():
        # A subnet associated with another NACL has left the default one.
        members = subnets[key] - elsewhere if is_default else subnets[key]
        nacls[key] = Nacl(
            id=vpc.rel(key), entries=tuple(sorted(entries[key].values(),
                                                  key=lambda e: (e.egress, e.rule_number))),
            subnet_ids=frozenset(vpc.rel(s) for s in members), is_default=is_default,
            tier=tag(inst.values, tier_tag), name=tag(inst.values, "Name"),
            source=inst.source, vpc=vpc.tag)
    if not any(d for _, d in meta.values()):
        real = vpc.value("default_network_acl_id")
        nacl = replace(aws_default_nacl(ipv6=bool(vpc.ipv6)),
                       id=real or _own(DEFAULT_NACL_ID, vpc), vpc=vpc.tag)
        nacls[nacl.id] = nacl
    return nacls


def _sg_rules(vpc: _Vpc, values: Mapping[str, Any], egress: bool, own: str,
              source: str) -> list[SgRule]:
    """Split one rule with many peers into one SgRule per peer."""
    protocol = normalise_protocol(values.get("protocol", values.get("ip_protocol", "-1")))
    low, high = port_range(protocol, values.get("from_port"), values.get("to_port"))
    base = SgRule(egress, protocol, low, high,
                  description=str(values.get("description") or ""), source=source)
    rules: list[SgRule] = []

    def listed(*attrs: str) -> list[str]:
        out: list[str] = []
        for attr in attrs:
            value = values.get(attr)
            if isinstance(value, str):
                value = [value]
            if not isinstance(value, list | tuple | type(None)):
                raise ReadError(f"{source}: {attr} is {_shown(value)}, not a list; "
                                "regenerate the JSON with terraform show -json")
            cidrs = attr.startswith("cidr") or "_cidr" in attr
            for v in value or []:
                # Text only (an IPv6 peer may be a symbolic prefix such as
                # aws_vpc.main.ipv6_cidr_block): a number is not a CIDR.
                if cidrs and v and not isinstance(v, str):
                    raise ReadError(f"{source}: {attr} holds {_shown(v)}, not a CIDR such as "
                                    '"10.0.0.0/24"; regenerate the JSON with terraform show -json')
            out += [str(v) for v in value or [] if v]
        return out

    for cidr in listed("cidr_blocks", "ipv6_cidr_blocks", "cidr_ipv4", "cidr_ipv6"):
        rules.append(replace(base, cidr=cidr))
    for group in listed("security_groups", "source_security_group_id",
                        "referenced_security_group_id"):
        # A refreshed rule may name its peer as "<account>/sg-..." (user id / group id
        # pair, as the moto emulator returns it): the group id is what identifies it.
        group = group.rsplit("/", 1)[-1] if "/sg-" in group else group
        rules.append(replace(base, group=vpc.rel(group)))
    if values.get("self"):
        rules.append(replace(base, group=vpc.rel(own)))
    for prefix_list in listed("prefix_list_ids", "prefix_list_id"):
        rules.append(replace(base, prefix_list=prefix_list))
    return rules


def _rule_key(rule: SgRule) -> tuple[object, ...]:
    return (rule.egress, rule.protocol, rule.from_port, rule.to_port, rule.cidr, rule.group,
            rule.prefix_list)


def _prefix_lists(read: _Read) -> dict[str, list[str]]:
    """Managed prefix lists in the input, by key, with their CIDRs (inline ``entry`` blocks
    and ``aws_ec2_managed_prefix_list_entry``); a list with an entry that cannot be read is
    left out (its rules stay unknown, S5)."""
    found: dict[str, list[str]] = {}
    broken: set[str] = set()
    for inst in read.kind("aws_ec2_managed_prefix_list"):
        entries = inst.values.get("entry")
        if not isinstance(entries, list) or not all(isinstance(e, Mapping) and e.get("cidr")
                                                    for e in entries):
            broken.add(inst.key)
            continue
        found[inst.key] = [str(e["cidr"]) for e in entries]
    for inst, owner in read.owned("aws_ec2_managed_prefix_list_entry", "prefix_list_id",
                                  found):
        cidr = inst.values.get("cidr")
        if cidr:
            found[owner[0]].append(str(cidr))
        else:
            broken.add(owner[0])
    return {key: cidrs for key, cidrs in found.items() if key not in broken}


def rules_by_prefix_list(rule: SgRule, lists: Mapping[str, list[str]]) -> list[SgRule]:
    """A rule naming a prefix list read from the input: one rule per CIDR of the list."""
    if rule.prefix_list is None or rule.prefix_list not in lists:
        return [rule]
    return [replace(rule, prefix_list=None, cidr=cidr,
                    source=f"{rule.source} (prefix list {rule.prefix_list})")
            for cidr in lists[rule.prefix_list]]


def _security_groups(read: _Read, vpc: _Vpc, tier_tag: str,
                     lists: Mapping[str, list[str]]) -> dict[str, SecurityGroup]:
    """Security groups by key with every rule form (separate, inline), and AWS's default;
    rules naming a prefix list of ``lists`` are read by its CIDRs."""
    meta: dict[str, tuple[Instance, bool]] = {}
    for inst in vpc.members(read, "aws_security_group"):
        meta[inst.key] = (inst, False)
    for inst in vpc.members(read, "aws_default_security_group"):
        meta[inst.key] = (inst, True)
    rules: dict[str, list[SgRule]] = {key: [] for key in meta}
    for inst, owner in read.owned("aws_security_group_rule", "security_group_id", meta):
        values = read.fill(inst, ("source_security_group_id", "prefix_list_ids",
                                  "cidr_blocks", "ipv6_cidr_blocks"))
        egress = values.get("type") == "egress"
        rules[owner[0]] += _sg_rules(vpc, values, egress, owner[0], inst.source)
    for kind in ("aws_vpc_security_group_ingress_rule", "aws_vpc_security_group_egress_rule"):
        for inst, owner in read.owned(kind, "security_group_id", meta):
            values = read.fill(inst, ("referenced_security_group_id", "prefix_list_id",
                                      "cidr_ipv4", "cidr_ipv6"))
            rules[owner[0]] += _sg_rules(vpc, values, kind.endswith("egress_rule"), owner[0],
                                         inst.source)
    groups: dict[str, SecurityGroup] = {}
    for key, (inst, is_default) in meta.items():
        # Terraform removes AWS's default allow-all egress from groups it creates (and
        # every rule from the default group it adopts): inline rules are all there is.
        seen = {_rule_key(r) for r in rules[key]}
        for egress in (False, True):
            attr = "egress" if egress else "ingress"
            for index, block in read.blocks(inst, attr, SG_BLOCK):
                for rule in _sg_rules(vpc, block, egress, key,
                                      f"{inst.source} {attr}[{index}]"):
                    if _rule_key(rule) not in seen:
                        seen.add(_rule_key(rule))
                        rules[key].append(rule)
        groups[key] = SecurityGroup(
            id=vpc.rel(key),
            rules=tuple(e for r in rules[key] for e in rules_by_prefix_list(r, lists)),
            tier=tag(inst.values, tier_tag), name=tag(inst.values, "Name")
            or inst.values.get("name") or None, is_default=is_default, source=inst.source,
            vpc=vpc.tag)
    if not any(d for _, d in meta.values()):
        real = vpc.value("default_security_group_id")
        key = real or _own(DEFAULT_SECURITY_GROUP_ID, vpc)
        source = "VPC default security group (unmanaged: AWS defaults)"
        # AWS's default group: all inbound from itself, all outbound.
        groups[key] = SecurityGroup(
            key, (SgRule(False, "-1", group=key, source=source),
                  SgRule(True, "-1", cidr=ANYWHERE, source=source)),
            name="default", is_default=True, source=source, vpc=vpc.tag)
    return groups


# ---------------------------------------------------------------- assemble

def _peerings(read: _Read, vpcs: Sequence[_Vpc]) -> dict[str, Peering]:
    """Peering connections between two VPCs of the input that carry traffic: accepted
    (state: ``accept_status`` active; plan: ``auto_accept``, or an accepter resource that
    accepts it). Any other peering stays a route out of the input (unknown, V8)."""
    keys = {v.key for v in vpcs}
    accepted = {target for inst in read.kind("aws_vpc_peering_connection_accepter")
                if inst.values.get("auto_accept") is True
                for target in read.ids(inst, "vpc_peering_connection_id") or []}
    found: dict[str, Peering] = {}
    for inst in read.kind("aws_vpc_peering_connection"):
        ends = set()
        for attr in ("vpc_id", "peer_vpc_id"):
            owner = read.wiring.ids(inst, attr, scalar=True)
            if not isinstance(owner, Unresolved):
                ends |= {o2 for o in owner if (o2 := _owner(vpcs, o)) is not None}
        active = (inst.values.get("accept_status") == "active"
                  or inst.values.get("auto_accept") is True or inst.key in accepted)
        if len(ends) == 2 and ends <= keys and active:
            found[inst.key] = Peering(inst.key, frozenset(ends), inst.source)
    return found


def _owner(vpcs: Sequence[_Vpc], key: str) -> str | None:
    """The VPC a key names (the VPC itself or one of its default objects)."""
    return vpcs[0].owner_of.get(key) if vpcs else None


def qualify_shared_tiers(network: Network) -> Network:
    """Tier names two VPCs share become ``<vpc name>/<tier>`` on every object (subnets,
    tables, ACLs, groups) of those VPCs; tiers of one VPC keep their name."""
    seen: dict[str, set[str | None]] = defaultdict(set)
    for subnet in network.subnets.values():
        if subnet.tier is not None:
            seen[subnet.tier].add(subnet.vpc)
    shared = {tier for tier, where in seen.items() if len(where) > 1}
    if not shared:
        return network

    def named(tier: str | None, vpc: str | None) -> str | None:
        if tier in shared and vpc in network.vpcs:
            return f"{network.vpcs[vpc].name}/{tier}"
        return tier

    return replace(
        network,
        subnets={k: replace(v, tier=named(v.tier, v.vpc)) for k, v in network.subnets.items()},
        route_tables={k: replace(v, tier=named(v.tier, v.vpc))
                      for k, v in network.route_tables.items()},
        nacls={k: replace(v, tier=named(v.tier, v.vpc)) for k, v in network.nacls.items()},
        security_groups={k: replace(v, tier=named(v.tier, v.vpc))
                         for k, v in network.security_groups.items()})


def assemble(instances: Sequence[Instance], wiring: Wiring, *, source: Source,
             tier_tag: str = TIER_TAG, named_networks: Mapping[str, Any] | None = None,
             tier_groups: Mapping[str, Sequence[str]] | None = None) -> Network:
    """Build the Network of every VPC from instances and their wiring (R13: several VPCs
    are read together, each with its own local routes, main table and defaults)."""
    read = _Read.of(instances, wiring)
    vpcs = _all_vpcs(read)
    lists = _prefix_lists(read)
    subnets: dict[str, Subnet] = {}
    tables: dict[str, RouteTable] = {}
    nacls: dict[str, Nacl] = {}
    groups: dict[str, SecurityGroup] = {}
    igws: dict[str, InternetGateway] = {}
    nats: dict[str, NatGateway] = {}
    endpoints: dict[str, GatewayEndpoint] = {}
    interface: dict[str, InterfaceEndpoint] = {}
    appliances: dict[str, Appliance] = {}
    firewalls: dict[str, Firewall] = {}
    balancers: dict[str, LoadBalancer] = {}
    for vpc in vpcs:
        subnet_keys, own_subnets = _subnets(read, vpc, tier_tag)
        own_igws, own_nats = _gateways(read, vpc, subnet_keys)
        own_endpoints, own_tables = _endpoints(read, vpc,
                                               _route_tables(read, vpc, tier_tag, lists))
        subnets.update(own_subnets)
        igws.update(own_igws)
        nats.update(own_nats)
        endpoints.update(own_endpoints)
        tables.update(own_tables)
        interface.update(_interface_endpoints(read, vpc))
        balancers.update(_load_balancers(read, vpc, subnet_keys))
        targets = {r.target for t in own_tables.values() for r in t.routes
                   if r.kind in ("eni", "instance") and r.target}
        appliances.update(_appliances(read, vpc, subnet_keys, targets))
        nacls.update(_nacls(read, vpc, tier_tag))
        groups.update(_security_groups(read, vpc, tier_tag, lists))
        firewalls.update(_firewalls(read, vpc, own_subnets, plan=source == "plan"))
    policies, rule_groups = _firewall_policies(read)
    several = len(vpcs) > 1
    first = vpcs[0]
    network = Network(
        source=source,
        vpc_cidrs=tuple(dict.fromkeys(c for v in vpcs for c in v.cidrs)),
        vpc_ipv6_cidrs=tuple(dict.fromkeys(c for v in vpcs for c in v.ipv6)),
        # Plans and states list resources by address; address order says nothing, so
        # subnets (and thereby Network.tiers) come in address-space order.
        subnets={s.id: s for s in sorted(subnets.values(), key=lambda s: s.cidr)},
        route_tables={t.id: t for t in tables.values()},
        nacls={n.id: n for n in nacls.values()},
        security_groups={g.id: g for g in groups.values()},
        nat_gateways=nats, internet_gateways=igws,
        endpoints={e.id: e for e in endpoints.values()},
        interface_endpoints={e.id: e for e in interface.values()},
        named_networks=named_networks_of(named_networks),
        tier_groups={t: tuple(g) for t, g in (tier_groups or {}).items()},
        unresolved=list(dict.fromkeys(read.unresolved)),  # each VPC's pass reads them all
        vpc_id=first.rel(first.key) if first.instance is not None else "vpc",
        vpcs={v.key: Vpc(v.key, v.cidrs, tag(v.instance.values, "Name") or v.key,
                         v.instance.source, ipv6_cidrs=v.ipv6)
              for v in vpcs if v.instance is not None} if several else {},
        peerings=_peerings(read, vpcs) if several else {},
        appliances=appliances,
        firewalls=firewalls, firewall_policies=policies, firewall_rule_groups=rule_groups,
        load_balancers={b.id: b for b in balancers.values()},
    )
    return qualify_shared_tiers(network)

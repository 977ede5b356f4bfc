"""Read a Network from Terraform state JSON, and the assembly shared with the plan reader.

Both readers reduce their JSON to resource *instances* plus a *wiring* that says
which things an attribute points to. In state the wiring is the AWS ids
themselves; in a plan it comes from configuration references (read_plan.py).
``assemble`` turns instances + wiring into a :class:`Network`, one resource type
at a time, applying the AWS defaults the model promises (main route table,
default NACL, default security group).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from ipaddress import IPv4Network
from typing import Any, Protocol

from tierform.aws import normalise_protocol
from tierform.errors import ReadError
from tierform.network.model import (
    DEFAULT_NACL_ID,
    MAIN_ROUTE_TABLE_ID,
    GatewayEndpoint,
    InternetGateway,
    Nacl,
    NaclEntry,
    NatGateway,
    Network,
    Route,
    RouteKind,
    RouteTable,
    SecurityGroup,
    SgRule,
    Source,
    Subnet,
    Unresolved,
    aws_default_nacl,
    port_range,
)
from tierform.network.tags import tag

__all__ = [
    "DEFAULT_SECURITY_GROUP_ID",
    "NACL_BLOCK",
    "ROUTE_BLOCK",
    "SG_BLOCK",
    "VPC_DEFAULT_ATTRS",
    "Instance",
    "Wiring",
    "assemble",
    "iter_module_resources",
    "network_from_state",
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

# Route target attribute -> route kind. gateway_id is split by what it names.
_ROUTE_TARGETS: dict[str, RouteKind] = {
    "gateway_id": "igw",
    "nat_gateway_id": "nat",
    "egress_only_gateway_id": "eigw",
    "vpc_endpoint_id": "other",  # a Gateway Load Balancer endpoint, not an S3/DynamoDB gateway
    "transit_gateway_id": "other",
    "vpc_peering_connection_id": "other",
    "network_interface_id": "other",
    "carrier_gateway_id": "other",
    "local_gateway_id": "other",
    "core_network_arn": "other",
}
ROUTE_TARGET_TYPES: dict[str, tuple[str, ...]] = {
    "gateway_id": ("aws_internet_gateway", "aws_vpn_gateway"),
    "nat_gateway_id": ("aws_nat_gateway",),
    "egress_only_gateway_id": ("aws_egress_only_internet_gateway",),
    "vpc_endpoint_id": ("aws_vpc_endpoint",),
    "transit_gateway_id": ("aws_ec2_transit_gateway",),
    "vpc_peering_connection_id": ("aws_vpc_peering_connection",),
    "network_interface_id": ("aws_network_interface",),
    "carrier_gateway_id": ("aws_ec2_carrier_gateway",),
    "local_gateway_id": (),
    "core_network_arn": (),
}
_ROUTE_DESTINATIONS = (
    "cidr_block", "ipv6_cidr_block", "destination_prefix_list_id",
    "destination_cidr_block", "destination_ipv6_cidr_block",
)
_SG_TYPES = ("aws_security_group", "aws_default_security_group")

# Fields of inline blocks -> resource types an unknown field may reference (() = must be known).
ROUTE_BLOCK: dict[str, tuple[str, ...]] = {
    "cidr_block": (), "ipv6_cidr_block": (), "destination_prefix_list_id": (),
    **ROUTE_TARGET_TYPES,
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


@dataclass
class _Out:
    """Network parts collected while assembling (mutable until the end)."""

    subnets: dict[str, Subnet] = field(default_factory=dict)
    tables: dict[str, RouteTable] = field(default_factory=dict)
    nacls: dict[str, Nacl] = field(default_factory=dict)
    groups: dict[str, SecurityGroup] = field(default_factory=dict)
    unresolved: list[Unresolved] = field(default_factory=list)


class _Assembler:
    def __init__(self, instances: Sequence[Instance], wiring: Wiring, *, source: Source,
                 tier_tag: str) -> None:
        self.by_type: dict[str, list[Instance]] = defaultdict(list)
        for inst in instances:
            self.by_type[inst.type].append(inst)
        self.wiring = wiring
        self.source: Source = source
        self.tier_tag = tier_tag
        self.prefix = ""
        self.out = _Out()
        self.keys: set[str] = set()  # keys of everything inside the chosen VPC

    # ------------------------------------------------------------ helpers
    def rel(self, key: str) -> str:
        """Key relative to the chosen VPC's module: ``module.net.x.a`` -> ``x.a``."""
        return key[len(self.prefix):] if self.prefix and key.startswith(self.prefix) else key

    def _ids(self, inst: Instance, attr: str, *, scalar: bool = True) -> list[str] | None:
        got = self.wiring.ids(inst, attr, scalar=scalar)
        if isinstance(got, Unresolved):
            self.out.unresolved.append(got)
            return None
        if scalar and len(got) > 1:
            self.out.unresolved.append(Unresolved(inst.address, attr, "several candidates"))
            return None
        return got

    def _one(self, inst: Instance, attr: str) -> str | None:
        got = self._ids(inst, attr)
        if not got:
            if got is not None:
                self.out.unresolved.append(Unresolved(inst.address, attr, "not set"))
            return None
        return got[0]

    def _blocks(self, inst: Instance, attr: str,
                ref_fields: Mapping[str, tuple[str, ...]]) -> Iterator[tuple[int, dict[str, Any]]]:
        got = self.wiring.blocks(inst, attr, ref_fields)
        if isinstance(got, Unresolved):
            self.out.unresolved.append(got)
            return
        for index, block in enumerate(got):
            reason = block.get("__unresolved__")
            if reason:
                self.out.unresolved.append(Unresolved(inst.address, f"{attr}[{index}]", reason))
                continue
            yield index, block

    def _members(self, kind: str, attr: str = "vpc_id") -> Iterator[Instance]:
        """Instances of ``kind`` that belong to the chosen VPC (through ``attr``)."""
        for inst in self.by_type.get(kind, []):
            owner = self._ids(inst, attr)
            if owner is None:
                continue
            if any(self.owner_of.get(o) == self.vpc_key for o in owner):
                self.keys.add(inst.key)
                yield inst

    def _owned(self, kind: str, attr: str, scalar: bool = True
               ) -> Iterator[tuple[Instance, list[str]]]:
        """Instances of ``kind`` whose ``attr`` points at something already in the VPC."""
        for inst in self.by_type.get(kind, []):
            targets = self._ids(inst, attr, scalar=scalar)
            if targets is None:
                continue
            inside = [t for t in targets if t in self.keys]
            if inside:
                self.keys.add(inst.key)
                yield inst, inside

    # -------------------------------------------------------------- VPC
    def choose_vpc(self) -> tuple[Instance | None, list[IPv4Network]]:
        vpcs = self.by_type.get("aws_vpc", [])
        # owner_of maps VPC keys and the keys of a VPC's default objects to the VPC key.
        self.owner_of: dict[str, str] = {}
        for vpc in vpcs:
            self.owner_of[vpc.key] = vpc.key
            for attr in VPC_DEFAULT_ATTRS:
                value = vpc.values.get(attr)
                self.owner_of[str(value) if value else f"{vpc.key}.{attr}"] = vpc.key
        counts: dict[str, int] = defaultdict(int)
        for subnet in self.by_type.get("aws_subnet", []):
            got = self.wiring.ids(subnet, "vpc_id", scalar=True)
            if not isinstance(got, Unresolved):
                for owner in got:
                    counts[self.owner_of.get(owner, "")] += 1
        if not vpcs:
            self.vpc_key = ""
            return None, []
        chosen = max(vpcs, key=lambda v: counts.get(v.key, 0))  # first on ties (max is stable)
        self.vpc_key = chosen.key
        self.prefix = f"{chosen.module}." if chosen.module else ""
        self.keys.add(chosen.key)
        for other in vpcs:
            if other is not chosen:
                self.out.unresolved.append(Unresolved(
                    other.address, "vpc",
                    f"the input holds several VPCs; only {chosen.address} (most subnets) is read"))
        cidrs = [IPv4Network(chosen.values["cidr_block"])] if chosen.values.get("cidr_block") \
            else []
        if not cidrs:
            self.out.unresolved.append(Unresolved(chosen.address, "cidr_block",
                                                  "unknown (IPAM or computed)"))
        for assoc in self._members("aws_vpc_ipv4_cidr_block_association"):
            if assoc.values.get("cidr_block"):
                cidrs.append(IPv4Network(assoc.values["cidr_block"]))
            else:
                self.out.unresolved.append(Unresolved(assoc.address, "cidr_block", "unknown"))
        return chosen, cidrs

    # ---------------------------------------------------------- subnets
    def subnets(self) -> None:
        for inst in self._members("aws_subnet"):
            cidr = inst.values.get("cidr_block")
            if not cidr:
                self.out.unresolved.append(Unresolved(inst.address, "cidr_block", "unknown"))
                continue
            self.out.subnets[inst.key] = Subnet(
                id=self.rel(inst.key), cidr=IPv4Network(cidr),
                az=inst.values.get("availability_zone") or None,
                tier=tag(inst.values, self.tier_tag), name=tag(inst.values, "Name"),
                map_public_ip=bool(inst.values.get("map_public_ip_on_launch")),
                source=inst.source)

    # --------------------------------------------------------- gateways
    def gateways(self) -> tuple[dict[str, InternetGateway], dict[str, NatGateway]]:
        igws = {self.rel(inst.key): InternetGateway(self.rel(inst.key), inst.source)
                for inst in self._members("aws_internet_gateway")}
        for inst in self._members("aws_internet_gateway_attachment"):
            for gateway in self._ids(inst, "internet_gateway_id") or []:
                found = self._inst(gateway)
                igws[self.rel(gateway)] = InternetGateway(
                    self.rel(gateway), found.source if found else inst.source)
        nats: dict[str, NatGateway] = {}
        for inst, subnets in self._owned("aws_nat_gateway", "subnet_id"):
            # connectivity_type "private": no internet path through this NAT.
            public = (inst.values.get("connectivity_type") or "public") == "public"
            nats[self.rel(inst.key)] = NatGateway(self.rel(inst.key), self.rel(subnets[0]),
                                                  public, inst.source)
        return igws, nats

    # ------------------------------------------------------------ routes
    def _target_kind(self, attr: str, target: str) -> RouteKind:
        kind = _ROUTE_TARGETS[attr]
        if attr == "gateway_id":
            if target == "local":
                return "local"
            inst = self._inst(target)
            if inst is not None:
                return "igw" if inst.type == "aws_internet_gateway" else "other"
            if target.startswith("vpce-"):
                return "endpoint"
            return "igw" if target.startswith("igw-") else "other"
        return kind

    def _inst(self, key: str) -> Instance | None:
        if not hasattr(self, "_by_key"):
            self._by_key = {i.key: i for group in self.by_type.values() for i in group}
        return self._by_key.get(key)

    def _route(self, values: Mapping[str, Any], source: str, address: str) -> Route | None:
        destination = next((str(values[d]) for d in _ROUTE_DESTINATIONS if values.get(d)), None)
        if destination is None:
            self.out.unresolved.append(Unresolved(address, "destination", "unknown"))
            return None
        for attr in _ROUTE_TARGETS:
            target = values.get(attr)
            if target:
                return Route(destination, self._target_kind(attr, str(target)),
                             self.rel(str(target)), source)
        if values.get("blackhole") or values.get("state") == "blackhole":
            return Route(destination, "blackhole", None, source)
        self.out.unresolved.append(Unresolved(address, "target", "no known target"))
        return None

    def route_tables(self) -> None:
        tables: dict[str, list[Route]] = {}
        meta: dict[str, tuple[Instance, bool]] = {}
        for inst in self._members("aws_route_table"):
            tables[inst.key], meta[inst.key] = [], (inst, False)
        for inst in self._members("aws_default_route_table", "default_route_table_id"):
            tables[inst.key], meta[inst.key] = [], (inst, True)
        # Separate aws_route resources first: their addresses are the better source.
        for inst, owner in self._owned("aws_route", "route_table_id"):
            route = self._route(self._route_values(inst), inst.source, inst.address)
            if route is not None:
                tables[owner[0]].append(route)
        for key, (inst, _) in meta.items():
            for index, block in self._blocks(inst, "route", ROUTE_BLOCK):
                route = self._route(block, f"{inst.source} route[{index}]", inst.address)
                if route is not None and all(r.destination != route.destination
                                             for r in tables[key]):
                    tables[key].append(route)
        subnets: dict[str, set[str]] = defaultdict(set)
        for inst, owner in self._owned("aws_route_table_association", "route_table_id"):
            subnet = self._one(inst, "subnet_id")
            if subnet is not None:
                subnets[owner[0]].add(subnet)
        main: set[str] = {k for k, (_, is_default) in meta.items() if is_default}
        for _assoc, owner in self._owned("aws_main_route_table_association", "route_table_id"):
            main = {owner[0]}  # AWS moves the "main" flag to this table
        for key, (inst, _) in meta.items():
            self.out.tables[key] = RouteTable(
                id=self.rel(key), routes=tuple(tables[key]),
                subnet_ids=frozenset(self.rel(s) for s in subnets[key]),
                is_main=key in main, tier=tag(inst.values, self.tier_tag),
                name=tag(inst.values, "Name"), source=inst.source)
        if not main:
            vpc = self._inst(self.vpc_key)
            real = vpc.values.get("main_route_table_id") if vpc is not None else None
            key = str(real) if real else MAIN_ROUTE_TABLE_ID
            self.out.tables[key] = RouteTable(
                key, is_main=True, name="main",
                source=f"VPC main route table{f' {key}' if real else ''} "
                       "(unmanaged: AWS local routes only)")

    def _route_values(self, inst: Instance) -> dict[str, Any]:
        values = dict(inst.values)
        for attr, types in ROUTE_TARGET_TYPES.items():
            if attr in values or not types:
                continue  # known (or null) at plan time
            got = self.wiring.ids(inst, attr, scalar=True)
            if isinstance(got, Unresolved):
                self.out.unresolved.append(got)
            elif got:
                values[attr] = got[0]
        return values

    def endpoints(self) -> dict[str, GatewayEndpoint]:
        found: dict[str, GatewayEndpoint] = {}
        gateways = [inst for inst in self._members("aws_vpc_endpoint")
                    # vpc_endpoint_type defaults to "Gateway"; Interface endpoints do not route.
                    if (inst.values.get("vpc_endpoint_type") or "Gateway") == "Gateway"]
        extra: dict[str, set[str]] = defaultdict(set)
        for assoc, owner in self._owned("aws_vpc_endpoint_route_table_association",
                                        "vpc_endpoint_id"):
            table = self._one(assoc, "route_table_id")
            if table is not None:
                extra[owner[0]].add(table)
        for inst in gateways:
            tables = set(self._ids(inst, "route_table_ids", scalar=False) or []) | extra[inst.key]
            service = str(inst.values.get("service_name") or "")
            found[inst.key] = GatewayEndpoint(self.rel(inst.key), service,
                                              frozenset(self.rel(t) for t in tables), inst.source)
            # The endpoint adds a prefix-list route to each table (R5).
            for table in tables:
                if table in self.out.tables:
                    old = self.out.tables[table]
                    route = Route(service, "endpoint", self.rel(inst.key), inst.source)
                    self.out.tables[table] = replace(old, routes=(*old.routes, route))
        return found

    # ------------------------------------------------------------- NACLs
    def _entry(self, values: Mapping[str, Any], egress: bool, number_attr: str,
               action_attr: str, source: str) -> NaclEntry:
        protocol = normalise_protocol(values.get("protocol", "-1"))
        low, high = port_range(protocol, values.get("from_port"), values.get("to_port"))
        icmp_type, icmp_code = values.get("icmp_type"), values.get("icmp_code")
        return NaclEntry(
            rule_number=int(values[number_attr]), egress=egress, protocol=protocol,
            action="deny" if str(values.get(action_attr)).lower() == "deny" else "allow",
            cidr=str(values.get("cidr_block") or values.get("ipv6_cidr_block")),
            from_port=low, to_port=high,
            icmp_type=None if icmp_type in (None, "") else int(icmp_type),
            icmp_code=None if icmp_code in (None, "") else int(icmp_code),
            source=source)

    def nacls(self) -> None:
        entries: dict[str, dict[tuple[bool, int], NaclEntry]] = {}
        subnets: dict[str, set[str]] = defaultdict(set)
        meta: dict[str, tuple[Instance, bool]] = {}
        for inst in self._members("aws_network_acl"):
            meta[inst.key] = (inst, False)
        for inst in self._members("aws_default_network_acl", "default_network_acl_id"):
            meta[inst.key] = (inst, True)
        for key in meta:
            entries[key] = {}
        for inst, owner in self._owned("aws_network_acl_rule", "network_acl_id"):
            entry = self._entry(inst.values, bool(inst.values.get("egress")), "rule_number",
                                "rule_action", inst.source)
            entries[owner[0]][(entry.egress, entry.rule_number)] = entry
        for inst, owner in self._owned("aws_network_acl_association", "network_acl_id"):
            subnet = self._one(inst, "subnet_id")
            if subnet is not None:
                subnets[owner[0]].add(subnet)
        for key, (inst, _) in meta.items():
            for egress in (False, True):
                attr = "egress" if egress else "ingress"
                for _index, block in self._blocks(inst, attr, NACL_BLOCK):
                    entry = self._entry(block, egress, "rule_no", "action",
                                        f"{inst.source} {attr} rule {block.get('rule_no')}")
                    entries[key].setdefault((egress, entry.rule_number), entry)
            subnets[key].update(self._ids(inst, "subnet_ids", scalar=False) or [])
        elsewhere = {s for k, (_, d) in meta.items() if not d for s in subnets[k]}
        for key, (inst, is_default) in meta.items():
            # A subnet associated with another NACL has left the default one.
            members = subnets[key] - elsewhere if is_default else subnets[key]
            self.out.nacls[key] = Nacl(
                id=self.rel(key), entries=tuple(sorted(entries[key].values(),
                                                      key=lambda e: (e.egress, e.rule_number))),
                subnet_ids=frozenset(self.rel(s) for s in members), is_default=is_default,
                tier=tag(inst.values, self.tier_tag), name=tag(inst.values, "Name"),
                source=inst.source)
        if not any(d for _, d in meta.values()):
            vpc = self._inst(self.vpc_key)
            real = vpc.values.get("default_network_acl_id") if vpc is not None else None
            nacl = aws_default_nacl()
            if real:
                nacl = replace(nacl, id=str(real))
            self.out.nacls[nacl.id if real else DEFAULT_NACL_ID] = nacl

    # --------------------------------------------------- security groups
    def _sg_rules(self, values: Mapping[str, Any], egress: bool, own: str,
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
                out += [str(v) for v in value or [] if v]
            return out

        for cidr in listed("cidr_blocks", "ipv6_cidr_blocks", "cidr_ipv4", "cidr_ipv6"):
            rules.append(replace(base, cidr=cidr))
        for group in listed("security_groups", "source_security_group_id",
                            "referenced_security_group_id"):
            # A refreshed rule may name its peer as "<account>/sg-..." (user id / group id
            # pair, as the moto emulator returns it): the group id is what identifies it.
            group = group.rsplit("/", 1)[-1] if "/sg-" in group else group
            rules.append(replace(base, group=self.rel(group)))
        if values.get("self"):
            rules.append(replace(base, group=self.rel(own)))
        for prefix_list in listed("prefix_list_ids", "prefix_list_id"):
            rules.append(replace(base, prefix_list=prefix_list))
        return rules

    def security_groups(self) -> None:
        rules: dict[str, list[SgRule]] = {}
        meta: dict[str, tuple[Instance, bool]] = {}
        for inst in self._members("aws_security_group"):
            meta[inst.key] = (inst, False)
        for inst in self._members("aws_default_security_group"):
            meta[inst.key] = (inst, True)
        for key in meta:
            rules[key] = []
        for inst, owner in self._owned("aws_security_group_rule", "security_group_id"):
            values = self._fill(inst, ("source_security_group_id", "prefix_list_ids"))
            egress = values.get("type") == "egress"
            rules[owner[0]] += self._sg_rules(values, egress, owner[0], inst.source)
        for kind in ("aws_vpc_security_group_ingress_rule", "aws_vpc_security_group_egress_rule"):
            for inst, owner in self._owned(kind, "security_group_id"):
                values = self._fill(inst, ("referenced_security_group_id", "prefix_list_id"))
                rules[owner[0]] += self._sg_rules(values, kind.endswith("egress_rule"), owner[0],
                                                  inst.source)
        for key, (inst, _) in meta.items():
            # Terraform removes AWS's default allow-all egress from groups it creates (and
            # every rule from the default group it adopts): inline rules are all there is.
            seen = {self._rule_key(r) for r in rules[key]}
            for egress in (False, True):
                attr = "egress" if egress else "ingress"
                for index, block in self._blocks(inst, attr, SG_BLOCK):
                    for rule in self._sg_rules(block, egress, key,
                                               f"{inst.source} {attr}[{index}]"):
                        if self._rule_key(rule) not in seen:
                            seen.add(self._rule_key(rule))
                            rules[key].append(rule)
            self.out.groups[key] = SecurityGroup(
                id=self.rel(key), rules=tuple(rules[key]),
                tier=tag(inst.values, self.tier_tag), name=tag(inst.values, "Name")
                or inst.values.get("name") or None, is_default=meta[key][1], source=inst.source)
        if not any(d for _, d in meta.values()):
            vpc = self._inst(self.vpc_key)
            real = vpc.values.get("default_security_group_id") if vpc is not None else None
            key = str(real) if real else DEFAULT_SECURITY_GROUP_ID
            source = "VPC default security group (unmanaged: AWS defaults)"
            # AWS's default group: all inbound from itself, all outbound.
            self.out.groups[key] = SecurityGroup(
                key, (SgRule(False, "-1", group=key, source=source),
                      SgRule(True, "-1", cidr="0.0.0.0/0", source=source)),
                name="default", is_default=True, source=source)

    @staticmethod
    def _rule_key(rule: SgRule) -> tuple[object, ...]:
        return (rule.egress, rule.protocol, rule.from_port, rule.to_port, rule.cidr, rule.group,
                rule.prefix_list)

    def _fill(self, inst: Instance, attrs: Sequence[str]) -> dict[str, Any]:
        """Values with unknown reference attributes replaced by their resolved keys."""
        values = dict(inst.values)
        for attr in attrs:
            if attr in values:
                continue
            got = self._ids(inst, attr, scalar=not attr.endswith("s"))
            values[attr] = [] if got is None else got
        return values


def assemble(instances: Sequence[Instance], wiring: Wiring, *, source: Source,
             tier_tag: str = "Tier", named_networks: Mapping[str, IPv4Network] | None = None,
             tier_groups: Mapping[str, Sequence[str]] | None = None) -> Network:
    """Build the Network of the VPC with the most subnets from instances and their wiring."""
    asm = _Assembler(instances, wiring, source=source, tier_tag=tier_tag)
    vpc, cidrs = asm.choose_vpc()
    asm.subnets()
    igws, nats = asm.gateways()
    asm.route_tables()
    endpoints = asm.endpoints()
    asm.nacls()
    asm.security_groups()
    out = asm.out
    return Network(
        source=source, vpc_cidrs=tuple(cidrs),
        # Plans and states list resources by address; address order says nothing, so
        # subnets (and thereby Network.tiers) come in address-space order.
        subnets={s.id: s for s in sorted(out.subnets.values(), key=lambda s: s.cidr)},
        route_tables={t.id: t for t in out.tables.values()},
        nacls={n.id: n for n in out.nacls.values()},
        security_groups={g.id: g for g in out.groups.values()},
        nat_gateways=nats, internet_gateways=igws,
        endpoints={e.id: e for e in endpoints.values()},
        named_networks={k: IPv4Network(v) for k, v in (named_networks or {}).items()},
        tier_groups={t: tuple(g) for t, g in (tier_groups or {}).items()},
        unresolved=out.unresolved,
        vpc_id=asm.rel(vpc.key) if vpc is not None else "vpc",
    )


# ------------------------------------------------------------------ state

def iter_module_resources(module: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    """Managed resources of a ``root_module`` and, depth first, its child modules."""
    for resource in module.get("resources", []) or []:
        if resource.get("mode", "managed") == "managed":
            yield resource
    for child in module.get("child_modules", []) or []:
        yield from iter_module_resources(child)


class _StateWiring:
    """In state every reference is already an AWS id."""

    def ids(self, inst: Instance, attr: str, *, scalar: bool) -> list[str] | Unresolved:
        value = inst.values.get(attr)
        if value is None or value == "":
            return []
        if isinstance(value, str):
            return [value]
        return [str(v) for v in value if v]

    def blocks(self, inst: Instance, attr: str,
               ref_fields: Mapping[str, tuple[str, ...]]) -> list[dict[str, Any]] | Unresolved:
        return [dict(b) for b in inst.values.get(attr) or []]


def network_from_state(state: Mapping[str, Any], *, tier_tag: str = "Tier",
                       named_networks: Mapping[str, IPv4Network] | None = None,
                       tier_groups: Mapping[str, Sequence[str]] | None = None) -> Network:
    """The Network recorded in ``terraform show -json`` state; ids are AWS ids."""
    root = (state.get("values") or {}).get("root_module")
    if not isinstance(root, Mapping):
        raise ReadError("state JSON has no values.root_module: is it `terraform show -json` "
                        "output after apply?")
    instances = []
    for resource in iter_module_resources(root):
        values = resource.get("values") or {}
        aws_id = str(values.get("id") or resource["address"])
        instances.append(Instance(resource["address"], resource["type"], values, aws_id,
                                  f"{aws_id} ({resource['address']})"))
    return assemble(instances, _StateWiring(), source="state", tier_tag=tier_tag,
                    named_networks=named_networks, tier_groups=tier_groups)


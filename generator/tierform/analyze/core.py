"""Reachability between tiers, named networks and the internet (docs/network-semantics.md).

The address space is cut into *atoms*: each CIDR that appears anywhere (VPC, subnets,
routes, NACL entries, security group rules, named networks) minus the CIDRs nested in
it. Every address of an atom matches exactly the same rules, so evaluating one atom
per (endpoint, route table, NACL, relevant CIDRs) class is exact, and partial overlaps
(a rule for 10.0.1.0/25 against the subnet 10.0.1.0/24) come out right. Ports are
handled as interval sets, never enumerated. query() evaluates one pair of host classes
at a time; analyze() gets the same answers from unions per tier profile (see _reach), in
time linear in the host classes per profile rather than quadratic.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from ipaddress import IPv4Network, ip_network
from typing import Literal

from tierform.aws import DEFAULT_EPHEMERAL, INTERNET
from tierform.errors import TierformError
from tierform.network.model import (
    NaclEntry,
    NatGateway,
    Network,
    Route,
    RouteTable,
    SecurityGroup,
    SgRule,
    Unresolved,
)
from tierform.ports import PortSet

__all__ = [
    "DEFAULT_EPHEMERAL",
    "INTERNET",
    "PLACEMENT_ASSUMPTION",
    "PROTOCOLS",
    "Exposure",
    "Flow",
    "Layer",
    "LegCheck",
    "ProtocolName",
    "QueryResult",
    "Reachability",
    "TierInfo",
    "analyze",
    "query",
]

Layer = Literal["routes", "nacls", "security_groups"]
Exposure = Literal["public", "private", "isolated"]
ProtocolName = Literal["tcp", "udp", "icmp"]
PROTOCOLS: tuple[ProtocolName, ...] = ("tcp", "udp", "icmp")
PLACEMENT_ASSUMPTION = (
    "hosts of a tier sit in that tier's subnets and carry the security groups placed on "
    "that tier; hosts in public subnets may have public IPv4 addresses"
)
_PROTO_NUMBER: dict[str, str] = {"tcp": "6", "udp": "17", "icmp": "1"}
_PROTO_INDEX: dict[str, int] = {name: index for index, name in enumerate(PROTOCOLS)}
_EXPOSURE_RANK: dict[Exposure, int] = {"isolated": 0, "private": 1, "public": 2}

_Net = tuple[int, int]  # (network address as int, prefix length): cheaper than IPv4Network
_Leg = Literal["forward", "return"]


@dataclass(frozen=True)
class TierInfo:
    subnets: list[str]
    exposure: Exposure


@dataclass(frozen=True)
class Flow:
    """Connections ``src`` may open to ``dst``: reachable destination ports (None for icmp)."""

    src: str
    dst: str
    protocol: ProtocolName
    ports: PortSet | None


@dataclass(frozen=True)
class Reachability:
    tiers: dict[str, TierInfo]
    flows: list[Flow]
    warnings: list[str]
    unresolved: list[Unresolved]
    assumptions: list[str]
    endpoints: list[str] = field(default_factory=list)
    failed_open: Layer | None = None

    def ports(self, src: str, dst: str, protocol: ProtocolName) -> PortSet:
        """Reachable destination ports (icmp: full when reachable, else empty)."""
        for flow in self.flows:
            if (flow.src, flow.dst, flow.protocol) == (src, dst, protocol):
                return flow.ports if flow.ports is not None else PortSet.full()
        return PortSet.empty()

    def reachable(self, src: str, dst: str, protocol: ProtocolName, port: int = 0) -> bool:
        return port in self.ports(src, dst, protocol)


@dataclass(frozen=True)
class LegCheck:
    """One layer's verdict on one leg (``forward``: the opening packet; ``return``: the reply)."""

    leg: Literal["forward", "return"]
    layer: Layer
    ok: bool
    resource: str
    detail: str


@dataclass(frozen=True)
class QueryResult:
    reachable: bool
    legs: list[LegCheck]
    src: str = ""
    dst: str = ""
    protocol: str = ""
    port: int | None = None

    @property
    def blocking(self) -> list[LegCheck]:
        return [leg for leg in self.legs if not leg.ok]


# ---------------------------------------------------------------------------------------
# Address atoms


def _as_net(value: IPv4Network | str | None) -> _Net | None:
    """IPv4 CIDR -> (int, prefixlen); IPv6, prefix lists and junk -> None (no IPv4 match)."""
    if value is None:
        return None
    if isinstance(value, IPv4Network):
        net: IPv4Network = value
    else:
        try:
            parsed = ip_network(value, strict=False)
        except ValueError:
            return None
        if not isinstance(parsed, IPv4Network):
            return None
        net = parsed
    return (int(net.network_address), net.prefixlen)


def _cidr_text(net: _Net) -> str:
    return str(IPv4Network(net))


def _mask(prefixlen: int) -> int:
    return (0xFFFFFFFF << (32 - prefixlen)) & 0xFFFFFFFF


@dataclass(frozen=True)
class _Atom:
    node: _Net
    chain: tuple[_Net, ...]  # every CIDR containing the atom, most specific first


def _atoms(cidrs: Iterable[_Net]) -> list[_Atom]:
    """Cut IPv4 into atoms: each CIDR minus its nested CIDRs, when something is left."""
    nodes = sorted(set(cidrs) | {(0, 0)}, key=lambda n: (n[1], n[0]))
    present = set(nodes)
    parent: dict[_Net, _Net | None] = {}
    covered: dict[_Net, int] = dict.fromkeys(nodes, 0)
    for node in nodes:
        addr, plen = node
        parent[node] = None
        for q in range(plen - 1, -1, -1):
            sup = (addr & _mask(q), q)
            if sup in present:
                parent[node] = sup
                covered[sup] += 1 << (32 - plen)
                break
    atoms: list[_Atom] = []
    chains: dict[_Net, tuple[_Net, ...]] = {}
    for node in nodes:
        up = parent[node]
        chains[node] = (node, *(chains[up] if up is not None else ()))
        if (1 << (32 - node[1])) > covered[node]:
            atoms.append(_Atom(node, chains[node]))
    return atoms


# ---------------------------------------------------------------------------------------
# Compiled network


@dataclass(frozen=True)
class _Host:
    """A class of hosts that every layer treats alike."""

    endpoint: str
    tier: str | None
    subnets: frozenset[str]
    table: str | None
    nacl: str | None
    key: int
    cidr: str  # an example address block, for messages


@dataclass(frozen=True)
class _Filter:
    leg: Literal["forward", "return"]
    layer: Literal["nacls", "security_groups"]
    owner: str  # NACL id or tier
    egress: bool
    peer_key: int
    peer_endpoint: str
    ephemeral: bool  # the reply's destination port is the client's ephemeral port
    where: str
    peer_cidr: str = ""  # the peer's example address block, for warnings


@dataclass(frozen=True)
class _OutRoute:
    ok: bool
    nat_subnet: str | None  # set when the path goes through a NAT gateway
    detail: str


@dataclass
class _Path:
    routes: list[LegCheck]
    filters: list[_Filter]

    @property
    def routed(self) -> bool:
        return all(check.ok for check in self.routes)


@dataclass(frozen=True)
class _NaclRule:
    number: int
    protocol: str
    ports: PortSet
    net: _Net | None
    allow: bool
    entry: NaclEntry


@dataclass(frozen=True)
class _SgRule:
    group: SecurityGroup
    protocol: str
    ports: PortSet
    net: _Net | None
    peer_group: str | None
    rule: SgRule


_PerProtocol = tuple[PortSet, PortSet, PortSet]  # one entry per name in PROTOCOLS
_NONE: _PerProtocol = (PortSet.empty(),) * 3
_ALL: _PerProtocol = (PortSet.full(),) * 3


def _first_match(rules: Iterable[_NaclRule]) -> PortSet:
    """A2 over ports: each port is decided by the first entry (in order) that covers it."""
    remaining = PortSet.full()
    allowed = PortSet.empty()
    for rule in rules:
        decided = remaining & rule.ports
        if not decided:
            continue
        if rule.allow:
            allowed = allowed | decided
        remaining = remaining - decided
        if not remaining:
            break
    return allowed


def _union(sets: Iterable[PortSet]) -> PortSet:
    found = PortSet.empty()
    for ports in sets:
        found = found | ports
    return found


def _rule_ports(protocol: str, low: int, high: int) -> PortSet:
    # Protocol -1 and icmp carry no ports (icmp from/to are type/code): the whole range.
    if protocol in ("6", "17"):
        return PortSet.range(low, high)
    return PortSet.full()


class _Model:
    """The network compiled for fast, cached evaluation of every layer."""

    def __init__(self, network: Network, ephemeral: tuple[int, int],
                 failed_open: Layer | None) -> None:
        self.network = network
        self.failed_open = failed_open
        self.ephemeral = PortSet.range(*ephemeral)
        self.warnings: list[str] = []
        self.vpc = [n for n in (_as_net(c) for c in network.vpc_cidrs) if n is not None]
        self.named = {name: n for name, cidr in network.named_networks.items()
                      if (n := _as_net(cidr)) is not None}
        # An internet gateway forwards only public addresses: a named network in private
        # address space (RFC 1918...) is reached by a direct link (VGW, TGW, peering) only.
        self.public_endpoints = {INTERNET} | {name for name, cidr in
                                              network.named_networks.items()
                                              if not cidr.is_private}
        self._compile_tables()
        self._compile_nacls()
        self._compile_groups()
        self._build_hosts()
        self._lpm_cache: dict[tuple[str | None, int], Route | None] = {}
        self._candidates_cache: dict[tuple[str, bool, tuple[_Net, ...]],
                                     tuple[_NaclRule, ...]] = {}
        self._nacl_cache: dict[tuple[str, bool, int], _PerProtocol] = {}
        self._nacl_by_view: dict[tuple[str, bool, tuple[_Net, ...]], _PerProtocol] = {}
        self._sg_by_view: dict[tuple[str, bool, tuple[_Net, ...], tuple[str, ...]],
                               _PerProtocol] = {}
        self._sg_cache: dict[tuple[str, bool, int, str], _PerProtocol] = {}
        self._in_cache: dict[tuple[str | None, int, str], tuple[bool, str]] = {}
        self._out_cache: dict[tuple[str | None, int, str], _OutRoute] = {}

    # -- compilation -------------------------------------------------------------------

    def _compile_tables(self) -> None:
        net = self.network
        self.tables: dict[str, dict[_Net, Route]] = {}
        self.relevant: set[_Net] = {(0, 0), *self.vpc, *self.named.values()}
        for table in net.route_tables.values():
            routes: dict[_Net, Route] = {}
            for vpc_cidr in net.vpc_cidrs:  # R1: implicit local route per VPC CIDR
                key = _as_net(vpc_cidr)
                if key is not None:
                    routes[key] = Route(str(vpc_cidr), "local", "local",
                                        source=f"{table.source or table.id} local route")
            for route in table.routes:
                key = _as_net(route.destination)
                if key is None or route.kind == "endpoint":
                    continue  # R5: prefix-list routes reach AWS services, not addresses here
                routes[key] = route
                self.relevant.add(key)
            self.tables[table.id] = routes
        main = next((t for t in net.route_tables.values() if t.is_main), None)
        self.table_of: dict[str, str | None] = {}
        for subnet_id in net.subnets:
            self.table_of[subnet_id] = main.id if main else None
        for table in net.route_tables.values():
            for subnet_id in table.subnet_ids:
                if subnet_id in self.table_of:
                    self.table_of[subnet_id] = table.id

    def _compile_nacls(self) -> None:
        net = self.network
        self.nacl_rules: dict[tuple[str, bool], list[_NaclRule]] = {}
        self.nacl_index: dict[tuple[str, bool], dict[_Net, list[_NaclRule]]] = {}
        for nacl in net.nacls.values():
            for egress in (False, True):
                rules = []
                for entry in sorted((e for e in nacl.entries if e.egress == egress),
                                    key=lambda e: e.rule_number):
                    cidr = _as_net(entry.cidr)
                    if cidr is not None:
                        self.relevant.add(cidr)
                    protocol = str(entry.protocol)
                    rules.append(_NaclRule(entry.rule_number, protocol,
                                           _rule_ports(protocol, entry.from_port, entry.to_port),
                                           cidr, entry.action == "allow", entry))
                self.nacl_rules[(nacl.id, egress)] = rules
                index: dict[_Net, list[_NaclRule]] = {}
                for rule in rules:
                    if rule.net is not None:
                        index.setdefault(rule.net, []).append(rule)
                self.nacl_index[(nacl.id, egress)] = index
        default = next((n for n in net.nacls.values() if n.is_default), None)
        self.nacl_of: dict[str, str | None] = dict.fromkeys(net.subnets, default.id if default
                                                          else None)
        for nacl in net.nacls.values():
            if nacl.is_default:
                continue
            for subnet_id in nacl.subnet_ids:
                if subnet_id in self.nacl_of:
                    self.nacl_of[subnet_id] = nacl.id

    def _compile_groups(self) -> None:
        net = self.network
        self.groups: dict[str, list[SecurityGroup]] = {t: net.groups_of(t) for t in net.tiers}
        self.group_ids = {t: {g.id for g in groups} for t, groups in self.groups.items()}
        self.sg_rules: dict[tuple[str, bool], list[_SgRule]] = {}
        self.sg_index: dict[tuple[str, bool],
                            tuple[dict[_Net, list[_SgRule]], dict[str, list[_SgRule]]]] = {}
        for tier, groups in self.groups.items():
            if not groups:
                self.warnings.append(f"tier {tier} has no security group: its security-group "
                                     "layer is unconstrained")
            for egress in (False, True):
                rules = []
                for group in groups:
                    for rule in group.rules:
                        if rule.egress != egress:
                            continue
                        cidr = _as_net(rule.cidr)
                        if cidr is not None:
                            self.relevant.add(cidr)
                        protocol = str(rule.protocol)
                        rules.append(_SgRule(group, protocol,
                                             _rule_ports(protocol, rule.from_port, rule.to_port),
                                             cidr, rule.group, rule))
                self.sg_rules[(tier, egress)] = rules
                by_net: dict[_Net, list[_SgRule]] = {}
                by_group: dict[str, list[_SgRule]] = {}
                for sg_rule in rules:
                    if sg_rule.net is not None:
                        by_net.setdefault(sg_rule.net, []).append(sg_rule)
                    if sg_rule.peer_group is not None:
                        by_group.setdefault(sg_rule.peer_group, []).append(sg_rule)
                self.sg_index[(tier, egress)] = (by_net, by_group)

    def _build_hosts(self) -> None:
        net = self.network
        subnet_nets = {cidr: s for s in net.subnets.values()
                       if (cidr := _as_net(s.cidr)) is not None}
        named_nets = {n: name for name, n in self.named.items()}
        vpc_nets = set(self.vpc)
        self.key_chain: list[tuple[_Net, ...]] = []
        self.key_set: list[frozenset[_Net]] = []
        key_ids: dict[tuple[_Net, ...], int] = {}
        classes: dict[tuple[str, str | None, str | None, int], set[str]] = {}
        examples: dict[tuple[str, str | None, str | None, int], str] = {}
        for atom in _atoms([*self.relevant, *subnet_nets]):
            relevant = tuple(n for n in atom.chain if n in self.relevant)
            key = key_ids.get(relevant)
            if key is None:
                key = key_ids[relevant] = len(self.key_chain)
                self.key_chain.append(relevant)
                self.key_set.append(frozenset(relevant))
            subnet = next((subnet_nets[n] for n in atom.chain if n in subnet_nets), None)
            if subnet is not None:
                if subnet.tier is None:
                    continue  # untiered subnets are not endpoints
                ident = (subnet.tier, self.table_of.get(subnet.id), self.nacl_of.get(subnet.id),
                         key)
                classes.setdefault(ident, set()).add(subnet.id)
            else:
                named = next((named_nets[n] for n in atom.chain if n in named_nets), None)
                if named is None and any(n in vpc_nets for n in atom.chain):
                    continue  # VPC addresses outside every subnet hold no hosts
                ident = (named or INTERNET, None, None, key)
                classes.setdefault(ident, set())
            examples.setdefault(ident, _cidr_text(atom.node))
        self.hosts: list[_Host] = []
        for ident, subnet_ids in classes.items():
            endpoint, table, nacl, key = ident
            tier = endpoint if subnet_ids else None
            self.hosts.append(_Host(endpoint, tier, frozenset(subnet_ids), table, nacl, key,
                                    examples[ident]))

    # -- layer lookups -----------------------------------------------------------------

    def lpm(self, table: str | None, key: int) -> Route | None:
        """R2: the longest-prefix route for the atom class ``key``."""
        cached = self._lpm_cache.get((table, key), self)
        if cached is not self:
            return cached  # type: ignore[return-value]
        routes = self.tables.get(table or "", {})
        found = next((routes[n] for n in self.key_chain[key] if n in routes), None)
        if table is None or table not in self.tables:
            # No table at all: only the implicit local routes.
            found = next((Route(_cidr_text(n), "local", "local", source="local route")
                          for n in self.key_chain[key] if n in self.vpc), None)
        self._lpm_cache[(table, key)] = found
        return found

    # A peer is seen by a NACL or a security group only through the CIDRs (and groups) it
    # has rules for: atom classes with the same view get the same answer, computed once.

    def _nacl_view(self, nacl: str, egress: bool, key: int) -> tuple[_Net, ...]:
        index = self.nacl_index.get((nacl, egress), {})
        return tuple(n for n in self.key_chain[key] if n in index)

    def _nacl_candidates(self, nacl: str, egress: bool, key: int) -> tuple[_NaclRule, ...]:
        """Entries whose CIDR holds the atom class ``key``, in rule-number order."""
        view = self._nacl_view(nacl, egress, key)
        cache_key = (nacl, egress, view)
        found = self._candidates_cache.get(cache_key)
        if found is None:
            index = self.nacl_index[(nacl, egress)] if view else {}
            matching = [r for n in view for r in index[n]]
            matching.sort(key=lambda r: r.number)
            found = self._candidates_cache[cache_key] = tuple(matching)
        return found

    def nacl_ports(self, nacl: str | None, egress: bool, key: int, protocol: str) -> PortSet:
        """A2: destination ports the first matching entries allow for this peer."""
        return self.nacl_ports_all(nacl, egress, key)[_PROTO_INDEX[protocol]]

    def nacl_ports_all(self, nacl: str | None, egress: bool, key: int) -> _PerProtocol:
        """nacl_ports for each of PROTOCOLS at once."""
        if nacl is None:
            return _NONE
        cache_key = (nacl, egress, key)
        cached = self._nacl_cache.get(cache_key)
        if cached is None:
            view_key = (nacl, egress, self._nacl_view(nacl, egress, key))
            cached = self._nacl_by_view.get(view_key)
            if cached is None:
                candidates = self._nacl_candidates(nacl, egress, key)
                tcp, udp, icmp = (_first_match(r for r in candidates
                                               if r.protocol in ("-1", _PROTO_NUMBER[name]))
                                  for name in PROTOCOLS)
                cached = self._nacl_by_view[view_key] = (tcp, udp, icmp)
            self._nacl_cache[cache_key] = cached
        return cached

    def nacl_decision(self, nacl: str, egress: bool, key: int, protocol: str,
                      port: int) -> _NaclRule | None:
        number = _PROTO_NUMBER[protocol]
        for rule in self._nacl_candidates(nacl, egress, key):
            if rule.protocol in ("-1", number) and port in rule.ports:
                return rule
        return None

    def sg_ports(self, tier: str, egress: bool, key: int, peer: str, protocol: str) -> PortSet:
        """S1/S3: ports the union of the tier's groups allows to or from this peer."""
        return self.sg_ports_all(tier, egress, key, peer)[_PROTO_INDEX[protocol]]

    def sg_ports_all(self, tier: str, egress: bool, key: int, peer: str) -> _PerProtocol:
        """sg_ports for each of PROTOCOLS at once."""
        if not self.groups.get(tier):
            return _ALL  # no group placed: unconstrained (reported)
        cache_key = (tier, egress, key, peer)
        cached = self._sg_cache.get(cache_key)
        if cached is None:
            by_net, by_group = self.sg_index[(tier, egress)]
            view_key = (tier, egress,
                        tuple(n for n in self.key_chain[key] if n in by_net),
                        tuple(sorted(g for g in self.group_ids.get(peer, ()) if g in by_group)))
            cached = self._sg_by_view.get(view_key)
            if cached is None:
                tcp, udp, icmp = (_union(r.ports for r in self._sg_matches(tier, egress, key,
                                                                          peer, name))
                                  for name in PROTOCOLS)
                cached = self._sg_by_view[view_key] = (tcp, udp, icmp)
            self._sg_cache[cache_key] = cached
        return cached

    def _sg_matches(self, tier: str, egress: bool, key: int, peer: str,
                    protocol: str) -> list[_SgRule]:
        number = _PROTO_NUMBER[protocol]
        by_net, by_group = self.sg_index[(tier, egress)]
        candidates = [r for n in self.key_chain[key] for r in by_net.get(n, ())]
        candidates += [r for g in self.group_ids.get(peer, ()) for r in by_group.get(g, ())]
        return [r for r in candidates if r.protocol in ("-1", number)]

    # -- paths ---------------------------------------------------------------------------

    def table_name(self, table: str | None) -> str:
        if table is None:
            return "no route table"
        found: RouteTable | None = self.network.route_tables.get(table)
        return (found.source or found.id) if found else table

    def nacl_name(self, nacl: str) -> str:
        found = self.network.nacls.get(nacl)
        return (found.source or found.id) if found else nacl

    def local_ok(self, table: str | None, key: int) -> bool:
        """Inside the VPC a packet is delivered when the longest-prefix route is local."""
        if self.failed_open == "routes":
            return True
        route = self.lpm(table, key)
        return route is not None and route.kind == "local"

    def in_route(self, table: str | None, src: _Host) -> tuple[bool, str]:
        """From outside into a subnet: the reply must leave through an internet gateway (R3),
        or a direct link for named networks; replies sent to a NAT are never NATed back (R4)."""
        cache_key = (table, src.key, src.endpoint)
        cached = self._in_cache.get(cache_key)
        if cached is not None:
            return cached
        route = self.lpm(table, src.key)
        if self.failed_open == "routes":
            ok = True
        elif route is None:
            ok = False
        elif route.kind == "igw":
            ok = src.endpoint in self.public_endpoints
        else:
            ok = route.kind == "other" and src.endpoint != INTERNET
        detail = _route_detail(route, src.cidr)
        if route is not None and route.kind == "igw" and not ok:
            detail += _PRIVATE_VIA_IGW.format(src.endpoint)
        if route is not None and route.kind == "nat":
            detail += " (a NAT gateway carries only connections opened from inside)"
        self._in_cache[cache_key] = (ok, detail)
        return ok, detail

    def out_route(self, table: str | None, dst: _Host) -> _OutRoute:
        """From a subnet to an outside address: direct (IGW, or a VPN/TGW/peering link for
        named networks), or through a NAT gateway onwards by the NAT subnet's table (R4)."""
        cache_key = (table, dst.key, dst.endpoint)
        cached = self._out_cache.get(cache_key)
        if cached is not None:
            return cached
        route = self.lpm(table, dst.key)
        public = dst.endpoint in self.public_endpoints
        direct = self.failed_open == "routes" or (route is not None and (
            (route.kind == "igw" and public)
            or (route.kind == "other" and dst.endpoint != INTERNET)))
        if direct or route is None or route.kind != "nat":
            detail = _route_detail(route, dst.cidr)
            if route is not None and route.kind == "igw" and not direct:
                detail += _PRIVATE_VIA_IGW.format(dst.endpoint)
            result = _OutRoute(direct, None, detail)
        else:
            result = self._nat_route(route, dst, public)
        self._out_cache[cache_key] = result
        return result

    def _nat_route(self, route: Route, dst: _Host, public: bool) -> _OutRoute:
        gateway: NatGateway | None = self.network.nat_gateways.get(route.target or "")
        if gateway is None:
            return _OutRoute(False, None, f"route {route.source or route.destination} targets "
                                          f"an unknown NAT gateway {route.target}")
        name = gateway.source or gateway.id
        if not gateway.public:
            return _OutRoute(False, None, f"NAT gateway {name} is private: no internet path")
        nat_table = self.table_of.get(gateway.subnet_id)
        onward = self.lpm(nat_table, dst.key)
        if onward is None or not ((onward.kind == "igw" and public) or (
                onward.kind == "other" and dst.endpoint != INTERNET)):
            return _OutRoute(False, None, (
                f"NAT gateway {name} sits in subnet {gateway.subnet_id} whose table "
                f"{self.table_name(nat_table)} does not route {dst.cidr} to an internet "
                f"gateway ({_route_detail(onward, dst.cidr)})"))
        return _OutRoute(True, gateway.subnet_id,
                         f"via NAT gateway {name}, then {self.table_name(nat_table)}: "
                         f"{_route_detail(onward, dst.cidr)}")

    def path(self, src: _Host, dst: _Host, same_subnet: bool) -> _Path | None:
        """The layers a connection from ``src`` to ``dst`` crosses; None when not a flow.
        (query() explains with it; analyze() evaluates the same legs in _reach.)"""
        if src.tier is None and dst.tier is None:
            return None
        filters: list[_Filter] = []
        checks: list[LegCheck] = []
        if src.tier is not None:
            filters.append(_Filter("forward", "security_groups", src.tier, True, dst.key,
                                   dst.endpoint, False, f"{src.tier} egress"))
        if dst.tier is not None:
            filters.append(_Filter("forward", "security_groups", dst.tier, False, src.key,
                                   src.endpoint, False, f"{dst.tier} ingress"))
        if same_subnet:  # A4: no route table, no NACL inside one subnet
            return _Path(checks, filters)

        def nacl(owner: str | None, egress: bool, peer: _Host, leg: _Leg, where: str) -> None:
            filters.append(_Filter(leg, "nacls", owner or "", egress, peer.key, peer.endpoint,
                                   leg == "return", where, peer.cidr))

        def route(leg: _Leg, ok: bool, table: str | None, detail: str) -> None:
            checks.append(LegCheck(leg, "routes", ok, self.table_name(table), detail))

        if src.tier is not None and dst.tier is not None:
            for leg, host, peer in (("forward", src, dst), ("return", dst, src)):
                found = self.lpm(host.table, peer.key)
                route(leg, self.local_ok(host.table, peer.key),  # type: ignore[arg-type]
                      host.table, _route_detail(found, peer.cidr))
            nacl(src.nacl, True, dst, "forward", f"{src.endpoint} {src.cidr} outbound")
            nacl(dst.nacl, False, src, "forward", f"{dst.endpoint} {dst.cidr} inbound")
            nacl(dst.nacl, True, src, "return", f"{dst.endpoint} {dst.cidr} outbound")
            nacl(src.nacl, False, dst, "return", f"{src.endpoint} {src.cidr} inbound")
        elif src.tier is not None:
            out = self.out_route(src.table, dst)
            route("forward", out.ok, src.table, out.detail)
            route("return", out.ok, src.table, "replies come back the same way" if out.ok
                  else out.detail)
            nacl(src.nacl, True, dst, "forward", f"{src.endpoint} {src.cidr} outbound")
            nat_nacl = self.nacl_of.get(out.nat_subnet) if out.nat_subnet else None
            if nat_nacl is not None:  # A5: both legs cross the NAT subnet's NACL
                where = f"NAT subnet {out.nat_subnet}"
                nacl(nat_nacl, False, src, "forward", f"{where} inbound from {src.endpoint}")
                nacl(nat_nacl, True, dst, "forward", f"{where} outbound to {dst.endpoint}")
                nacl(nat_nacl, False, dst, "return", f"{where} inbound from {dst.endpoint}")
                nacl(nat_nacl, True, src, "return", f"{where} outbound to {src.endpoint}")
            # A5: the reply reaches the subnet with the outside host's address as source.
            nacl(src.nacl, False, dst, "return", f"{src.endpoint} {src.cidr} inbound")
        else:
            ok, detail = self.in_route(dst.table, src)
            route("forward", ok, dst.table, f"{src.endpoint} reaches {dst.endpoint} only if "
                  f"its subnet is public: {detail}")
            route("return", ok, dst.table, detail)
            nacl(dst.nacl, False, src, "forward", f"{dst.endpoint} {dst.cidr} inbound")
            nacl(dst.nacl, True, src, "return", f"{dst.endpoint} {dst.cidr} outbound")
        return _Path(checks, filters)

    # -- evaluation ----------------------------------------------------------------------

    def filter_ports(self, filt: _Filter, protocol: str) -> PortSet:
        if filt.layer == "nacls":
            if self.failed_open == "nacls":
                return PortSet.full()
            return self.nacl_ports(filt.owner or None, filt.egress, filt.peer_key, protocol)
        if self.failed_open == "security_groups":
            return PortSet.full()
        return self.sg_ports(filt.owner, filt.egress, filt.peer_key, filt.peer_endpoint, protocol)

    def evaluate(self, path: _Path, protocol: str) -> tuple[PortSet, list[_Filter]]:
        """Reachable destination ports, and the return-leg filters allowing only part of
        the ephemeral range (A3)."""
        if not path.routed:
            return PortSet.empty(), []
        ports = PortSet.full()
        for filt in path.filters:
            if not filt.ephemeral:
                ports = ports & self.filter_ports(filt, protocol)
                if not ports:
                    return ports, []
        partial = []
        for filt in path.filters:
            if filt.ephemeral:
                back = self.filter_ports(filt, protocol) & self.ephemeral
                if not back:
                    return PortSet.empty(), []
                if back != self.ephemeral:
                    partial.append(filt)
        return ports, partial

    def explain(self, path: _Path, protocol: str, port: int) -> list[LegCheck]:
        """Every layer's verdict for one destination port."""
        legs = list(path.routes)
        for filt in path.filters:
            allowed = self.filter_ports(filt, protocol)
            layer_open = self.failed_open == filt.layer
            if filt.layer == "nacls":
                legs.append(self._explain_nacl(filt, protocol, port, allowed, layer_open))
            else:
                legs.append(self._explain_sg(filt, protocol, port, allowed, layer_open))
        return legs

    def _explain_nacl(self, filt: _Filter, protocol: str, port: int, allowed: PortSet,
                      layer_open: bool) -> LegCheck:
        name = self.nacl_name(filt.owner) if filt.owner else "no NACL"
        if layer_open:
            return LegCheck(filt.leg, "nacls", True, name, f"{filt.where}: failed open")
        if filt.ephemeral:
            back = allowed & self.ephemeral
            probe = (self.ephemeral - back).first() if back != self.ephemeral else None
            rule = self.nacl_decision(filt.owner, filt.egress, filt.peer_key, protocol,
                                      probe if probe is not None else self.ephemeral.first() or 0)
            where = _rule_text(name, rule)
            return LegCheck(filt.leg, "nacls", bool(back), where,
                            f"{filt.where}: reply to ephemeral ports {self.ephemeral}: "
                            f"allowed {back}")
        rule = self.nacl_decision(filt.owner, filt.egress, filt.peer_key, protocol, port) \
            if filt.owner else None
        ok = port in allowed if protocol != "icmp" else bool(allowed)
        return LegCheck(filt.leg, "nacls", ok, _rule_text(name, rule),
                        f"{filt.where}: {protocol} {'' if protocol == 'icmp' else port} "
                        f"{'allowed' if ok else 'denied'}".replace("  ", " "))

    def _explain_sg(self, filt: _Filter, protocol: str, port: int, allowed: PortSet,
                    layer_open: bool) -> LegCheck:
        groups = self.groups.get(filt.owner, [])
        names = ", ".join(g.source or g.id for g in groups) or f"no group on {filt.owner}"
        if layer_open:
            return LegCheck(filt.leg, "security_groups", True, names, f"{filt.where}: failed open")
        if not groups:
            return LegCheck(filt.leg, "security_groups", True, names,
                            f"{filt.where}: unconstrained (no security group placed)")
        ok = port in allowed if protocol != "icmp" else bool(allowed)
        matching = [r for r in self._sg_matches(filt.owner, filt.egress, filt.peer_key,
                                                filt.peer_endpoint, protocol)
                    if protocol == "icmp" or port in r.ports]
        resource = ", ".join(sorted({r.rule.source or r.group.source or r.group.id
                                     for r in matching})) if ok else names
        return LegCheck(filt.leg, "security_groups", ok, resource,
                        f"{filt.where} to/from {filt.peer_endpoint}: "
                        f"{'allowed' if ok else 'no rule allows'} {protocol}"
                        f"{'' if protocol == 'icmp' else f' {port}'}")


_PRIVATE_VIA_IGW = (" (an internet gateway does not forward private addresses such as {}: "
                    "it needs a VPN, transit gateway or peering route)")


def _rule_text(name: str, rule: _NaclRule | None) -> str:
    if rule is None:
        return f"{name} (no rule matches: implicit deny)"
    return f"{name} rule {rule.number} ({'allow' if rule.allow else 'deny'})"


def _route_detail(route: Route | None, cidr: str) -> str:
    if route is None:
        return f"no route to {cidr}"
    target = f" {route.target}" if route.target and route.kind != "local" else ""
    return (f"{route.destination} -> {route.kind}{target}"
            f"{f' ({route.source})' if route.source else ''}")


# ---------------------------------------------------------------------------------------
# Public API


def _same_subnet_and_cross(src: _Host, dst: _Host) -> tuple[bool, bool]:
    """Whether the classes share a subnet (A4), and whether they span two distinct subnets."""
    if src.tier is None or dst.tier is None:
        return False, True
    shared = bool(src.subnets & dst.subnets)
    cross = not (len(src.subnets) == 1 and src.subnets == dst.subnets)
    return shared, cross


def _exposures(model: _Model) -> tuple[dict[str, TierInfo], list[str]]:
    """R6 from routes: public (IGW route), private (NAT onwards to an IGW), isolated."""
    net = model.network
    internet = [h for h in model.hosts if h.endpoint == INTERNET]
    per_subnet: dict[str, Exposure] = {}
    for subnet in net.subnets.values():
        table = model.table_of.get(subnet.id)
        exposure: Exposure = "isolated"
        for host in internet:
            route = model.lpm(table, host.key)
            if route is None:
                continue
            if route.kind == "igw":
                exposure = "public"
                break
            if route.kind == "nat":
                gateway = net.nat_gateways.get(route.target or "")
                if gateway is not None and gateway.public:
                    onward = model.lpm(model.table_of.get(gateway.subnet_id), host.key)
                    if onward is not None and onward.kind == "igw":
                        exposure = "private"
        per_subnet[subnet.id] = exposure
    tiers: dict[str, TierInfo] = {}
    warnings: list[str] = []
    for tier in net.tiers:
        subnets = net.subnets_of(tier)
        found = {per_subnet[s.id] for s in subnets}
        exposure = max(found, key=lambda e: _EXPOSURE_RANK[e])
        if len(found) > 1:
            warnings.append(f"tier {tier} mixes subnet exposures ({', '.join(sorted(found))}); "
                            f"reported as {exposure}")
        tiers[tier] = TierInfo([str(s.cidr) for s in subnets], exposure)
    return tiers, warnings


_Partial = tuple[str, str, str, str, bool, str, PortSet]
_Profile = tuple[str, str | None, str | None]  # (tier, route table, NACL) of a host class


def _unions_outside(items: Iterable[tuple[str | None, PortSet]]) -> Callable[[str | None],
                                                                             PortSet]:
    """The union of the port sets, leaving out those of one block (a subnet) on request.

    Hosts of one subnet do not cross its NACL or route table (A4), so a pair inside one
    subnet is not a cross-subnet flow: a host in block ``b`` pairs with every item outside
    ``b``. Items of block None pair with everything. Prefix and suffix unions over the
    blocks give each "all but one block" union in linear time."""
    empty = PortSet.empty()
    free = empty
    by_block: dict[str, PortSet] = {}
    for block, ports in items:
        if block is None:
            free = free | ports
        else:
            by_block[block] = by_block.get(block, empty) | ports
    parts = list(by_block.values())
    prefix = [empty]
    for ports in parts:
        prefix.append(prefix[-1] | ports)
    total = free | prefix[-1]
    if not by_block:
        return lambda block: total
    suffix = [empty] * (len(parts) + 1)
    for index in range(len(parts) - 1, -1, -1):
        suffix[index] = suffix[index + 1] | parts[index]
    outside = {block: free | prefix[index] | suffix[index + 1]
               for index, block in enumerate(by_block)}
    return lambda block: outside.get(block, total) if block is not None else total


def _reach(model: _Model) -> tuple[dict[tuple[str, str, str], PortSet], set[_Partial]]:
    """Every host-class pair, the same legs as _Model.path, evaluated without visiting
    every pair.

    Method. A connection between two tiered host classes ``s`` (profile P: tier, table,
    NACL) and ``d`` (profile Q) gets the ports ``out_P(d) & in_Q(s)`` when both tables
    deliver locally and both reply legs pass (A3): ``out_P(d)`` is P's egress group and
    NACL towards ``d``, ``in_Q(s)`` Q's ingress group and NACL from ``s``. A flow is the
    union over all pairs, and intersection distributes over union, so per profile pair

        ports(P, Q) = U_d out_P(d) & (U_s in_Q(s))      (pairs inside one subnet left out)

    which costs |P| + |Q| per profile pair instead of |P| * |Q|. The reply-leg warnings
    come out of the same unions: a reply leg is checked (and a partial one reported) for
    exactly the hosts that have some partner with a common port, as a pair loop would.
    Traffic to and from outside addresses is evaluated per host class (outside classes
    are few), and the same-subnet pass (groups only, A4) per subnet."""
    hosts = model.hosts
    full, empty, eph = PortSet.full(), PortSet.empty(), model.ephemeral
    nacls_open = model.failed_open == "nacls"
    sgs_open = model.failed_open == "security_groups"
    reach: dict[tuple[str, str, str], PortSet] = {}
    partial: set[_Partial] = set()
    returns: dict[tuple[str | None, bool, int, str], PortSet] = {}

    def nacl(owner: str | None, egress: bool, peer: _Host, protocol: str) -> PortSet:
        return full if nacls_open else model.nacl_ports(owner, egress, peer.key, protocol)

    def sg(tier: str, egress: bool, peer: _Host, protocol: str) -> PortSet:
        return full if sgs_open else model.sg_ports(tier, egress, peer.key, peer.endpoint,
                                                    protocol)

    def back(owner: str | None, egress: bool, peer: _Host, protocol: str,
             flow: tuple[str, str, str]) -> bool:
        """A3: a return leg must allow the client's ephemeral ports; part of them: warning."""
        cache_key = (owner, egress, peer.key, protocol)
        got = returns.get(cache_key)
        if got is None:
            got = returns[cache_key] = nacl(owner, egress, peer, protocol) & eph
        if got and got != eph:
            partial.add((*flow, owner or "", egress, peer.cidr, got))
        return bool(got)

    def add(flow: tuple[str, str, str], ports: PortSet) -> None:
        reach[flow] = reach.get(flow, empty) | ports

    # The source side (egress group and NACL) and the destination side (ingress group and
    # NACL) towards every peer class, per (tier, NACL); only non-empty entries are kept.
    out_side: dict[tuple[str, str | None], dict[int, list[PortSet]]] = {}
    in_side: dict[tuple[str, str | None], dict[int, list[PortSet]]] = {}
    for tier, owner in {(h.tier, h.nacl) for h in hosts if h.tier is not None}:
        if tier is None:
            continue
        sends: dict[int, list[PortSet]] = {}
        receives: dict[int, list[PortSet]] = {}
        for index, peer in enumerate(hosts):
            for egress, side in ((True, sends), (False, receives)):
                groups = _ALL if sgs_open else model.sg_ports_all(tier, egress, peer.key,
                                                                  peer.endpoint)
                rules = _ALL if nacls_open else model.nacl_ports_all(owner, egress, peer.key)
                allowed = [a & b for a, b in zip(groups, rules, strict=True)]
                if any(allowed):
                    side[index] = allowed
        out_side[(tier, owner)] = sends
        in_side[(tier, owner)] = receives

    profiles: dict[_Profile, list[tuple[int, _Host]]] = {}
    outside: list[tuple[int, _Host]] = []
    for index, host in enumerate(hosts):
        if host.tier is None:
            outside.append((index, host))
        else:
            profiles.setdefault((host.tier, host.table, host.nacl), []).append((index, host))

    def block(host: _Host, same_profile: bool) -> str | None:
        """The one subnet a class lies in, when its partners may share that subnet."""
        return next(iter(host.subnets)) if same_profile and len(host.subnets) == 1 else None

    for (src_tier, src_table, src_nacl), senders in profiles.items():
        outs_of = out_side[(src_tier, src_nacl)]
        for (dst_tier, dst_table, dst_nacl), receivers in profiles.items():
            same = (src_tier, src_table, src_nacl) == (dst_tier, dst_table, dst_nacl)
            ins_of = in_side[(dst_tier, dst_nacl)]
            dsts = [(block(d, same), d, outs_of[j]) for j, d in receivers
                    if j in outs_of and model.local_ok(src_table, d.key)]
            srcs = [(block(s, same), s, ins_of[i]) for i, s in senders
                    if i in ins_of and model.local_ok(dst_table, s.key)] if dsts else []
            for k, protocol in enumerate(PROTOCOLS):
                flow = (src_tier, dst_tier, protocol)
                sent = [(b, d, outs[k]) for b, d, outs in dsts if outs[k]]
                got = [(b, s, ins[k]) for b, s, ins in srcs if ins[k]]
                if not sent or not got:
                    continue
                sendable = _unions_outside((b, ports) for b, _, ports in sent)
                # Q's reply leg back to s is checked when s has a partner with a common port.
                replied = [(b, ports) for b, s, ports in got if ports & sendable(b)
                           and back(dst_nacl, True, s, protocol, flow)]
                receivable = _unions_outside(replied)
                for b, d, ports in sent:
                    ports = ports & receivable(b)
                    if ports and back(src_nacl, False, d, protocol, flow):
                        add(flow, ports)

    # Traffic between a tier and outside addresses: what the tier's side allows depends on
    # the profile only, so it is evaluated once per (profile, outside class); only the NAT
    # subnet's NACL (A5) sees the address of each host class.
    for (tier, table, owner), hosts_of in profiles.items():
        outs_of, ins_of = out_side[(tier, owner)], in_side[(tier, owner)]
        for index, peer in outside:
            outs = outs_of.get(index)
            route = model.out_route(table, peer) if outs is not None else None
            if outs is not None and route is not None and route.ok:
                nat_nacl = model.nacl_of.get(route.nat_subnet) if route.nat_subnet else None
                for i, protocol in enumerate(PROTOCOLS):
                    flow = (tier, peer.endpoint, protocol)
                    if not outs[i]:
                        continue
                    if nat_nacl is None:
                        if back(owner, False, peer, protocol, flow):
                            add(flow, outs[i])
                        continue
                    # A5: the NAT subnet's NACL, both legs (inbound sees each host class).
                    onward = outs[i] & nacl(nat_nacl, True, peer, protocol)
                    for _, src in hosts_of if onward else ():
                        ports = onward & nacl(nat_nacl, False, src, protocol)
                        if ports and back(nat_nacl, False, peer, protocol, flow) \
                                and back(nat_nacl, True, src, protocol, flow) \
                                and back(owner, False, peer, protocol, flow):
                            add(flow, ports)
            ins = ins_of.get(index)  # from outside into public subnets
            if ins is None or not model.in_route(table, peer)[0]:
                continue
            for i, protocol in enumerate(PROTOCOLS):
                flow = (peer.endpoint, tier, protocol)
                if ins[i] and back(owner, True, peer, protocol, flow):
                    add(flow, ins[i])

    by_subnet: dict[str, list[_Host]] = {}
    for host in hosts:
        for subnet in host.subnets:
            by_subnet.setdefault(subnet, []).append(host)
    for members in by_subnet.values():  # A4: inside one subnet only the groups apply
        for src in members:
            for dst in members:
                for protocol in PROTOCOLS:
                    ports = sg(src.tier or "", True, dst, protocol) \
                        & sg(dst.tier or "", False, src, protocol)
                    if ports:
                        add((src.endpoint, dst.endpoint, protocol), ports)
    return reach, partial


def analyze(network: Network, *, ephemeral: tuple[int, int] = DEFAULT_EPHEMERAL,
            failed_open: Layer | None = None) -> Reachability:
    """Every endpoint pair's reachable ports per protocol, forward and back through every layer."""
    model = _Model(network, ephemeral, failed_open)
    tiers, warnings = _exposures(model)
    warnings = model.warnings + warnings
    reach, loose = _reach(model)
    partial = {f"{src} -> {dst} {protocol}: return leg through {model.nacl_name(owner)} "
               f"({'outbound to' if egress else 'inbound from'} {cidr}) allows only {got} of "
               f"the ephemeral range {model.ephemeral}"
               for src, dst, protocol, owner, egress, cidr, got in loose}
    flows = [Flow(src, dst, protocol,  # type: ignore[arg-type]
                  None if protocol == "icmp" else ports)
             for (src, dst, protocol), ports in sorted(reach.items())]
    assumptions = [f"placement: {PLACEMENT_ASSUMPTION}",
                   f"ephemeral ports of clients and NAT gateways: {ephemeral[0]}-{ephemeral[1]}",
                   "IPv4 only; gateway-endpoint (prefix-list) routes reach AWS services, "
                   "not an endpoint here"]
    if failed_open is not None:
        assumptions.append(f"layer {failed_open} treated as failed open (allows everything)")
    endpoints = [*network.tiers, *network.named_networks, INTERNET]
    return Reachability(tiers, flows, warnings + sorted(partial), list(network.unresolved),
                        assumptions, endpoints, failed_open)


def query(network: Network, src: str, dst: str, protocol: ProtocolName, port: int, *,
          ephemeral: tuple[int, int] = DEFAULT_EPHEMERAL,
          failed_open: Layer | None = None) -> QueryResult:
    """Is one connection reachable? Each layer's verdict per leg; for a blocked flow, the
    layer and resource that block it (the host pair that got furthest is shown)."""
    if protocol not in PROTOCOLS:
        raise TierformError(f"unknown protocol {protocol!r}: use tcp, udp or icmp")
    model = _Model(network, ephemeral, failed_open)
    known = {h.endpoint for h in model.hosts}
    for name in (src, dst):
        if name not in known:
            raise TierformError(f"unknown endpoint {name!r}: known are "
                                f"{', '.join(sorted(known))}")
    best: list[LegCheck] | None = None
    for a in (h for h in model.hosts if h.endpoint == src):
        for b in (h for h in model.hosts if h.endpoint == dst):
            shared, cross = _same_subnet_and_cross(a, b)
            for same in ([False] if cross else []) + ([True] if shared else []):
                path = model.path(a, b, same)
                if path is None:
                    continue
                ports, _ = model.evaluate(path, protocol)
                legs = model.explain(path, protocol, port)
                if (protocol == "icmp" and ports) or port in ports:
                    return QueryResult(True, legs, src, dst, protocol, port)
                if best is None or sum(not c.ok for c in legs) < sum(not c.ok for c in best):
                    best = legs
    if best is None:
        best = [LegCheck("forward", "routes", False, "",
                         f"{src} -> {dst} is not a flow through this VPC")]
    return QueryResult(False, best, src, dst, protocol, port)

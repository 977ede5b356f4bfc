"""The network compiled for evaluation: host classes, route tables, NACLs and groups,
indexed by address atom, and what each layer alone says about one peer (cached).

A *host class* is a set of addresses every layer treats alike: one endpoint, one route
table, one NACL, one atom class (the CIDRs of rules that contain it). The lookups answer
one layer's question for one peer class: the longest-prefix route (R2), the ports the
first matching NACL entries allow (A2), the ports the union of a tier's groups allows
(S1, S3). Which lookups a connection needs is decided in legs.py, not here.
Rules: docs/network-semantics.md.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from ipaddress import IPv4Network, ip_network
from operator import attrgetter

from tierform.analyze.atoms import Net, Space, atoms
from tierform.analyze.firewall import FirewallVerdict, firewall_cidrs, firewall_verdict
from tierform.aws import (
    INTERNET,
    MAX_PORT,
    PORTED_PROTOCOLS,
    PROTOCOL_NUMBERS,
    PROTOCOLS,
    AddressFamily,
)
from tierform.network.model import (
    GatewayEndpoint,
    NaclEntry,
    Network,
    Route,
    RouteTable,
    SecurityGroup,
    SgRule,
)
from tierform.ports import PortRange, PortSet

__all__ = [
    "ALL",
    "NONE",
    "GroupRule",
    "Host",
    "Model",
    "NaclRule",
    "PeerClass",
    "PeerView",
    "PerProtocol",
    "Profile",
    "appliance_owner",
    "protocol_index",
]

PerProtocol = tuple[PortSet, PortSet, PortSet]
"""One port set per name in aws.PROTOCOLS (tcp, udp, icmp), in that order."""
NONE: PerProtocol = (PortSet.empty(),) * 3
ALL: PerProtocol = (PortSet.full(),) * 3
_INDEX: dict[str, int] = {name: index for index, name in enumerate(PROTOCOLS)}
_ANY = PROTOCOL_NUMBERS["all"]
_INDEX_OF_NUMBER: dict[str, int] = {
    _ANY: -1, **{PROTOCOL_NUMBERS[name]: index for index, name in enumerate(PROTOCOLS)}}
"""A rule's protocol number -> its PerProtocol position; -1 for every protocol."""
_EVERY_PORT = (0, MAX_PORT)
_NO_NETS: frozenset[Net] = frozenset()
_NO_GROUPS: frozenset[str] = frozenset()

IPV6_ENDPOINT_TYPES = frozenset({"dualstack", "ipv6"})
"""Interface endpoint ``ip_address_type`` values that give its network interfaces IPv6
addresses; ``ipv4`` gives none; anything else (not read) leaves IPv6 unknown."""

NOT_PUBLIC = tuple(IPv4Network(c) for c in (
    "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
    "192.168.0.0/16", "198.18.0.0/15"))
"""Address space AWS never puts a service's public prefix list in (RFC 1918, shared,
loopback, link-local, benchmarking): rules and routes naming only these (and 0.0.0.0/0)
treat every public address alike, so a gateway endpoint's service is placed without its
entries (R5)."""

Profile = tuple[str, str | None, str | None]
"""(tier, route table, NACL): what the layers know of a tiered host class's own subnet."""
PeerView = tuple[frozenset[Net], frozenset[str], frozenset[str | None] | None]
"""What one profile's layers see of a peer (Model.peer_view)."""


def appliance_owner(appliance_id: str) -> str:
    """The owner name an appliance's groups are filed under (beside the tiers')."""
    return f"appliance {appliance_id}"


def protocol_index(protocol: str) -> int:
    """The position of a protocol name in PerProtocol."""
    return _INDEX[protocol]


@dataclass(frozen=True)
class Host:
    """A class of hosts that every layer treats alike."""

    endpoint: str
    tier: str | None  # None: outside the VPC (a named network or the internet)
    subnets: frozenset[str]
    table: str | None
    nacl: str | None
    key: int  # the atom class: index into Model.key_chain
    cidr: str  # an example address block, for messages

    @property
    def profile(self) -> Profile:
        return (self.tier or "", self.table, self.nacl)


def _most_specific_first(net: Net) -> int:
    return -net[1]


_NUMBER = attrgetter("number")
"""A NACL rule's number, as a sort key (C-level, it sorts every view's entries)."""


@dataclass(frozen=True)
class PeerClass:
    """Hosts of one endpoint indexed by the CIDRs of their chains (Model.peer_groups)."""

    hosts: list[Host]
    positions: frozenset[int]
    nets: frozenset[Net]  # every CIDR of the hosts' chains
    under: dict[Net, frozenset[int]]  # CIDR -> the positions of the hosts it holds
    groups: frozenset[str]  # the groups the endpoint's hosts carry


@dataclass(frozen=True)
class NaclRule:
    number: int
    protocol: str
    ports: PortSet
    net: Net | None
    allow: bool
    entry: NaclEntry


@dataclass(frozen=True)
class GroupRule:
    group: SecurityGroup
    protocol: str
    ports: PortSet
    net: Net | None
    peer_group: str | None
    rule: SgRule


def _rule_ports(protocol: str, low: int, high: int,
                known: dict[tuple[int, int], PortSet]) -> PortSet:
    # Only tcp and udp carry ports (icmp from/to are type/code): others match every port.
    if protocol in PORTED_PROTOCOLS:
        found = known.get((low, high))
        if found is None:  # rules repeat few ranges: one object each
            found = known[(low, high)] = PortSet.range(low, high)
        return found
    return PortSet.full()


def _not_public(text: str) -> bool:
    """Whether a CIDR lies wholly in space no AWS service prefix list holds."""
    try:
        net = ip_network(text, strict=False)
    except ValueError:
        return False
    return isinstance(net, IPv4Network) and any(net.subnet_of(n) for n in NOT_PUBLIC)


def _first_match_all(rules: Iterable[NaclRule]) -> PerProtocol:
    """A2 over ports, per protocol (tcp, udp, icmp) in one pass over the entries in order:
    each port is decided by the first entry that covers it; an entry of protocol -1 decides
    the ports still open of every protocol, any other entry those of its own."""
    full = PortSet.full()
    remaining = [full, full, full]
    allowed = [PortSet.empty()] * 3
    undecided = 3
    for rule in rules:
        index = _INDEX_OF_NUMBER.get(rule.protocol)
        if index is None:
            continue
        ports = rule.ports
        for i in (0, 1, 2) if index < 0 else (index,):
            left = remaining[i]
            if not left:
                continue
            decided = left if ports is full else left & ports
            if not decided:
                continue
            if rule.allow:
                allowed[i] = allowed[i] | decided
            left = remaining[i] = left - decided
            if not left:
                undecided -= 1
        if not undecided:
            break
    return allowed[0], allowed[1], allowed[2]


def ipv6_texts(network: Network) -> list[str]:
    """Every address text of the network that may be IPv6 (for the IPv6 Space)."""
    texts = [*network.vpc_ipv6_cidrs,
             *(s.ipv6_cidr for s in network.subnets.values() if s.ipv6_cidr)]
    texts += [r.destination for t in network.route_tables.values() for r in t.routes]
    texts += [e.cidr for n in network.nacls.values() for e in n.entries]
    texts += [r.cidr for g in network.security_groups.values() for r in g.rules if r.cidr]
    texts += [str(c) for cidrs in network.named_networks.values() for c in cidrs
              if c.version == 6]  # IPv6 named networks
    return texts


class Model:
    """The network compiled once for one address family; lookups are cached per peer
    *view* (below). IPv4 and IPv6 are separate: each has its own hosts (a subnet's IPv4 or
    IPv6 block), routes, NACL entries and group rules (N4)."""

    def __init__(self, network: Network, family: AddressFamily = "ipv4") -> None:
        self.network = network
        self.family = family
        self.space = Space(family, ipv6_texts(network) if family == "ipv6" else ())
        self.warnings: list[str] = []
        self._ranges: dict[tuple[int, int], PortSet] = {}  # a rule's ports, one object each
        self._interned: dict[PerProtocol, PerProtocol] = {ALL: ALL, NONE: NONE}
        self._interned_sets: dict[PortSet, PortSet] = {PortSet.full(): PortSet.full(),
                                                        PortSet.empty(): PortSet.empty()}
        as_net = self.space.net
        self.vpc_texts = [str(c) for c in (network.vpc_cidrs if family == "ipv4"
                                           else network.vpc_ipv6_cidrs)]
        self.vpc = [n for n in (as_net(c) for c in self.vpc_texts) if n is not None]
        # A named network's CIDRs of this family (several: a prefix list's; a network with
        # none of this family is no endpoint of it).
        self.named: dict[str, tuple[Net, ...]] = {}
        for name, cidrs in network.named_networks.items():
            nets = tuple(n for c in cidrs if (n := as_net(str(c))) is not None)
            if nets:
                self.named[name] = nets
        # R3: an internet gateway forwards only public addresses: a named network in private
        # address space (RFC 1918...) is reached by a direct link (VGW, TGW, peering) only.
        # One of several CIDRs public: the network counts as public (reachable, never a
        # "blocked" that its public block would contradict).
        self.public_endpoints = {INTERNET} | {
            name for name, cidrs in network.named_networks.items() if name in self.named
            and any(not c.is_private for c in cidrs
                    if (c.version == 4) == (family == "ipv4"))}
        self.gateways: dict[str, list[GatewayEndpoint]] = {}
        """aws:<service> -> its gateway endpoints (R5): a route to one, or a group rule
        naming its prefix list, reaches the service."""
        for gateway in sorted(network.endpoints.values(), key=lambda e: e.id):
            self.gateways.setdefault(gateway.endpoint, []).append(gateway)
        self.public_endpoints |= set(self.gateways)  # public AWS addresses (R3)
        self._compile_tables()
        self._compile_nacls()
        self._compile_groups()
        self.gateway_nets: dict[str, frozenset[Net]] = {}
        """aws:<service> -> the prefix list's entries as read (every endpoint's)."""
        for name, found in self.gateways.items():
            if family == "ipv4" and all(e.cidrs is not None for e in found):
                entries = {n for e in found for c in e.cidrs or ()
                           if (n := self.space.net(c)) is not None}
                self.gateway_nets[name] = frozenset(entries)
                self.relevant |= entries
        for cidr in firewall_cidrs(network):  # R15: firewall rules tell these apart
            key = self.space.net(cidr)
            if key is not None:
                self.relevant.add(key)
        self._build_hosts()
        self._firewall_cache: dict[tuple[str, int, int], FirewallVerdict] = {}
        self._lpm_cache: dict[tuple[str | None, int], Route | None] = {}
        self._candidates_cache: dict[tuple[str, bool, frozenset[Net]],
                                     tuple[NaclRule, ...]] = {}
        self._nacl_cache: dict[tuple[str, bool, int], PerProtocol] = {}
        self._nacl_by_view: dict[tuple[str, bool, frozenset[Net]], PerProtocol] = {}
        # (id of a rule set's CIDRs, kept in nacl_nets or sg_peers; a CIDR) -> _view()
        self._views: dict[tuple[int, Net], frozenset[Net]] = {}
        self._sg_by_view: dict[tuple[str, bool, frozenset[Net], frozenset[str]],
                               PerProtocol] = {}
        self._sg_cache: dict[tuple[str, bool, int, str], PerProtocol] = {}
        self._sg_groups: dict[tuple[str, bool, str], frozenset[str]] = {}
        self._sg_rule_ranges: dict[int, tuple[tuple[PortRange, ...], ...]] = {}
        self._profile_nets: dict[tuple[Profile, bool],
                                 tuple[frozenset[Net], frozenset[str]]] = {}

    def intern(self, ports: PerProtocol) -> PerProtocol:
        """One object per distinct value, for the triple and each of its sets: many
        views and meets give equal port sets, and the matrix does its set operations once
        per object (Evaluator.meet, matrix._between)."""
        found = self._interned.get(ports)
        if found is None:
            sets = self._interned_sets
            found = (sets.setdefault(ports[0], ports[0]), sets.setdefault(ports[1], ports[1]),
                     sets.setdefault(ports[2], ports[2]))
            found = self._interned.setdefault(found, found)
            self._interned[ports] = found
        return found

    # -- compilation -------------------------------------------------------------------

    def _local(self, table: RouteTable) -> list[str]:
        """R1: the blocks of this family the table routes locally: its own VPC's (R13)."""
        net = self.network
        if self.family == "ipv4":
            return [str(c) for c in net.local_cidrs(table)]
        return list(net.local_ipv6_cidrs(table))

    def _compile_tables(self) -> None:
        net = self.network
        self.tables: dict[str, dict[Net, Route]] = {}
        self.relevant: set[Net] = {(0, 0), *self.vpc,
                                   *(n for nets in self.named.values() for n in nets)}
        for table in net.route_tables.values():
            routes: dict[Net, Route] = {}
            for vpc_cidr in self._local(table):  # R1: implicit local route per VPC CIDR
                key = self.space.net(vpc_cidr)
                if key is not None:
                    routes[key] = Route(vpc_cidr, "local", "local",
                                        source=f"{table.source or table.id} local route")
            for route in table.routes:
                key = self.space.net(route.destination)
                if key is None or route.kind == "endpoint":
                    continue  # R5: prefix-list routes reach AWS services, not addresses here
                routes[key] = route
                self.relevant.add(key)
            self.tables[table.id] = routes
        mains: dict[str | None, RouteTable] = {}
        for table in net.route_tables.values():
            if table.is_main:
                mains.setdefault(table.vpc, table)  # the first, as AWS has one per VPC
        self.table_of: dict[str, str | None] = {}
        for subnet_id, subnet in net.subnets.items():
            # R1: the associated table, else the main table of the subnet's VPC
            main = mains.get(subnet.vpc)
            self.table_of[subnet_id] = main.id if main else None
        for table in net.route_tables.values():
            for subnet_id in table.subnet_ids:
                if subnet_id in self.table_of:
                    self.table_of[subnet_id] = table.id

    def _compile_nacls(self) -> None:
        net = self.network
        self.nacl_index: dict[tuple[str, bool], dict[Net, list[NaclRule]]] = {}
        self.nacl_nets: dict[tuple[str, bool], frozenset[Net]] = {}
        for nacl in net.nacls.values():
            for egress in (False, True):  # A2: inbound and outbound lists are separate
                rules = []
                for entry in sorted((e for e in nacl.entries if e.egress == egress),
                                    key=lambda e: e.rule_number):
                    cidr = self.space.net(entry.cidr)
                    if cidr is not None:
                        self.relevant.add(cidr)
                    protocol = str(entry.protocol)
                    rules.append(NaclRule(entry.rule_number, protocol,
                                          _rule_ports(protocol, entry.from_port, entry.to_port,
                                                      self._ranges),
                                          cidr, entry.action == "allow", entry))
                index: dict[Net, list[NaclRule]] = {}
                for rule in rules:
                    if rule.net is not None:
                        index.setdefault(rule.net, []).append(rule)
                self.nacl_index[(nacl.id, egress)] = index
                self.nacl_nets[(nacl.id, egress)] = frozenset(index)
        defaults: dict[str | None, str] = {}
        for nacl in net.nacls.values():
            if nacl.is_default:
                defaults.setdefault(nacl.vpc, nacl.id)
        # A1: the associated NACL, else the default NACL of the subnet's VPC.
        self.nacl_of: dict[str, str | None] = {key: defaults.get(subnet.vpc)
                                              for key, subnet in net.subnets.items()}
        for nacl in net.nacls.values():
            if nacl.is_default:
                continue
            for subnet_id in nacl.subnet_ids:
                if subnet_id in self.nacl_of:
                    self.nacl_of[subnet_id] = nacl.id

    def _compile_groups(self) -> None:
        net = self.network
        self.groups: dict[str, list[SecurityGroup]] = {t: net.groups_of(t) for t in net.tiers}
        # An interface endpoint's network interfaces carry its groups (aws:<service>).
        for endpoint in net.interface_endpoints.values():
            self.groups.setdefault(endpoint.endpoint, []).extend(
                g for gid in endpoint.security_group_ids
                if (g := net.security_groups.get(gid)) is not None
                and g not in self.groups.get(endpoint.endpoint, []))
        # R14: an appliance's interface carries its own groups, owned by appliance_owner().
        self.appliance_groups: dict[str, str] = {}
        """Appliance id -> the owner its groups are filed under (read groups only)."""
        for appliance in net.appliances.values():
            found = [g for gid in appliance.security_group_ids or ()
                     if (g := net.security_groups.get(gid)) is not None]
            if found and len(found) == len(appliance.security_group_ids or ()):
                owner = appliance_owner(appliance.id)
                self.appliance_groups[appliance.id] = owner
                self.groups.setdefault(owner, found)
        self.group_ids = {t: frozenset(g.id for g in groups) for t, groups in self.groups.items()}
        for name, gateways in self.gateways.items():
            self.group_ids[name] = frozenset(n for e in gateways for n in e.names)
        self.sg_index: dict[tuple[str, bool],
                            tuple[dict[Net, list[GroupRule]], dict[str, list[GroupRule]]]] = {}
        self.sg_peers: dict[tuple[str, bool], tuple[frozenset[Net], frozenset[str]]] = {}
        for tier, groups in self.groups.items():
            if not groups:
                self.warnings.append(f"tier {tier} has no security group: its security-group "
                                     "layer is unconstrained")
            for egress in (False, True):
                # S1: a host's rules are the union of its groups' rules.
                rules = []
                for group in groups:
                    for rule in group.rules:
                        if rule.egress != egress:
                            continue
                        cidr = self.space.net(rule.cidr)
                        if cidr is not None:
                            self.relevant.add(cidr)
                        protocol = str(rule.protocol)
                        # A prefix list is a peer by name, as a group is: a gateway
                        # endpoint's hosts (aws:<service>) carry its names (R5).
                        rules.append(GroupRule(group, protocol,
                                               _rule_ports(protocol, rule.from_port,
                                                           rule.to_port, self._ranges),
                                               cidr, rule.group or rule.prefix_list, rule))
                by_net: dict[Net, list[GroupRule]] = {}
                by_group: dict[str, list[GroupRule]] = {}
                for group_rule in rules:
                    if group_rule.net is not None:
                        by_net.setdefault(group_rule.net, []).append(group_rule)
                    if group_rule.peer_group is not None:
                        by_group.setdefault(group_rule.peer_group, []).append(group_rule)
                self.sg_index[(tier, egress)] = (by_net, by_group)
                self.sg_peers[(tier, egress)] = (frozenset(by_net), frozenset(by_group))

    def _build_hosts(self) -> None:
        net = self.network
        if self.family == "ipv4":  # an IPv6-only subnet has no IPv4 hosts
            subnet_nets = {cidr: s for s in net.subnets.values()
                           if not s.ipv6_native and (cidr := self.space.net(s.cidr)) is not None}
        else:  # a subnet without an IPv6 block has no IPv6 hosts
            subnet_nets = {cidr: s for s in net.subnets.values()
                           if (cidr := self.space.net(s.ipv6_cidr)) is not None}
        named_nets = {n: name for name, nets in self.named.items() for n in nets}
        vpc_nets = set(self.vpc)
        self.key_chain: list[tuple[Net, ...]] = []
        self.key_set: list[frozenset[Net]] = []  # key_chain as sets, for views
        key_ids: dict[tuple[Net, ...], int] = {}
        classes: dict[tuple[str, str | None, str | None, int], set[str]] = {}
        examples: dict[tuple[str, str | None, str | None, int], str] = {}
        subnet_keys: dict[str, dict[int, str]] = {}  # subnet id -> its atom classes
        gateway_atoms: dict[str, list[tuple[int, str]]] = {}  # aws:<service> -> its classes
        for atom in atoms([*self.relevant, *subnet_nets], self.space.bits):
            relevant = tuple(n for n in atom.chain if n in self.relevant)
            key = key_ids.get(relevant)
            if key is None:
                key = key_ids[relevant] = len(self.key_chain)
                self.key_chain.append(relevant)
                self.key_set.append(frozenset(relevant))
            subnet = next((subnet_nets[n] for n in atom.chain if n in subnet_nets), None)
            service = False
            if subnet is None and not any(n in vpc_nets for n in atom.chain):
                for name, entries in self.gateway_nets.items():
                    if any(n in entries for n in atom.chain):  # R5: the service's addresses
                        gateway_atoms.setdefault(name, []).append(
                            (key, self.space.text(atom.node)))
                        service = True
            if subnet is not None:
                subnet_keys.setdefault(subnet.id, {}).setdefault(key, self.space.text(atom.node))
                if subnet.tier is None:
                    continue  # untiered subnets are not endpoints
                ident = (subnet.tier, self.table_of.get(subnet.id), self.nacl_of.get(subnet.id),
                         key)
                classes.setdefault(ident, set()).add(subnet.id)
            else:
                named = next((named_nets[n] for n in atom.chain if n in named_nets), None)
                if named is None and any(n in vpc_nets for n in atom.chain):
                    continue  # VPC addresses outside every subnet hold no hosts
                if named is None and service:
                    continue  # R5: read entries are aws:<service>, not the internet
                ident = (named or INTERNET, None, None, key)
                classes.setdefault(ident, set())
            examples.setdefault(ident, self.space.text(atom.node))
        self.services = frozenset({*(e.endpoint for e in net.interface_endpoints.values()),
                                   *self.gateways})
        """The aws:<service> endpoints: they accept connections and never open one."""
        self.uncertain: dict[str, list[str]] = {}
        """aws:<service> -> why its interfaces' addresses are not known well enough (V10),
        or a gateway endpoint's prefix list's (R5)."""
        self.gateway_keys: dict[int, str] = {}
        """Atom classes of a gateway endpoint's service -> aws:<service> (Model.lpm)."""
        gateway_hosts = self._place_gateways(gateway_atoms, key_ids)
        for interface in sorted(net.interface_endpoints.values(), key=lambda e: e.id):
            name = interface.endpoint
            label = interface.source or interface.id
            for subnet_id in sorted(interface.subnet_ids):
                keys = subnet_keys.get(subnet_id)
                if subnet_id not in net.subnets:
                    self.uncertain.setdefault(name, []).append(
                        f"interface endpoint {label} has a network "
                        f"interface in subnet {subnet_id}, which is not in the input")
                    continue
                if not keys:
                    continue  # the subnet has no block of this family: no address of it here
                address_type = interface.ip_address_type
                if self.family == "ipv6" and address_type not in IPV6_ENDPOINT_TYPES:
                    if address_type != "ipv4":  # N4: not read is not "no IPv6"
                        self.uncertain.setdefault(name, []).append(
                            f"interface endpoint {label}: whether its "
                            f"network interface in subnet {subnet_id} has an IPv6 address "
                            "(ip_address_type) is not in the input")
                    continue  # an IPv4-only endpoint has no IPv6 address
                if self.family == "ipv4" and address_type == "ipv6":
                    continue  # an IPv6-only endpoint has no IPv4 address
                if len(keys) > 1:
                    # V10: AWS picks the interface's address; the rules tell parts of the
                    # subnet apart, so where it sits decides the answer.
                    self.uncertain.setdefault(name, []).append(
                        f"interface endpoint {label}: rules treat "
                        f"parts of subnet {subnet_id} differently and the address AWS gives "
                        "its network interface is not in the input")
                for key, example in keys.items():
                    ident = (name, self.table_of.get(subnet_id), self.nacl_of.get(subnet_id),
                             key)
                    classes.setdefault(ident, set()).add(subnet_id)
                    examples.setdefault(ident, example)
        self.hosts: list[Host] = []
        for ident, subnet_ids in classes.items():
            endpoint, table, nacl, key = ident
            tier = endpoint if subnet_ids else None
            self.hosts.append(Host(endpoint, tier, frozenset(subnet_ids), table, nacl, key,
                                   examples[ident]))
        self.hosts += gateway_hosts

    def _place_gateways(self, atoms_of: dict[str, list[tuple[int, str]]],
                        key_ids: dict[tuple[Net, ...], int]) -> list[Host]:
        """R5: the hosts of each gateway endpoint's service, outside the VPC. Each gets an
        atom class of its own (same CIDR chain, a key of its own) so that Model.lpm can
        send it to the endpoint where its table routes the prefix list. Its addresses are
        the prefix list's entries where read; else, when every rule and route names only
        non-public space besides 0.0.0.0/0, any public address (the entries are AWS's
        public ranges): else unknown, never blocked."""
        hosts: list[Host] = []
        public = sorted(self.space.text(n) for n in self.relevant
                        if n != (0, 0) and not _not_public(self.space.text(n)))
        for name, gateways in self.gateways.items():
            labels = ", ".join(e.source or e.id for e in gateways)
            if self.family == "ipv6":
                self.uncertain.setdefault(name, []).append(
                    f"gateway endpoint {labels}: whether its prefix list holds IPv6 "
                    "addresses is not modelled")
                continue
            if name in self.gateway_nets:
                found = atoms_of.get(name, [])
            elif not public and ((0, 0),) in key_ids:
                found = [(key_ids[((0, 0),)], "a public address of the service")]
            else:
                self.uncertain.setdefault(name, []).append(
                    f"gateway endpoint {labels}: the entries of its prefix list are not in "
                    f"the input, and rules or routes name public addresses "
                    f"({', '.join(public[:3])}{', ...' if len(public) > 3 else ''}) that "
                    "they may hold")
                continue
            for key, example in found:
                own = len(self.key_chain)
                self.key_chain.append(self.key_chain[key])
                self.key_set.append(self.key_set[key])
                self.gateway_keys[own] = name
                hosts.append(Host(name, None, frozenset(), None, None, own, example))
        return hosts

    # -- what one profile sees of a peer -------------------------------------------------

    def peer_view(self, profile: Profile, peer: Host, sender: bool) -> PeerView:
        """Everything the layers of ``profile`` at its sending (or receiving) end can tell
        about ``peer``: the CIDRs of its table, of its NACL (both ways: the reply crosses
        it too) and of its groups that way, that hold the peer's atom class; the peer's
        groups those group rules name; where peering is read, the peer's VPCs (R13). Two
        peers with one view get the same half from that end (legs.py), so the matrix
        evaluates one of them (matrix.py)."""
        nets = self._seen_by(profile, sender)
        vpcs = (frozenset(self.network.vpc_of(s) for s in peer.subnets)
                if self.network.peerings else None)
        groups = self.group_ids.get(peer.endpoint, _NO_GROUPS) & nets[1]
        if peer.key in self.gateway_keys:  # R5: its own route; never shared with others
            groups |= {peer.endpoint,
                       *(r.target or "" for r in self._endpoint_routes(profile[1]))}
        return (self.key_set[peer.key] & nets[0], groups, vpcs)

    def _seen_by(self, profile: Profile, sender: bool) -> tuple[frozenset[Net], frozenset[str]]:
        """The CIDRs and peer groups the layers of ``profile`` have rules for (peer_view)."""
        nets = self._profile_nets.get((profile, sender))
        if nets is None:
            tier, table, nacl = profile
            found: set[Net] = set(self.vpc)  # a subnet without a table: local routes only
            found.update(self.tables.get(table or "", ()))
            for egress in (False, True):
                found.update(self.nacl_nets.get((nacl or "", egress), _NO_NETS))
            by_net, by_group = self.sg_peers.get((tier, sender), (_NO_NETS, _NO_GROUPS))
            found.update(by_net)
            nets = self._profile_nets[(profile, sender)] = (frozenset(found), by_group)
        return nets

    def peer_groups(self, profile: Profile, peers: PeerClass, sender: bool
                    ) -> list[tuple[PeerView, list[Host]]]:
        """``peers`` (hosts of one endpoint) grouped by peer_view(profile, peer, sender),
        without a view per peer. CIDRs nest or are disjoint, so the CIDRs of a peer's chain
        that the profile has rules for are those holding the most specific of them: peers
        with one such deepest CIDR have one view. Walking the profile's CIDRs among the
        peers' chains, most specific first, hands out the peers in a few set operations.
        Not for peered networks, where a view also holds the peer's VPCs, nor for gateway
        endpoints' hosts, whose view holds the profile's endpoint routes (peer_view)."""
        nets, groups = self._seen_by(profile, sender)
        group_view = peers.groups & groups
        remaining = set(peers.positions)
        found: list[tuple[PeerView, list[Host]]] = []
        for net in sorted(peers.nets & nets, key=_most_specific_first):
            members = peers.under[net] & remaining
            if members:
                remaining -= members
                first = peers.hosts[min(members)]
                view = (self.key_set[first.key] & nets, group_view, None)
                found.append((view, [peers.hosts[i] for i in sorted(members)]))
        if remaining:
            found.append(((_NO_NETS, group_view, None),
                          [peers.hosts[i] for i in sorted(remaining)]))
        return found

    def peer_class(self, hosts: list[Host]) -> PeerClass:
        """The index peer_groups() needs over hosts of one endpoint."""
        under: dict[Net, set[int]] = {}
        for index, host in enumerate(hosts):
            for net in self.key_chain[host.key]:
                under.setdefault(net, set()).add(index)
        endpoints = {host.endpoint for host in hosts}
        if len(endpoints) != 1:
            raise ValueError("a peer class holds the hosts of one endpoint")
        return PeerClass(hosts, frozenset(range(len(hosts))), frozenset(under),
                         {net: frozenset(members) for net, members in under.items()},
                         self.group_ids.get(hosts[0].endpoint, _NO_GROUPS))

    def _endpoint_routes(self, table: str | None) -> list[Route]:
        found = self.network.route_tables.get(table or "")
        return [r for r in found.routes if r.kind == "endpoint"] if found is not None else []

    def firewall(self, firewall: str, src: int, dst: int) -> FirewallVerdict:
        """R15: what a firewall passes from atom class ``src`` to atom class ``dst``."""
        cache_key = (firewall, src, dst)
        found = self._firewall_cache.get(cache_key)
        if found is None:
            found = self._firewall_cache[cache_key] = firewall_verdict(
                self.network, self.network.firewalls[firewall], self.space.net,
                self.key_set[src], self.key_set[dst], self._home(firewall))
        return found

    def _home(self, firewall: str) -> list[Net]:
        """``$HOME_NET`` by default: the CIDRs of the firewall's VPC (of this family)."""
        vpc = self.network.vpcs.get(self.network.firewalls[firewall].vpc or "")
        if vpc is None:
            return self.vpc
        texts = [str(c) for c in vpc.cidrs] if self.family == "ipv4" else list(vpc.ipv6_cidrs)
        return [n for n in (self.space.net(t) for t in texts) if n is not None]

    # -- names, for messages -------------------------------------------------------------

    def table_name(self, table: str | None) -> str:
        if table is None:
            return "no route table"
        found = self.network.route_tables.get(table)
        return (found.source or found.id) if found else table

    def nacl_name(self, nacl: str) -> str:
        found = self.network.nacls.get(nacl)
        return (found.source or found.id) if found else nacl

    # -- one layer, one peer -------------------------------------------------------------

    def lpm(self, table: str | None, key: int) -> Route | None:
        """R2: the longest-prefix route for the atom class ``key``."""
        cached = self._lpm_cache.get((table, key), self)
        if cached is not self:
            return cached  # type: ignore[return-value]
        routes = self.tables.get(table or "", {})
        found = None
        for n in self.key_chain[key]:  # a loop, not next(genexpr): called per fresh peer
            if n in routes:
                found = routes[n]
                break
        if table is None or table not in self.tables:
            # No table at all: only the implicit local routes.
            found = next((Route(self.space.text(n), "local", "local", source="local route")
                          for n in self.key_chain[key] if n in self.vpc), None)
        service = self.gateway_keys.get(key)
        if service is not None and table in self.tables:
            # R5: the route to the service's prefix list, unless a CIDR route more specific
            # than the entry holding the address wins (longest prefix, R2).
            ids = {e.id for e in self.gateways[service]}
            entry = max((n[1] for n in self.key_chain[key]
                         if n in self.gateway_nets.get(service, ())), default=0)
            endpoint = next((r for r in self._endpoint_routes(table) if r.target in ids), None)
            length = next((n[1] for n in self.key_chain[key] if n in routes), 0)
            if endpoint is not None and (found is None or length <= entry):
                found = endpoint
        self._lpm_cache[(table, key)] = found
        return found

    # A peer is seen by a NACL or a security group only through the CIDRs (and groups) it
    # has rules for: atom classes with the same view get the same answer, computed once.

    def _nacl_view(self, nacl: str, egress: bool, key: int) -> frozenset[Net]:
        return self._view(self.nacl_nets.get((nacl, egress), _NO_NETS), key)

    def _view(self, nets: frozenset[Net], key: int) -> frozenset[Net]:
        """``key_set[key] & nets``: the CIDRs of a rule set that hold the atom class ``key``.
        CIDRs nest or are disjoint, so they are the ones holding the most specific of them
        (peer_groups): one set object per rule set and such CIDR, found by a walk up the
        class's chain instead of a new set each time."""
        for deepest in self.key_chain[key]:  # a loop, not next(genexpr): it is hot
            if deepest in nets:
                break
        else:
            return _NO_NETS
        cache_key = (id(nets), deepest)
        view = self._views.get(cache_key)
        if view is None:
            view = self._views[cache_key] = self.key_set[key] & nets
        return view

    def _nacl_candidates(self, nacl: str, egress: bool, key: int) -> tuple[NaclRule, ...]:
        """Entries whose CIDR holds the atom class ``key``, in rule-number order."""
        view = self._nacl_view(nacl, egress, key)
        cache_key = (nacl, egress, view)
        found = self._candidates_cache.get(cache_key)
        if found is None:
            index = self.nacl_index[(nacl, egress)] if view else {}
            # The view's CIDRs all hold the atom: longest prefix first, as in its chain, so
            # that entries with one number keep the order they had (sort is stable).
            matching = [r for n in sorted(view, key=_most_specific_first) for r in index[n]]
            matching.sort(key=_NUMBER)
            found = self._candidates_cache[cache_key] = tuple(matching)
        return found

    def nacl_ports(self, nacl: str | None, egress: bool, key: int) -> PerProtocol:
        """A2: destination ports the first matching entries allow for this peer, per
        protocol (protocol -1 entries match every protocol); no NACL: nothing."""
        if nacl is None:
            return NONE
        cache_key = (nacl, egress, key)
        cached = self._nacl_cache.get(cache_key)
        if cached is None:
            view_key = (nacl, egress, self._nacl_view(nacl, egress, key))
            cached = self._nacl_by_view.get(view_key)
            if cached is None:
                cached = self._nacl_by_view[view_key] = self.intern(
                    _first_match_all(self._nacl_candidates(nacl, egress, key)))
            self._nacl_cache[cache_key] = cached
        return cached

    def nacl_decision(self, nacl: str, egress: bool, key: int, protocol: str,
                      port: int) -> NaclRule | None:
        """A2: the entry that decides one port (None: no entry matches, implicit deny)."""
        number = PROTOCOL_NUMBERS[protocol]
        for rule in self._nacl_candidates(nacl, egress, key):
            if rule.protocol in (_ANY, number) and port in rule.ports:
                return rule
        return None

    def sg_ports(self, tier: str, egress: bool, key: int, peer: str) -> PerProtocol:
        """S1/S3: ports the union of the tier's groups allows to or from this peer (an atom
        class of endpoint ``peer``), per protocol; no group placed: unconstrained."""
        if not self.groups.get(tier):
            return ALL
        cache_key = (tier, egress, key, peer)
        cached = self._sg_cache.get(cache_key)
        if cached is None:
            nets, groups = self.sg_peers[(tier, egress)]
            seen_key = (tier, egress, peer)
            seen = self._sg_groups.get(seen_key)
            if seen is None:  # one set per peer endpoint, not per atom class
                seen = self._sg_groups[seen_key] = self.group_ids.get(peer, _NO_GROUPS) & groups
            view_key = (tier, egress, self._view(nets, key), seen)
            cached = self._sg_by_view.get(view_key)
            if cached is None:
                # sg_matches() for the three protocols in one pass; each union made once.
                by_net, by_group = self.sg_index[(tier, egress)]
                # Rules repeat few port ranges: each distinct one is merged once.
                ranges: tuple[set[tuple[int, int]], ...] = (set(), set(), set())
                for rules in (*(by_net[n] for n in self.key_chain[key] if n in by_net),
                              *(by_group[g] for g in self.group_ids.get(peer, ())
                                if g in by_group)):
                    for each, more in zip(ranges, self._sg_ranges(rules), strict=True):
                        each.update(more)
                tcp, udp, icmp = (PortSet.full() if _EVERY_PORT in found
                                  else PortSet(found) if found else PortSet.empty()
                                  for found in ranges)
                cached = self._sg_by_view[view_key] = self.intern((tcp, udp, icmp))
            self._sg_cache[cache_key] = cached
        return cached

    def _sg_ranges(self, rules: list[GroupRule]) -> tuple[tuple[PortRange, ...], ...]:
        """The port ranges of one CIDR's (or one peer group's) rules per protocol, made once
        per rule list (sg_index's lists are kept, so their ids stay theirs)."""
        found = self._sg_rule_ranges.get(id(rules))
        if found is None:
            ranges: tuple[set[PortRange], ...] = (set(), set(), set())
            for rule in rules:
                index = _INDEX_OF_NUMBER.get(rule.protocol)
                if index is None:
                    continue
                if index < 0:  # protocol -1: every protocol
                    for each in ranges:
                        each.update(rule.ports.ranges)
                else:
                    ranges[index].update(rule.ports.ranges)
            found = self._sg_rule_ranges[id(rules)] = (  # tuples: a third of a set's size
                tuple(ranges[0]), tuple(ranges[1]), tuple(ranges[2]))
        return found

    def sg_matches(self, tier: str, egress: bool, key: int, peer: str,
                   protocol: str) -> list[GroupRule]:
        """S3: the tier's rules whose peer (a CIDR, or a group the peer's hosts carry)
        matches this peer, for one protocol."""
        number = PROTOCOL_NUMBERS[protocol]
        by_net, by_group = self.sg_index[(tier, egress)]
        candidates = [r for n in self.key_chain[key] for r in by_net.get(n, ())]
        candidates += [r for g in self.group_ids.get(peer, ()) for r in by_group.get(g, ())]
        return [r for r in candidates if r.protocol in (_ANY, number)]

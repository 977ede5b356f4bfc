"""Compare what a network lets through with what the blueprint allows (its flows).

Decisions (see also docs/network-semantics.md "Verification findings"):

- The matrix is about connections *opened*. Ports in the ephemeral range from X to Y
  are replies when the blueprint allows Y -> X on that protocol: not unintended.
- Traffic from a tier to itself is the layer's own business ("components that share
  reachability requirements live in one layer"): never an unintended or single-layer
  finding, but a blueprint flow from a tier to itself is still checked for being broken.
- Single-layer dependence: with security groups failed open only stateless NACLs remain,
  and they cannot tell a reply from a new connection on an ephemeral port; so ephemeral
  ports are not counted there (every NACL that carries return legs opens them).
- Wiring a reader could not resolve makes the verdict incomplete: each item is a finding.
- Routes are judged on their own, whether or not the far side is modelled: a route that
  leaves the VPC (internet, egress-only, transit, virtual private, peering, ...) is a
  finding unless the tier's declared exposure (public: internet gateway; private: NAT,
  egress-only) or a flow to or from a named network the route covers justifies it.
- Severity: ``end-to-end`` (what the whole network lets through or blocks, identity,
  exposure, unresolved wiring), ``layer`` (one layer alone admits more than the intent, or
  a route leaves the VPC unjustified), ``rule`` (one rule admits what no flow needs).
  ``gate`` says which severities fail ``verify``; the others are printed as warnings.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from fnmatch import fnmatchcase
from ipaddress import IPv4Network
from typing import TYPE_CHECKING, Literal

from tierform.analyze import Flow, Layer, Reachability, analyze, query
from tierform.analyze.compile import Host, Model, ipv6_texts
from tierform.aws import (
    ANYWHERE,
    ANYWHERE_V6,
    DEFAULT_EPHEMERAL,
    INTERNET,
    PROTOCOLS,
    AddressFamily,
    ProtocolName,
)
from tierform.network.ipv6 import parse_ipv6, symbolic_base
from tierform.network.model import (
    NaclEntry,
    NamedCidr,
    Network,
    Route,
    SecurityGroup,
    SgRule,
    named_networks_of,
)
from tierform.ports import PortSet, format_ports

if TYPE_CHECKING:
    # Only annotations: `tierform reach`/`verify` on a plan or state must not load pydantic.
    from tierform.blueprint.model import Blueprint

__all__ = [
    "GATES",
    "IPV6_ONLY",
    "LAYERS",
    "Expected",
    "FindingKind",
    "Gate",
    "Intent",
    "ProxyIntent",
    "Severity",
    "VerifyFinding",
    "VerifyReport",
    "adopt_blueprint",
    "declared_exposure",
    "foreign_tiers",
    "group_matches",
    "inspected_from_blueprint",
    "inspection_findings",
    "intents_from_blueprint",
    "load_balancer_findings",
    "own_vpc",
    "proxy_intents_from_blueprint",
    "verify",
]

LAYERS: tuple[Layer, ...] = ("routes", "nacls", "security_groups")
FindingKind = Literal["unintended", "broken", "exposure", "single_layer", "unresolved",
                      "identity", "route", "layer", "rule", "inspection",
                      "load_balancer"]
Severity = Literal["end-to-end", "layer", "rule"]
Gate = Literal["all", "layer", "end-to-end"]
GATES: tuple[Gate, ...] = ("all", "layer", "end-to-end")
_GATED: dict[Gate, frozenset[Severity]] = {
    "all": frozenset({"end-to-end", "layer", "rule"}),
    "layer": frozenset({"end-to-end", "layer"}),
    "end-to-end": frozenset({"end-to-end"}),
}
_SEVERITY: dict[FindingKind, Severity] = {
    "unintended": "end-to-end", "broken": "end-to-end", "exposure": "end-to-end",
    "unresolved": "end-to-end", "identity": "end-to-end", "route": "layer",
    "layer": "layer", "single_layer": "layer", "rule": "rule", "inspection": "end-to-end",
    "load_balancer": "layer",
}
IntentProtocol = Literal["tcp", "udp", "icmp", "all"]


@dataclass(frozen=True)
class Intent:
    """One allowed connection (a blueprint flow): ``path`` locates it in the blueprint."""

    src: str
    dst: str
    protocol: IntentProtocol
    ports: PortSet
    label: str
    path: tuple[str | int, ...]
    families: tuple[AddressFamily, ...] = ("ipv4",)
    """The families the flow must be reachable in (a broken flow is checked in each); in
    any family the flow is allowed, so its IPv6 traffic is never unintended."""

    def protocols(self) -> tuple[ProtocolName, ...]:
        return PROTOCOLS if self.protocol == "all" else (self.protocol,)

    def ports_for(self, protocol: ProtocolName) -> PortSet:
        """icmp and ``all`` carry no ports: everything."""
        return PortSet.full() if self.protocol == "all" or protocol == "icmp" else self.ports


@dataclass(frozen=True)
class ProxyIntent:
    """A blueprint load balancer: the internet must reach ``target`` through it on
    ``port`` (and the health checks on ``health_port``)."""

    tier: str
    target: str
    port: int
    health_port: int
    path: tuple[str | int, ...]


IPV6_ONLY = "IPv6 only"
"""What ``Expected.subnets`` and the identity check name an IPv6-only subnet by (it has no
IPv4 CIDR; its /64 is symbolic in a plan)."""


@dataclass(frozen=True)
class Expected:
    """What the blueprint says the network is: its VPC CIDR and each tier's subnet CIDRs.

    ``verify`` compares the network read with it first, so that a plan or state of another
    network is reported as such instead of being judged by the wrong intents."""

    vpc_cidr: str
    subnets: Mapping[str, frozenset[str]]
    """tier -> the CIDRs of its subnets."""
    groups: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """tier -> the blueprint's references to the groups its instances carry
    (``tiers.<name>.security_groups``); tiers absent here take their groups by tag."""


@dataclass(frozen=True)
class VerifyFinding:
    kind: FindingKind
    message: str
    path: tuple[str | int, ...]
    src: str | None = None
    dst: str | None = None
    protocol: ProtocolName | None = None
    ports: PortSet | None = None
    layer: Layer | None = None
    resource: str = ""
    level: Literal["error", "warning"] = "error"
    severity: Severity | None = None
    """None: the kind's own (``_SEVERITY``)."""
    family: AddressFamily | None = None
    """The address family the finding is about (None: not family-specific)."""

    @property
    def grade(self) -> Severity:
        return self.severity or _SEVERITY[self.kind]

    @property
    def rule_id(self) -> str:
        return f"tierform/{self.kind.replace('_', '-')}"


@dataclass(frozen=True)
class VerifyReport:
    findings: list[VerifyFinding]
    reachability: Reachability
    single_layer: dict[Layer, list[Flow]] = field(default_factory=dict)
    """Per layer failed open: the forbidden flows into private or isolated tiers that open."""
    intents: list[Intent] = field(default_factory=list)
    gate: Gate = "all"
    return_legs: dict[Layer, list[Flow]] = field(default_factory=dict)
    """Per layer failed open: ephemeral ports into tiers that open, which the stateless ACLs
    admit as return legs (listed, labelled, never dropped); for public tiers these are the
    internet's way in on 1024-65535 whenever their groups fail open."""

    @property
    def gating(self) -> list[VerifyFinding]:
        """The findings that fail ``verify`` under its gate; the others are warnings."""
        return [f for f in self.findings if f.grade in _GATED[self.gate]]

    @property
    def ok(self) -> bool:
        return not self.gating

    @property
    def exit_code(self) -> int:
        """1 on a finding the gate counts (unresolved wiring aside), else 3 when some answer
        is unknown or some wiring unresolved, else 0."""
        if any(f.kind != "unresolved" for f in self.gating):
            return 1
        unresolved = any(f.kind == "unresolved" for f in self.findings)
        return 0 if self.reachability.complete and not unresolved else 3


def intents_from_blueprint(bp: Blueprint) -> list[Intent]:
    """The blueprint's flows as intents, labelled by flow id like the generated rules
    (findings read "broken flow web_to_app_tcp (web -> app tcp 8080)")."""
    intents = []
    for index, flow in enumerate(bp.flows):
        ports = PortSet(flow.port_ranges())
        label = (f"{flow.flow_id} ({flow.src} -> {flow.dst} "
                 f"{format_ports(flow.protocol, ports)})")
        # A flow with an IPv6-only tier at one end has no IPv4 to be reachable over; nor
        # has a flow with an IPv6 named network (a network has one family).
        only = bp.vpc.ipv6 is not None and any(
            end in bp.tiers and bp.tiers[end].ipv6_only for end in (flow.src, flow.dst))
        six = any(end in bp.networks and not bp.network_cidrs4[end]
                  for end in (flow.src, flow.dst))
        intents.append(Intent(flow.src, flow.dst, flow.protocol, ports, label, ("flows", index),
                              ("ipv6",) if only or six else ("ipv4",)))
    return intents


def proxy_intents_from_blueprint(bp: Blueprint) -> list[ProxyIntent]:
    """The blueprint's load balancers as what must reach their target tier."""
    return [ProxyIntent(name, tier.load_balancer.target.tier, tier.load_balancer.target.port,
                        tier.load_balancer.health_port, ("tiers", name, "load_balancer"))
            for name, tier in bp.tiers.items() if tier.load_balancer is not None]


def inspected_from_blueprint(bp: Blueprint) -> list[tuple[str, str]]:
    """The (src, dst) pairs the blueprint's inspection says cross the firewall (its flows'
    ``inspect``, else their mode): what ``verify(..., inspected=...)`` must prove (R15)."""
    spec = bp.inspection
    if spec is None:
        return []
    return list(dict.fromkeys((f.src, f.dst) for f in bp.flows if spec.inspects(f, bp.tiers)))


def declared_exposure(bp: Blueprint) -> dict[str, str]:
    return {name: tier.exposure for name, tier in bp.tiers.items()}


def _allowed(intents: Sequence[Intent], network: Network | None = None
             ) -> dict[tuple[str, str, str], PortSet]:
    """What the intents allow; a flow to the internet also allows the gateway-endpoint
    services of ``network`` (S3, DynamoDB: public AWS addresses, which a gateway endpoint
    only shortcuts, R5) on its ports."""
    gateways = sorted({e.endpoint for e in network.endpoints.values()}) if network else []
    allowed: dict[tuple[str, str, str], PortSet] = {}
    for intent in intents:
        for protocol in intent.protocols():
            dsts = [intent.dst, *(gateways if intent.dst == INTERNET else [])]
            for dst in dsts:
                key = (intent.src, dst, protocol)
                allowed[key] = allowed.get(key, PortSet.empty()) | intent.ports_for(protocol)
    return allowed


def _location(reach: Reachability, src: str, dst: str) -> tuple[str | int, ...]:
    """Where a finding about a pair points in the blueprint: the tier it enters, else the
    tier it leaves, else the named network."""
    for name in (dst, src):
        if name in reach.tiers:
            return ("tiers", name)
    name = dst if dst != INTERNET else src
    return ("networks", name) if name != INTERNET else ()


def _excess(flow: Flow, reach: Reachability, allowed: Mapping[tuple[str, str, str], PortSet],
            ephemeral: PortSet,
            replies: Mapping[tuple[str, str, str], PortSet] | None = None) -> PortSet:
    """Ports of a reachable flow no intent allows, replies (to ``replies``, by default the
    intents themselves) excepted."""
    ports = flow.ports if flow.ports is not None else PortSet.full()
    ports = ports - allowed.get((flow.src, flow.dst, flow.protocol), PortSet.empty())
    if flow.protocol != "icmp" and (flow.dst, flow.src, flow.protocol) in (
            allowed if replies is None else replies):
        ports = ports - ephemeral  # replies to connections the other way
    return ports


def _describe(flow: Flow, ports: PortSet) -> str:
    family = " over IPv6" if flow.family == "ipv6" else ""
    return f"{flow.src} -> {flow.dst} {format_ports(flow.protocol, ports)}{family}"


def verify(intents: Sequence[Intent], network: Network, *,
           declared_exposure: Mapping[str, str],
           ephemeral: tuple[int, int] = DEFAULT_EPHEMERAL,
           expected: Expected | None = None, gate: Gate = "all",
           inspected: Iterable[tuple[str, str]] = (),
           proxies: Sequence[ProxyIntent] = ()) -> VerifyReport:
    """Identity, unintended, broken (tier and subnet pairs), exposure, route, layer-alone,
    single-layer, inspection and load-balancer findings for one network; ``gate`` picks
    the severities that fail; ``inspected``: the (src, dst) pairs that must cross a
    firewall (R15); ``proxies``: the blueprint's load balancers (what must reach their
    targets through them)."""
    reach = analyze(network, ephemeral=ephemeral)
    allowed = _allowed(intents, network)
    eph = PortSet.range(*ephemeral)
    findings: list[VerifyFinding] = [] if expected is None else identity(expected, network)
    # R13: the tiers of the input's other VPCs are outside networks here: what they let
    # through among themselves is not this blueprint's to judge.
    foreign = frozenset() if expected is None else foreign_tiers(network, expected.vpc_cidr)

    def ours(flow: Flow) -> bool:
        return any(end in reach.tiers and end not in foreign for end in (flow.src, flow.dst))

    def alone(flow: Flow) -> bool:
        # A layer alone is judged on this VPC's rules: a flow with an end in another VPC
        # would judge that VPC's groups and ACLs too (its end-to-end answer still counts).
        return ours(flow) and not {flow.src, flow.dst} & foreign

    for item in reach.unresolved:
        findings.append(VerifyFinding(
            "unresolved", f"could not resolve {item.address} {item.attribute}: {item.reason}; "
            "the verdict does not cover it", (), level="warning", resource=item.address))

    for flow in reach.flows:
        if flow.src == flow.dst or not ours(flow):
            continue
        extra = _excess(flow, reach, allowed, eph)
        if extra:
            findings.append(VerifyFinding(
                "unintended", f"unintended flow: {_describe(flow, extra)} is reachable but no "
                "flow allows it", _location(reach, flow.src, flow.dst), flow.src, flow.dst,
                flow.protocol, None if flow.protocol == "icmp" else extra,
                family=flow.family))

    findings.extend(_broken(intents, network, reach, ephemeral))
    findings.extend(_subnet_pairs(intents, network, reach, allowed, eph, ephemeral))
    findings.extend(route_findings(intents, network, declared_exposure, foreign))
    findings.extend(inspection_findings(network, inspected))
    findings.extend(_layers_alone(network, reach, allowed, eph, ephemeral, alone))
    findings.extend(load_balancer_findings(network, reach))
    findings.extend(_broken_proxies(proxies, network, reach))

    for tier, declared in declared_exposure.items():
        info = reach.tiers.get(tier)
        if info is None:
            findings.append(VerifyFinding("exposure", f"tier {tier} is declared {declared} but "
                                          "has no subnets in the network", ("tiers", tier)))
        elif not info.subnets and info.exposure_ipv6 is not None:
            # IPv6-only (no IPv4 subnet): its IPv6 exposure is the one declared. Unknown is
            # no finding: the answer is incomplete already (exit 3), not wrong.
            if info.exposure_ipv6 not in (declared, "unknown"):
                findings.append(VerifyFinding(
                    "exposure", f"tier {tier} is declared {declared} but its IPv6 routes make "
                    f"it {info.exposure_ipv6} (it has no IPv4 subnet)",
                    ("tiers", tier, "exposure"), dst=tier, layer="routes", family="ipv6"))
        elif info.exposure != declared:
            findings.append(VerifyFinding(
                "exposure", f"tier {tier} is declared {declared} but its routes make it "
                f"{info.exposure}", ("tiers", tier, "exposure"), dst=tier, layer="routes"))
        elif info.exposure_ipv6 is not None and _RANK.get(info.exposure_ipv6, 3) > \
                _RANK.get(declared, 3):  # IPv6 may be less exposed than declared, not more
            findings.append(VerifyFinding(
                "exposure", f"tier {tier} is declared {declared} but its IPv6 routes make it "
                f"{info.exposure_ipv6}", ("tiers", tier, "exposure"), dst=tier,
                layer="routes", family="ipv6"))

    single: dict[Layer, list[Flow]] = {}
    replies: dict[Layer, list[Flow]] = {}
    for layer in (*LAYERS, *(("firewall",) if network.firewalls else ())):
        opened, legs = _single_layer(layer, network, reach, allowed, declared_exposure, eph,
                                     ephemeral, foreign)
        single[layer], replies[layer] = opened, legs
        for flow in opened:
            into = (flow.dst if flow.dst not in reach.tiers else
                    f"{_exposure_of(flow.dst, reach, declared_exposure)} tier {flow.dst}")
            findings.append(VerifyFinding(
                "single_layer", f"one misconfiguration away: with {layer} failed open, "
                f"{_describe(flow, flow.ports or PortSet.full())} opens into {into}",
                ("tiers", flow.dst), flow.src, flow.dst, flow.protocol, flow.ports, layer,
                level="warning", family=flow.family))
    gated = _GATED[gate]
    findings = [f if f.grade in gated else replace(f, level="warning") for f in findings]
    return VerifyReport(findings, reach, single, list(intents), gate, replies)


_RANK = {"isolated": 0, "private": 1, "public": 2, "unknown": 3}


def _admits_anywhere(rule: SgRule, ports: PortSet) -> PortSet:
    """The ports of ``ports`` an ingress rule admits from the whole internet (tcp)."""
    if rule.egress or rule.cidr not in (ANYWHERE, ANYWHERE_V6) or rule.protocol not in (
            "-1", "6"):
        return PortSet.empty()
    return ports & (PortSet.full() if rule.protocol == "-1"
                    else PortSet.range(rule.from_port, rule.to_port))


def _broken_proxies(proxies: Sequence[ProxyIntent], network: Network, reach: Reachability
                    ) -> list[VerifyFinding]:
    """A blueprint LB through which the internet does not reach its target tier on the
    target port (or health-check port): broken. Unknown answers are not findings (the
    result is incomplete, exit 3, with the reasons)."""
    found: list[VerifyFinding] = []
    by_name = {lb.endpoint: lb for lb in network.load_balancers.values()}

    def in_tier(via: str, tier: str) -> bool:
        lb = by_name.get(via)
        return lb is not None and any(
            (subnet := network.subnets.get(s)) is not None and subnet.tier == tier
            for s in lb.subnet_ids)

    for intent in proxies:
        mine = [p for p in reach.proxied if (p.src, p.dst) == (INTERNET, intent.target)
                and in_tier(p.via, intent.tier)]
        if any(p.verdict == "unknown" for p in mine):
            continue
        reached, checked = PortSet.empty(), PortSet.empty()
        for p in mine:
            reached, checked = reached | p.target_ports, checked | p.health_ports
        lost = [port for port, ok in ((intent.port, reached), (intent.health_port, checked))
                if port not in ok]
        lost = list(dict.fromkeys(lost))
        if lost:
            shown = format_ports("tcp", PortSet(tuple((p, p) for p in sorted(lost))))
            found.append(VerifyFinding(
                "load_balancer",
                f"broken load balancer of tier {intent.tier}: the internet does not reach "
                f"{intent.target} through it on {shown} (the listener, the load balancer's "
                f"group and ACLs, or {intent.target}'s group or ACL refuse it)",
                intent.path, INTERNET, intent.target, "tcp",
                PortSet(tuple((p, p) for p in sorted(lost))), severity="end-to-end"))
    return found


def load_balancer_findings(network: Network, reach: Reachability) -> list[VerifyFinding]:
    """A tier behind a load balancer whose own group admits the internet (0.0.0.0/0 or
    ::/0) on a target port: the LB is then not the only way in, one route (a public IP,
    an IGW route) away from direct exposure. Behind an LB the tier's group should admit
    the LB's group only (issue 15)."""
    found: list[VerifyFinding] = []
    behind: dict[str, dict[str, PortSet]] = {}
    for flow in reach.proxied:
        if flow.dst in network.tiers:
            by_via = behind.setdefault(flow.dst, {})
            by_via[flow.via] = by_via.get(flow.via, PortSet.empty()) | flow.target_ports
    for tier, vias in sorted(behind.items()):
        for via, ports in sorted(vias.items()):
            for group in network.groups_of(tier):
                for rule in group.rules:
                    opened = _admits_anywhere(rule, ports)
                    if not opened:
                        continue
                    found.append(VerifyFinding(
                        "load_balancer",
                        f"tier {tier} is behind load balancer {via.removeprefix('lb:')}, but "
                        f"its security group {group.name or group.id} admits {rule.cidr} on "
                        f"{format_ports('tcp', opened)} ({rule.source or 'a rule'}): admit "
                        "only the load balancer's group on the target port",
                        ("tiers", tier), INTERNET, tier, "tcp", opened, "security_groups",
                        rule.source or group.source or group.id,
                        family="ipv6" if rule.cidr == ANYWHERE_V6 else "ipv4"))
    return found


def own_vpc(network: Network, vpc_cidr: str) -> str | None:
    """R13: of an input with several VPCs, the one the blueprint describes (its CIDR among
    the VPC's), else the reader's first (most subnets); None for an input of one VPC."""
    if not network.vpcs:
        return None
    wanted = IPv4Network(vpc_cidr)
    return next((key for key, vpc in network.vpcs.items() if wanted in vpc.cidrs),
                next(iter(network.vpcs)))


def foreign_tiers(network: Network, vpc_cidr: str) -> frozenset[str]:
    """The tiers of the input's other VPCs (outside networks for this blueprint)."""
    own = own_vpc(network, vpc_cidr)
    return frozenset(s.tier for s in network.subnets.values()
                     if own is not None and s.vpc != own and s.tier is not None)


def identity(expected: Expected, network: Network) -> list[VerifyFinding]:
    """Findings where the network is not the one the blueprint describes: another VPC
    CIDR, tiers missing or extra, a tier's subnets at other addresses (of several VPCs,
    the blueprint's is compared: ``own_vpc``)."""
    findings: list[VerifyFinding] = []
    own = own_vpc(network, expected.vpc_cidr)
    own_cidrs = network.vpcs[own].cidrs if own is not None else network.vpc_cidrs
    actual_vpc = sorted(str(c) for c in own_cidrs)
    if expected.vpc_cidr not in actual_vpc:
        findings.append(VerifyFinding(
            "identity", f"the network's VPC CIDR is {', '.join(actual_vpc) or 'unknown'}, the "
            f"blueprint's is {expected.vpc_cidr}: is this the network of this blueprint?",
            ("vpc", "cidr"), resource=own or network.vpc_id or ""))
    actual: dict[str, set[str]] = {}
    for subnet in network.subnets.values():
        if subnet.tier is not None and subnet.vpc == own:
            actual.setdefault(subnet.tier, set()).add(
                IPV6_ONLY if subnet.ipv6_native else str(subnet.cidr))
    for tier, cidrs in sorted(expected.subnets.items()):
        got = actual.get(tier)
        if got is None:
            findings.append(VerifyFinding(
                "identity", f"tier {tier} of the blueprint has no subnets in the network "
                f"(expected {', '.join(sorted(cidrs))})", ("tiers", tier), dst=tier))
        elif got != set(cidrs):
            missing, extra = sorted(set(cidrs) - got), sorted(got - set(cidrs))
            parts = ([f"missing {', '.join(missing)}"] if missing else []) + \
                    ([f"unexpected {', '.join(extra)}"] if extra else [])
            findings.append(VerifyFinding(
                "identity", f"tier {tier}'s subnets differ from the blueprint's: "
                f"{'; '.join(parts)}", ("tiers", tier), dst=tier))
    unread = sorted({u.address for u in network.unresolved
                     if u.attribute == "vpc_id" and "aws_security_group." in u.address})
    maybe = (f" ({len(unread)} security group(s) of the input could not be placed in a VPC, "
             f"e.g. {unread[0]}: see the unresolved items)" if unread else "")
    for tier, refs in sorted(expected.groups.items()):
        for index, ref in enumerate(refs):
            if not any(group_matches(ref, g) for g in network.security_groups.values()):
                findings.append(VerifyFinding(
                    "identity", f"tier {tier}'s security group {ref!r} matches no security "
                    f"group in the network (by id, Name tag, name or address){maybe}: the "
                    "tier's security-group layer is not what the blueprint says",
                    ("tiers", tier, "security_groups", index), dst=tier,
                    layer="security_groups"))
    for tier in sorted(set(actual) - set(expected.subnets)):
        findings.append(VerifyFinding(
            "identity", f"the network has a tier {tier} ({', '.join(sorted(actual[tier]))}) "
            "that the blueprint does not declare", ("tiers",), src=tier))
    return findings


def _exposure_of(tier: str, reach: Reachability, declared: Mapping[str, str]) -> str:
    if tier in declared:
        return declared[tier]
    info = reach.tiers.get(tier)
    return info.exposure if info else "unknown"


def _broken(intents: Sequence[Intent], network: Network, reach: Reachability,
            ephemeral: tuple[int, int]) -> list[VerifyFinding]:
    endpoints = set(reach.endpoints)
    findings = []
    for intent in intents:
        unknown = [e for e in (intent.src, intent.dst) if e not in endpoints]
        if unknown:
            # One finding per protocol, like a blocked flow, so JSON/SARIF readers get the
            # flow's protocol and ports whatever the reason it is broken.
            for protocol in intent.protocols():
                findings.append(VerifyFinding(
                    "broken", f"broken flow {intent.label}: {', '.join(unknown)} not found in "
                    "the network", intent.path, intent.src, intent.dst, protocol,
                    None if protocol == "icmp" else intent.ports_for(protocol)))
            continue
        for family, protocol in ((f, p) for f in intent.families for p in intent.protocols()):
            wanted = intent.ports_for(protocol)
            missing = (wanted - reach.ports(intent.src, intent.dst, protocol, family)
                       - reach.unknown_ports(intent.src, intent.dst, protocol, family))
            if not missing:
                continue
            probe = missing.first() or 0
            result = query(network, intent.src, intent.dst, protocol, probe, ephemeral=ephemeral,
                           family=family)
            blocking = result.blocking
            layer = blocking[0].layer if blocking else None
            resource = "; ".join(dict.fromkeys(b.resource for b in blocking if b.resource))
            why = "; ".join(f"{b.leg} leg, {b.layer}: {b.resource}: {b.detail}"
                            for b in blocking) or "no single layer blocks it"
            ports = "" if protocol == "icmp" else f" {missing}"
            over = " over IPv6" if family == "ipv6" else ""
            findings.append(VerifyFinding(
                "broken", f"broken flow {intent.label}: {protocol}{ports}{over} is blocked "
                f"({why})", intent.path, intent.src, intent.dst, protocol,
                None if protocol == "icmp" else missing, layer, resource, family=family))
    return findings


def _single_layer(layer: Layer, network: Network, reach: Reachability,
                  allowed: Mapping[tuple[str, str, str], PortSet],
                  declared: Mapping[str, str], eph: PortSet,
                  ephemeral: tuple[int, int],
                  foreign: frozenset[str] = frozenset()) -> tuple[list[Flow], list[Flow]]:
    """Forbidden flows into private or isolated tiers that open when ``layer`` fails open,
    and apart the ephemeral ports that open then (return legs the ACLs must admit), into
    public tiers too: a public tier's ACL admits replies from the internet on them (for its
    own connections and its NAT gateways'), so only its groups refuse new connections."""
    failed = analyze(network, ephemeral=ephemeral, failed_open=layer)
    opened: list[Flow] = []
    legs: list[Flow] = []
    if layer == "security_groups":
        # A tier no intent names that holds interface endpoints is the endpoints' own: what
        # the ACLs admit into it for the flows to its endpoints is those flows, not a hole.
        # (A tier that also holds workloads keeps the finding: they would be open.)
        named = {end for src, dst, _ in allowed for end in (src, dst)}
        dedicated = {t for tiers in endpoint_tiers(network).values() for t in tiers} - named
        allowed = {**allowed, **{key: ports for key, ports in
                                 _needed("nacls", network, allowed, failed.endpoints).items()
                                 if key[1] in dedicated}}
    for flow in failed.flows:
        if layer == "firewall":  # R15: what the firewall alone holds back, wherever to
            extra = _excess(flow, reach, allowed, eph) - reach.ports(flow.src, flow.dst,
                                                                     flow.protocol)
            if extra and flow.src != flow.dst and not {flow.src, flow.dst} & foreign:
                opened.append(Flow(flow.src, flow.dst, flow.protocol,
                                   None if flow.protocol == "icmp" else extra, flow.family))
            continue
        if flow.src == flow.dst or flow.dst not in reach.tiers or flow.dst in foreign:
            continue
        public = _exposure_of(flow.dst, reach, declared) not in ("private", "isolated")
        if public and layer != "security_groups":
            continue
        extra = _excess(flow, reach, allowed, eph)
        extra = extra - reach.ports(flow.src, flow.dst, flow.protocol)  # already unintended
        if public:
            if flow.protocol != "icmp" and extra & eph:
                legs.append(Flow(flow.src, flow.dst, flow.protocol, extra & eph))
            continue
        if layer == "security_groups" and flow.protocol != "icmp":
            # Stateless NACLs cannot tell these from replies: listed apart, labelled.
            if extra & eph:
                legs.append(Flow(flow.src, flow.dst, flow.protocol, extra & eph, flow.family))
            extra = extra - eph
        if extra:
            opened.append(Flow(flow.src, flow.dst, flow.protocol,
                               None if flow.protocol == "icmp" else extra, flow.family))
    return opened, legs


# --------------------------------------------------------------------------- blueprint


def group_matches(ref: str, group: SecurityGroup) -> bool:
    """A blueprint's group reference names ``group``: equal to, or a glob (``*``, ``?``,
    ``[...]``, case-sensitive) over, its id, its name (Name tag, else ``name``), its source,
    or the Terraform address a state or live source carries in parentheses."""
    names = [group.id, group.name or "", group.source]
    if group.source.endswith(")") and " (" in group.source:
        names.append(group.source[group.source.rindex(" (") + 2:-1])
    return any(name and (name == ref or fnmatchcase(name, ref)) for name in names)


def adopt_blueprint(network: Network, expected: Expected,
                    named_networks: Mapping[str, object],
                    tier_groups: Mapping[str, Sequence[str]] | None = None) -> Network:
    """The network as the blueprint names it: a subnet with no tier tag takes the tier whose
    blueprint CIDR it has; the blueprint's named networks are endpoints (a read's own win);
    ``tier_groups`` (tier -> references, ``group_matches``; default: the blueprint's
    ``expected.groups``) places security groups explicitly: a tier listed there carries
    exactly the groups its references match, whatever their tags say.

    A copy: the reader's network is left as read."""
    by_cidr = {cidr: tier for tier, cidrs in expected.subnets.items() for cidr in cidrs}
    own = own_vpc(network, expected.vpc_cidr)
    subnets = {key: (replace(subnet, tier=by_cidr[str(subnet.cidr)])
                     if subnet.tier is None and str(subnet.cidr) in by_cidr
                     and subnet.vpc == own else subnet)
               for key, subnet in network.subnets.items()}
    if own is not None:
        # The blueprint's VPC keeps the blueprint's tier names where the reader qualified
        # them (another VPC of the input has a tier of the same name).
        prefix = f"{network.vpcs[own].name}/"

        def plain(tier: str | None, vpc: str | None) -> str | None:
            return tier[len(prefix):] if tier and vpc == own and tier.startswith(prefix) \
                else tier

        subnets = {k: replace(v, tier=plain(v.tier, v.vpc)) for k, v in subnets.items()}
        network = replace(
            network,
            route_tables={k: replace(v, tier=plain(v.tier, v.vpc))
                          for k, v in network.route_tables.items()},
            nacls={k: replace(v, tier=plain(v.tier, v.vpc)) for k, v in network.nacls.items()},
            security_groups={k: replace(v, tier=plain(v.tier, v.vpc))
                             for k, v in network.security_groups.items()})
    named = {**named_networks_of(named_networks), **network.named_networks}
    placed = dict(network.tier_groups)
    mapping = expected.groups if tier_groups is None else tier_groups
    for tier, refs in mapping.items():
        placed[tier] = tuple(dict.fromkeys(
            group.id for ref in refs for group in network.security_groups.values()
            if group_matches(ref, group)))
    return replace(network, subnets=subnets, named_networks=named, tier_groups=placed)


# --------------------------------------------------------------------------- routes

_STAYS: frozenset[str] = frozenset({"local", "blackhole", "endpoint"})
"""Route kinds that keep traffic in the VPC or drop it (gateway endpoints reach AWS
services by their prefix list, which no tier flow names)."""
_EXPOSURE_TARGETS: dict[str, frozenset[str]] = {
    "public": frozenset({"igw", "eigw"}),
    "private": frozenset({"nat", "eigw"}),
    "isolated": frozenset(),
}


def _named_between(tier: str, intents: Sequence[Intent],
                   named: Mapping[str, tuple[NamedCidr, ...]]
                   ) -> dict[str, tuple[NamedCidr, ...]]:
    """The named networks a flow of the blueprint connects with ``tier`` (either way)."""
    ends = {i.dst for i in intents if i.src == tier} | {i.src for i in intents if i.dst == tier}
    return {name: cidr for name, cidr in named.items() if name in ends}


def _justified(route: Route, tier: str, declared: str, intents: Sequence[Intent],
               named: Mapping[str, tuple[NamedCidr, ...]]) -> bool:
    dest = route.network
    if dest is not None:
        for cidrs in _named_between(tier, intents, named).values():
            if any(c.version == dest.version and c.overlaps(dest) for c in cidrs):
                return True  # a route to a named network that a flow names
    if route.kind not in _EXPOSURE_TARGETS.get(declared, frozenset()):
        return False
    wants_internet = any(INTERNET in (i.src, i.dst) and tier in (i.src, i.dst) for i in intents)
    # A public tier's internet gateway, a private tier's NAT: what the exposure is made of.
    return declared != "isolated" or wants_internet


def _beyond_firewall(network: Network, route: Route, hops: int = 3) -> Route | None:
    """R15: a route to a Network Firewall endpoint leaves the VPC (or not) by the firewall
    subnet's route for that destination: judged as that route (None: it stays in the VPC).
    Not a known firewall, a loop or a long chain: the route itself, judged as it is."""
    found = network.firewall_of(route.target) if route.kind == "gwlbe" else None
    dest = route.network
    if found is None or dest is None or hops == 0:
        return route
    firewall, az = found
    table = network.route_table_of(firewall.subnet_in(az) or "")
    if table is None:
        return route
    covering = [r for r in table.routes if r.network is not None
                and r.network.version == dest.version and dest.subnet_of(r.network)]  # type: ignore[arg-type]
    local = max((c.prefixlen for c in network.vpc_cidrs
                 if dest.version == 4 and dest.subnet_of(c)), default=-1)
    onward = max(covering, key=lambda r: r.network.prefixlen if r.network else 0,
                 default=None)
    if onward is None or (onward.network is not None and onward.network.prefixlen <= local):
        return None  # the local route: it does not leave the VPC
    return _beyond_firewall(network, onward, hops - 1)


def route_findings(intents: Sequence[Intent], network: Network,
                   declared: Mapping[str, str],
                   foreign: frozenset[str] = frozenset()) -> list[VerifyFinding]:
    """Routes that leave the VPC from a tier without a justification: judged on the routes
    alone, whether or not the analyzer models the far side (IPv6, transit, peering...);
    the tiers of the input's other VPCs (``foreign``) are not judged."""
    findings: list[VerifyFinding] = []
    seen: set[tuple[str, str, str]] = set()
    for tier in network.tiers:
        if tier in foreign:
            continue
        exposure = declared.get(tier, "isolated")
        for subnet in network.subnets_of(tier):
            table = network.route_table_of(subnet.id)
            if table is None:
                continue
            for route in table.routes:
                onward = _beyond_firewall(network, route)
                if onward is None or onward.kind in _STAYS or _justified(
                        onward, tier, exposure, intents, network.named_networks):
                    continue
                key = (tier, table.id, route.destination)
                if key in seen:
                    continue
                seen.add(key)
                where = table.source or table.id
                findings.append(VerifyFinding(
                    "route", f"{exposure} tier {tier}: route table {where} sends "
                    f"{route.destination} to {route.kind} {route.target or ''}".rstrip()
                    + f" ({route.source or 'route'}), which leaves the VPC and no flow or "
                    "exposure of the blueprint justifies; the routes layer alone admits it",
                    ("tiers", tier), tier, None, layer="routes",
                    resource=route.source or where))
    return findings


# --------------------------------------------------------------------------- layers alone

_OPEN_GROUP = "tierform:open"


def _without(network: Network, layer: Layer) -> Network:
    """A copy where ``layer`` (nacls or security_groups) admits everything."""
    if layer == "nacls":
        nacls = {key: replace(nacl, entries=_allow_all()) for key, nacl in network.nacls.items()}
        return replace(network, nacls=nacls)
    group = SecurityGroup(_OPEN_GROUP, tuple(SgRule(egress, "-1", cidr=cidr)
                                             for egress in (False, True)
                                             for cidr in (ANYWHERE, ANYWHERE_V6)), name="open")
    endpoints = {key: replace(e, security_group_ids=(_OPEN_GROUP,))
                 for key, e in network.interface_endpoints.items()}
    return replace(network, security_groups={**network.security_groups, _OPEN_GROUP: group},
                   tier_groups=dict.fromkeys(network.tiers, (_OPEN_GROUP,)),
                   interface_endpoints=endpoints)


def _allow_all() -> tuple[NaclEntry, ...]:
    return tuple(NaclEntry(number, egress, "-1", "allow", cidr) for egress in (False, True)
                 for number, cidr in ((1, ANYWHERE), (2, ANYWHERE_V6)))


_ALONE: dict[Layer, tuple[Layer, str]] = {
    "nacls": ("security_groups", "network ACLs"),
    "security_groups": ("nacls", "security groups"),
}


def _layers_alone(network: Network, reach: Reachability,
                  allowed: Mapping[tuple[str, str, str], PortSet], eph: PortSet,
                  ephemeral: tuple[int, int],
                  ours: Callable[[Flow], bool] = lambda _: True) -> list[VerifyFinding]:
    """What the ACLs alone, and the groups alone, admit beyond the intent (routes failed
    open too: their own conformance is ``route_findings``), then what each side (inbound,
    outbound rules) of a layer admits while the other side of it still blocks (severity
    ``rule``). Ephemeral ports are needed by stateless ACLs for return legs (and a NAT
    subnet's ACL carries both legs of what it translates): not counted for ACLs."""
    findings: list[VerifyFinding] = []
    network, hypothetical = _with_ipv6_blocks(network)
    hosted = endpoint_tiers(network)
    for layer, (other, name) in _ALONE.items():
        base = _without(network, other)
        reported: dict[tuple[str, str, str], PortSet] = {}
        for side in (None, False, True):
            view = base if side is None else _open_side(base, layer, egress=not side)
            alone = analyze(view, ephemeral=ephemeral, failed_open="routes")
            needed = _needed(layer, network, allowed, alone.endpoints)
            for flow in alone.flows:
                if flow.src == flow.dst or not ours(flow):
                    continue
                if layer == "nacls" and (flow.src in hosted.get(flow.dst, ())
                                         or flow.dst in hosted.get(flow.src, ())):
                    continue  # an endpoint and its own subnets' tier: ACLs cannot part them
                # The side under test must be a tier's: its inbound rules for flows into a
                # tier, its outbound rules for flows out of one (the internet has none).
                if side is not None and (flow.src if side else flow.dst) not in reach.tiers:
                    continue
                key = (flow.src, flow.dst, flow.protocol)
                extra = _excess(flow, reach, needed, eph, allowed)
                extra = extra - reach.ports(*key)  # unintended already
                extra = extra - reported.get(key, PortSet.empty())
                if layer == "nacls" and flow.protocol != "icmp":
                    extra = extra - eph
                if not extra:
                    continue
                reported[key] = reported.get(key, PortSet.empty()) | extra
                resource = _admitting(view, layer, flow, extra, ephemeral)
                tier = flow.dst if flow.dst in reach.tiers else flow.src
                ports = None if flow.protocol == "icmp" else extra
                where = _location(reach, flow.src, flow.dst)
                note = (" (once its subnets have IPv6 blocks: the address plan is one edit "
                        "away too)" if hypothetical and flow.family == "ipv6" else "")
                if side is None:
                    findings.append(VerifyFinding(
                        "layer", f"{tier}: the {name} alone admit {_describe(flow, extra)}"
                        f"{note}, which no flow allows" + (f" ({resource})" if resource else "")
                        + "; the other layers hold", where, flow.src, flow.dst,
                        flow.protocol, ports, layer, resource, family=flow.family))
                else:
                    rules = "outbound" if side else "inbound"
                    findings.append(VerifyFinding(
                        "rule", f"{tier}: {name} {rules} rules admit {_describe(flow, extra)}"
                        f"{note}, which no flow needs" + (f" ({resource})" if resource else "")
                        + f"; only the {'inbound' if side else 'outbound'} rules of the "
                        "same layer still block it (an over-broad rule is one edit away "
                        "from a hole)", where, flow.src, flow.dst, flow.protocol, ports,
                        layer, resource, level="warning", family=flow.family))
    return findings


def _with_ipv6_blocks(network: Network) -> tuple[Network, bool]:
    """For judging layers alone: when some rule or route is IPv6 but no subnet has an IPv6
    block, a copy where each subnet has one (carved from a symbolic VPC block), so that an
    IPv6 rule is judged like an IPv4 one; and whether that was done. A layer's rules are
    its own, whatever the address plan says today."""
    if network.has_ipv6 or not any(p is not None and p.base is None
                                   for p in map(parse_ipv6, ipv6_texts(network))):
        return network, False
    # Each VPC its own block (R13: a table routes locally only its own VPC's blocks).
    bases = {vpc: symbolic_base(vpc or network.vpc_id or "vpc")
             for vpc in dict.fromkeys(s.vpc for s in network.subnets.values())}
    counts: dict[str | None, int] = {}
    subnets = {}
    for key, subnet in network.subnets.items():
        block = parse_ipv6(bases[subnet.vpc])
        assert block is not None
        index = counts[subnet.vpc] = counts.get(subnet.vpc, -1) + 1
        subnets[key] = replace(subnet, ipv6_cidr=block.subnet(8, index).text)
    vpcs = {key: replace(vpc, ipv6_cidrs=(bases[key],) if key in bases else ())
            for key, vpc in network.vpcs.items()}
    return replace(network, subnets=subnets, vpcs=vpcs,
                   vpc_ipv6_cidrs=tuple(bases.values())), True


_OPENED_NACL_RULE = 0
"""Number of the allow-all entry that stands in for an opened ACL direction: AWS numbers
rules from 1, so no rule read from a network has it (``_admitting`` leaves it out)."""
_OPENED_SG_RULE = "tierform:opened"
"""``source`` of the allow-all rule that stands in for an opened group direction."""


def _open_side(network: Network, layer: Layer, *, egress: bool) -> Network:
    """A copy where one direction (``egress``) of ``layer`` admits everything."""
    if layer == "nacls":
        nacls = {key: replace(nacl, entries=(
            *(e for e in nacl.entries if e.egress != egress),
            NaclEntry(_OPENED_NACL_RULE, egress, "-1", "allow", ANYWHERE),
            NaclEntry(_OPENED_NACL_RULE, egress, "-1", "allow", ANYWHERE_V6)))
            for key, nacl in network.nacls.items()}
        return replace(network, nacls=nacls)
    groups = {key: replace(group, rules=(
        *(r for r in group.rules if r.egress != egress),
        SgRule(egress, "-1", cidr=ANYWHERE, source=_OPENED_SG_RULE),
        SgRule(egress, "-1", cidr=ANYWHERE_V6, source=_OPENED_SG_RULE)))
        for key, group in network.security_groups.items()}
    return replace(network, security_groups=groups)


def _needed(layer: Layer, network: Network, allowed: Mapping[tuple[str, str, str], PortSet],
            endpoints: Sequence[str]) -> dict[tuple[str, str, str], PortSet]:
    """What a layer must admit to carry the intents, beyond the intents themselves.

    - Groups cannot deny: a rule for the internet (0.0.0.0/0) admits every address, named
      networks and tiers included.
    - A NAT subnet's ACL carries both legs of the traffic it translates: the tier holding a
      NAT gateway admits, from the tiers that flow to the internet, what they send there.
    - ACLs see an interface endpoint as its subnets' addresses: a flow to ``aws:<service>``
      needs the ACLs to admit it into the tiers whose subnets hold the endpoint.
    - ACLs see a gateway endpoint's service as the internet (0.0.0.0/0)."""
    needed = dict(allowed)
    hosts = endpoint_tiers(network)

    def add(key: tuple[str, str, str], ports: PortSet) -> None:
        needed[key] = needed.get(key, PortSet.empty()) | ports

    nat_tiers = {network.subnets[nat.subnet_id].tier for nat in network.nat_gateways.values()
                 if nat.subnet_id in network.subnets} - {None}
    for (src, dst, protocol), ports in allowed.items():
        if layer == "security_groups":
            for end in endpoints:
                if src == INTERNET:
                    add((end, dst, protocol), ports)
                if dst == INTERNET:
                    add((src, end, protocol), ports)
        elif dst in hosts:
            # ... and into every endpoint those subnets hold: ACLs name subnets only.
            for host in sorted(hosts[dst]):
                if host != src:
                    add((src, host, protocol), ports)
            for other, tiers in hosts.items():
                if other != dst and tiers & hosts[dst]:
                    add((src, other, protocol), ports)
        elif dst == INTERNET:
            for nat in nat_tiers:
                if nat is not None and nat != src:
                    add((src, nat, protocol), ports)
                    add((nat, INTERNET, protocol), ports)
    # R5: a gateway endpoint's service is public addresses: what a layer admits to the
    # internet it admits to them; and ACLs cannot name a prefix list, so a flow to one
    # needs the ACLs to admit the internet (0.0.0.0/0) on its ports.
    gateways = sorted({e.endpoint for e in network.endpoints.values()})
    for (src, dst, protocol), ports in list(needed.items()):
        if dst == INTERNET:
            for gateway in gateways:
                add((src, gateway, protocol), ports)
        elif dst in gateways and layer == "nacls":
            for other in (INTERNET, *gateways):
                add((src, other, protocol), ports)
    return needed


def endpoint_tiers(network: Network) -> dict[str, set[str]]:
    """``aws:<service>`` -> the tiers whose subnets hold its interface endpoint."""
    hosts: dict[str, set[str]] = {}
    for endpoint in network.interface_endpoints.values():
        hosts.setdefault(endpoint.endpoint, set()).update(
            subnet.tier for s in endpoint.subnet_ids
            if (subnet := network.subnets.get(s)) is not None and subnet.tier is not None)
    return hosts


def _admitting(network: Network, layer: Layer, flow: Flow, extra: PortSet,
               ephemeral: tuple[int, int]) -> str:
    """The rules that let one port of ``extra`` through, by the analyzer's own explanation;
    never the stand-ins for a direction opened to judge the other one alone."""
    probe = extra.first() or 0
    result = query(network, flow.src, flow.dst, flow.protocol, probe, ephemeral=ephemeral,
                   family=flow.family)
    opened = f" rule {_OPENED_NACL_RULE} (allow)"
    named = (part for leg in result.legs if leg.layer == layer and leg.ok and leg.resource
             for part in leg.resource.split(", "))
    return "; ".join(dict.fromkeys(part for part in named
                                   if _OPENED_SG_RULE not in part and not part.endswith(opened)))


# --------------------------------------------------------------------------- subnet pairs

_PAIR = "@"


def _per_subnet(network: Network) -> tuple[Network, dict[str, tuple[str, str]]]:
    """A copy where each subnet is its own endpoint ``tier@subnet`` (groups of its tier)."""
    labels: dict[str, tuple[str, str]] = {}
    subnets = {}
    groups: dict[str, tuple[str, ...]] = {}
    for key, subnet in network.subnets.items():
        if subnet.tier is None:
            subnets[key] = subnet
            continue
        label = f"{subnet.tier}{_PAIR}{subnet.id}"
        labels[label] = (subnet.tier, subnet.source or subnet.id)
        subnets[key] = replace(subnet, tier=label)
        groups[label] = tuple(g.id for g in network.groups_of(subnet.tier))
    return replace(network, subnets=subnets, tier_groups=groups), labels


def _subnet_pairs(intents: Sequence[Intent], network: Network, reach: Reachability,
                  allowed: Mapping[tuple[str, str, str], PortSet], eph: PortSet,
                  ephemeral: tuple[int, int]) -> list[VerifyFinding]:
    """An intended flow blocked between some subnet pair of its tiers is broken, named with
    the pair (tier pairs already broken are left to that finding). An unintended flow open
    between any pair needs nothing here: the tier matrix is the union of its pairs."""
    if len(network.subnets) < 2:
        return []
    split, labels = _per_subnet(network)
    pairs = analyze(split, ephemeral=ephemeral)

    def tier(end: str) -> str:
        return labels[end][0] if end in labels else end

    def ends(name: str) -> list[str]:
        found = [label for label, (t, _) in labels.items() if t == name]
        return found or [name]

    def named(end: str) -> str:
        return f"{labels[end][0]} subnet {labels[end][1]}" if end in labels else end

    findings: list[VerifyFinding] = []
    for intent in intents:
        for family, protocol in ((f, p) for f in intent.families for p in intent.protocols()):
            wanted = intent.ports_for(protocol)
            if wanted - reach.ports(intent.src, intent.dst, protocol, family):
                continue  # the tier pair is broken already
            for src in ends(intent.src):
                for dst in ends(intent.dst):
                    missing = (wanted - pairs.ports(src, dst, protocol, family)
                               - pairs.unknown_ports(src, dst, protocol, family))
                    if not missing:
                        continue
                    result = query(split, src, dst, protocol, missing.first() or 0,
                                   ephemeral=ephemeral, family=family)
                    blocking = result.blocking
                    why = "; ".join(f"{b.leg} leg, {b.layer}: {b.resource}: {b.detail}"
                                    for b in blocking) or "no single layer blocks it"
                    ports = "" if protocol == "icmp" else f" {missing}"
                    findings.append(VerifyFinding(
                        "broken", f"broken flow {intent.label} between {named(src)} and "
                        f"{named(dst)}: {protocol}{ports} is blocked ({why})", intent.path,
                        intent.src, intent.dst, protocol,
                        None if protocol == "icmp" else missing,
                        blocking[0].layer if blocking else None,
                        "; ".join(dict.fromkeys(b.resource for b in blocking if b.resource))))
    return findings


# --------------------------------------------------------------------------- inspection


def inspection_findings(network: Network, inspected: Iterable[tuple[str, str]]
                        ) -> list[VerifyFinding]:
    """R15: for each (src, dst) pair that must be inspected, every subnet's path both ways
    must cross a Network Firewall endpoint in the subnet's own AZ: ``bypass`` when a
    direction crosses none, ``cross-AZ`` when the endpoint is another AZ's, ``asymmetric``
    when the reply does not come back through the same endpoint. From the internet, the
    tier's route back out is the one checked (the internet gateway's edge table is not
    read). Between two tiers (east-west) one endpoint serves a subnet pair both ways, so
    ``cross-AZ`` means an endpoint in neither subnet's AZ (a pair across two AZs crosses
    AZs once whichever of the two it uses), and ``asymmetric`` that the other subnet's
    route back is not that endpoint. Over IPv4, by the route tables (the rules are the
    analyzer's)."""
    model = Model(network)
    found: list[VerifyFinding] = []
    for src, dst in dict.fromkeys(inspected):
        outbound = src == INTERNET
        tier, peer = (dst, src) if outbound else (src, dst)
        peers = [h for h in model.hosts if h.endpoint == peer]
        for subnet in network.subnets_of(tier):
            own = next((h for h in model.hosts if subnet.id in h.subnets), None)
            if own is None:
                continue
            for host in peers:
                found += _inspected_path(model, subnet.id, own, host, (src, dst))
    return list(dict.fromkeys(found))


def _inspected_path(model: Model, subnet_id: str, own: Host, peer: Host,
                    pair: tuple[str, str]) -> list[VerifyFinding]:
    network = model.network
    subnet = network.subnets[subnet_id]
    src, dst = pair
    path: tuple[str | int, ...] = ("flows",)
    table = model.table_of.get(subnet_id)
    route = model.lpm(table, peer.key)
    where = f"{src} -> {dst} must be inspected, but subnet {subnet.source or subnet.id}"
    gateway = network.nat_gateways.get(route.target or "") if route is not None and \
        route.kind == "nat" and peer.tier is None else None
    if gateway is not None:  # the NAT first, then the firewall (AWS's combined design)
        after = model.lpm(model.table_of.get(gateway.subnet_id), peer.key)
        if after is not None and after.kind == "gwlbe" and \
                network.firewall_of(after.target) is not None:
            return _after_nat(model, gateway.subnet_id, after, pair, where)
    found = network.firewall_of(route.target) if route is not None and \
        route.kind == "gwlbe" else None
    if found is None:
        shown = "no route" if route is None else \
            f"{route.destination} -> {route.kind} {route.target or ''}".rstrip()
        return [VerifyFinding("inspection", f"bypass: {where} sends it to {peer.cidr} by "
                              f"{model.table_name(table)} ({shown}), through no firewall "
                              "endpoint", path, src, dst, resource=route.source if route
                              else model.table_name(table), layer="routes")]
    assert route is not None
    firewall, az = found
    label = f"firewall {firewall.source or firewall.id}"
    out: list[VerifyFinding] = []
    if peer.tier is not None:
        return _east_west(model, subnet_id, own, peer, route, pair, where)
    if subnet.az is not None and az != subnet.az:
        out.append(VerifyFinding(
            "inspection", f"cross-AZ: {where} in {subnet.az} routes it to {label}'s endpoint "
            f"in {az} ({route.source or model.table_name(table)}): use its own AZ's endpoint",
            path, src, dst, resource=route.source, layer="routes"))
    fw_subnet = firewall.subnet_in(az)
    onward = model.lpm(model.table_of.get(fw_subnet or ""), peer.key) if fw_subnet else None
    if onward is not None and onward.kind == "igw":  # in and out by the edge table
        edges = [t for t in network.route_tables.values()
                 if t.gateway_ids & set(network.internet_gateways)]
        back = model.lpm(edges[0].id, own.key) if len(edges) == 1 else None
        if back is None or back.kind != "gwlbe" or back.target != route.target:
            shown = ("no edge route table on the internet gateway" if not edges else
                     "no single edge route table" if len(edges) > 1 else
                     f"{model.table_name(edges[0].id)} "
                     f"({'no route' if back is None else f'{back.destination} -> {back.kind}'})")
            out.append(VerifyFinding(
                "inspection", f"asymmetric: {where}: from the internet gateway {own.cidr} is "
                f"reached by {shown}, not through {label}'s endpoint in {az}", path, src,
                dst, resource=back.source if back is not None else "", layer="routes"))
    if onward is not None and onward.kind == "nat":
        gateway = network.nat_gateways.get(onward.target or "")
        if gateway is not None:
            back_table = model.table_of.get(gateway.subnet_id)
            back = model.lpm(back_table, own.key)
            if back is None or back.kind != "gwlbe" or back.target != route.target:
                shown = "no route" if back is None else \
                    f"{back.destination} -> {back.kind} {back.target or ''}".rstrip()
                out.append(VerifyFinding(
                    "inspection", f"asymmetric: {where}: the reply to {own.cidr} leaves NAT "
                    f"gateway {gateway.source or gateway.id}'s subnet by "
                    f"{model.table_name(back_table)} ({shown}), not back through {label}'s "
                    f"endpoint in {az}", path, src, dst,
                    resource=back.source if back is not None else "", layer="routes"))
    return out


def _east_west(model: Model, subnet_id: str, own: Host, peer: Host, route: Route,
               pair: tuple[str, str], where: str) -> list[VerifyFinding]:
    """F8 between two tiers: the subnet's route to the peer reaches a firewall endpoint in
    the AZ of one of the two subnets (else ``cross-AZ``), and the peer's table routes the
    reply back through that same endpoint (else ``asymmetric``)."""
    network = model.network
    src, dst = pair
    found = network.firewall_of(route.target)
    assert found is not None
    firewall, az = found
    label = f"firewall {firewall.source or firewall.id}"
    subnet = network.subnets[subnet_id]
    peer_azs = {network.subnets[s].az for s in peer.subnets if s in network.subnets}
    out: list[VerifyFinding] = []
    if subnet.az is not None and az not in {subnet.az, *peer_azs}:
        out.append(VerifyFinding(
            "inspection", f"cross-AZ: {where} in {subnet.az} routes it to {peer.cidr} "
            f"({', '.join(sorted(a for a in peer_azs if a))}) through {label}'s endpoint in "
            f"{az} ({route.source or model.table_name(model.table_of.get(subnet_id))}): use "
            "the endpoint of one of the two subnets' AZs", ("flows",), src, dst,
            resource=route.source, layer="routes"))
    back = model.lpm(peer.table, own.key)
    if back is None or back.kind != "gwlbe" or back.target != route.target:
        shown = "no route" if back is None else \
            f"{back.destination} -> {back.kind} {back.target or ''}".rstrip()
        out.append(VerifyFinding(
            "inspection", f"asymmetric: {where} sends it to {peer.cidr} through {label}'s "
            f"endpoint in {az}, but the reply to {own.cidr} leaves by "
            f"{model.table_name(peer.table)} ({shown}), not back through that endpoint",
            ("flows",), src, dst,
            resource=back.source if back is not None else model.table_name(peer.table),
            layer="routes"))
    return out


def _after_nat(model: Model, nat_subnet: str, route: Route, pair: tuple[str, str],
               where: str) -> list[VerifyFinding]:
    """F8 for tier -> NAT -> firewall -> internet: the NAT's subnet must use its own AZ's
    endpoint, and the internet gateway's edge table must route the reply back through it."""
    network = model.network
    src, dst = pair
    found = network.firewall_of(route.target)
    assert found is not None
    firewall, az = found
    label = f"firewall {firewall.source or firewall.id}"
    nat = network.subnets[nat_subnet]
    out: list[VerifyFinding] = []
    if nat.az is not None and az != nat.az:
        out.append(VerifyFinding(
            "inspection", f"cross-AZ: {where} goes through the NAT gateway in {nat.az}, whose "
            f"subnet routes it to {label}'s endpoint in {az} ({route.source}): use its own "
            "AZ's endpoint", ("flows",), src, dst, resource=route.source, layer="routes"))
    nat_hosts = [h for h in model.hosts if nat_subnet in h.subnets]
    edges = [t for t in network.route_tables.values()
             if t.gateway_ids & set(network.internet_gateways)]
    back = model.lpm(edges[0].id, nat_hosts[0].key) if len(edges) == 1 and nat_hosts else None
    if back is None or back.kind != "gwlbe" or back.target != route.target:
        shown = ("no edge route table on the internet gateway" if not edges else
                 "no single edge route table" if len(edges) > 1 else
                 f"{model.table_name(edges[0].id)} "
                 f"({'no route' if back is None else f'{back.destination} -> {back.kind}'})")
        out.append(VerifyFinding(
            "inspection", f"asymmetric: {where}: the reply to the NAT gateway's subnet "
            f"{nat.source or nat.id} comes in from the internet gateway by {shown}, not "
            f"back through {label}'s endpoint in {az}", ("flows",), src, dst,
            resource=back.source if back is not None else "", layer="routes"))
    return out

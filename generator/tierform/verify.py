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
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from tierform.analyze import Flow, Layer, Reachability, analyze, query
from tierform.aws import DEFAULT_EPHEMERAL, INTERNET, PROTOCOLS, ProtocolName
from tierform.network.model import Network
from tierform.ports import PortSet, format_ports

if TYPE_CHECKING:
    # Only annotations: `tierform reach`/`verify` on a plan or state must not load pydantic.
    from tierform.blueprint.model import Blueprint

__all__ = [
    "LAYERS",
    "Expected",
    "FindingKind",
    "Intent",
    "VerifyFinding",
    "VerifyReport",
    "declared_exposure",
    "intents_from_blueprint",
    "verify",
]

LAYERS: tuple[Layer, ...] = ("routes", "nacls", "security_groups")
FindingKind = Literal["unintended", "broken", "exposure", "single_layer", "unresolved",
                      "identity"]
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

    def protocols(self) -> tuple[ProtocolName, ...]:
        return PROTOCOLS if self.protocol == "all" else (self.protocol,)

    def ports_for(self, protocol: ProtocolName) -> PortSet:
        """icmp and ``all`` carry no ports: everything."""
        return PortSet.full() if self.protocol == "all" or protocol == "icmp" else self.ports


@dataclass(frozen=True)
class Expected:
    """What the blueprint says the network is: its VPC CIDR and each tier's subnet CIDRs.

    ``verify`` compares the network read with it first, so that a plan or state of another
    network is reported as such instead of being judged by the wrong intents."""

    vpc_cidr: str
    subnets: Mapping[str, frozenset[str]]
    """tier -> the CIDRs of its subnets."""


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

    @property
    def ok(self) -> bool:
        return not self.findings

    @property
    def exit_code(self) -> int:
        """1 on a finding (unresolved wiring aside), else 3 when some answer is unknown."""
        if any(f.kind != "unresolved" for f in self.findings):
            return 1
        return 0 if self.reachability.complete and self.ok else 3


def intents_from_blueprint(bp: Blueprint) -> list[Intent]:
    """The blueprint's flows as intents, numbered like the generated rule descriptions."""
    intents = []
    for index, flow in enumerate(bp.flows):
        ports = PortSet(flow.port_ranges())
        label = f"flow {index + 1}: {flow.src} -> {flow.dst} {format_ports(flow.protocol, ports)}"
        intents.append(Intent(flow.src, flow.dst, flow.protocol, ports, label, ("flows", index)))
    return intents


def declared_exposure(bp: Blueprint) -> dict[str, str]:
    return {name: tier.exposure for name, tier in bp.tiers.items()}


def _allowed(intents: Sequence[Intent]) -> dict[tuple[str, str, str], PortSet]:
    allowed: dict[tuple[str, str, str], PortSet] = {}
    for intent in intents:
        for protocol in intent.protocols():
            key = (intent.src, intent.dst, protocol)
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
            ephemeral: PortSet) -> PortSet:
    """Ports of a reachable flow no intent allows, replies excepted."""
    ports = flow.ports if flow.ports is not None else PortSet.full()
    ports = ports - allowed.get((flow.src, flow.dst, flow.protocol), PortSet.empty())
    if flow.protocol != "icmp" and (flow.dst, flow.src, flow.protocol) in allowed:
        ports = ports - ephemeral  # replies to connections the other way
    return ports


def _describe(flow: Flow, ports: PortSet) -> str:
    return f"{flow.src} -> {flow.dst} {format_ports(flow.protocol, ports)}"


def verify(intents: Sequence[Intent], network: Network, *,
           declared_exposure: Mapping[str, str],
           ephemeral: tuple[int, int] = DEFAULT_EPHEMERAL,
           expected: Expected | None = None) -> VerifyReport:
    """Identity, unintended, broken, exposure and single-layer findings for one network."""
    reach = analyze(network, ephemeral=ephemeral)
    allowed = _allowed(intents)
    eph = PortSet.range(*ephemeral)
    findings: list[VerifyFinding] = [] if expected is None else identity(expected, network)

    for item in reach.unresolved:
        findings.append(VerifyFinding(
            "unresolved", f"could not resolve {item.address} {item.attribute}: {item.reason}; "
            "the verdict does not cover it", (), level="warning", resource=item.address))

    for flow in reach.flows:
        if flow.src == flow.dst:
            continue
        extra = _excess(flow, reach, allowed, eph)
        if extra:
            findings.append(VerifyFinding(
                "unintended", f"unintended flow: {_describe(flow, extra)} is reachable but no "
                "flow allows it", _location(reach, flow.src, flow.dst), flow.src, flow.dst,
                flow.protocol, None if flow.protocol == "icmp" else extra))

    findings.extend(_broken(intents, network, reach, ephemeral))

    for tier, declared in declared_exposure.items():
        info = reach.tiers.get(tier)
        if info is None:
            findings.append(VerifyFinding("exposure", f"tier {tier} is declared {declared} but "
                                          "has no subnets in the network", ("tiers", tier)))
        elif info.exposure != declared:
            findings.append(VerifyFinding(
                "exposure", f"tier {tier} is declared {declared} but its routes make it "
                f"{info.exposure}", ("tiers", tier, "exposure"), dst=tier, layer="routes"))

    single: dict[Layer, list[Flow]] = {}
    for layer in LAYERS:
        opened = _single_layer(layer, network, reach, allowed, declared_exposure, eph, ephemeral)
        single[layer] = opened
        for flow in opened:
            findings.append(VerifyFinding(
                "single_layer", f"one misconfiguration away: with {layer} failed open, "
                f"{_describe(flow, flow.ports or PortSet.full())} opens into "
                f"{_exposure_of(flow.dst, reach, declared_exposure)} tier {flow.dst}",
                ("tiers", flow.dst), flow.src, flow.dst, flow.protocol, flow.ports, layer,
                level="warning"))
    return VerifyReport(findings, reach, single, list(intents))


def identity(expected: Expected, network: Network) -> list[VerifyFinding]:
    """Findings where the network is not the one the blueprint describes: another VPC
    CIDR, tiers missing or extra, a tier's subnets at other addresses."""
    findings: list[VerifyFinding] = []
    actual_vpc = sorted(str(c) for c in network.vpc_cidrs)
    if expected.vpc_cidr not in actual_vpc:
        findings.append(VerifyFinding(
            "identity", f"the network's VPC CIDR is {', '.join(actual_vpc) or 'unknown'}, the "
            f"blueprint's is {expected.vpc_cidr}: is this the network of this blueprint?",
            ("vpc", "cidr"), resource=network.vpc_id or ""))
    actual: dict[str, set[str]] = {}
    for subnet in network.subnets.values():
        if subnet.tier is not None:
            actual.setdefault(subnet.tier, set()).add(str(subnet.cidr))
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
        for protocol in intent.protocols():
            wanted = intent.ports_for(protocol)
            missing = (wanted - reach.ports(intent.src, intent.dst, protocol)
                       - reach.unknown_ports(intent.src, intent.dst, protocol))  # unknown
            if not missing:
                continue
            probe = missing.first() or 0
            result = query(network, intent.src, intent.dst, protocol, probe, ephemeral=ephemeral)
            blocking = result.blocking
            layer = blocking[0].layer if blocking else None
            resource = "; ".join(dict.fromkeys(b.resource for b in blocking if b.resource))
            why = "; ".join(f"{b.leg} leg, {b.layer}: {b.resource}: {b.detail}"
                            for b in blocking) or "no single layer blocks it"
            ports = "" if protocol == "icmp" else f" {missing}"
            findings.append(VerifyFinding(
                "broken", f"broken flow {intent.label}: {protocol}{ports} is blocked "
                f"({why})", intent.path, intent.src, intent.dst, protocol,
                None if protocol == "icmp" else missing, layer, resource))
    return findings


def _single_layer(layer: Layer, network: Network, reach: Reachability,
                  allowed: Mapping[tuple[str, str, str], PortSet],
                  declared: Mapping[str, str], eph: PortSet,
                  ephemeral: tuple[int, int]) -> list[Flow]:
    """Forbidden flows into private or isolated tiers that open when ``layer`` fails open."""
    failed = analyze(network, ephemeral=ephemeral, failed_open=layer)
    opened = []
    for flow in failed.flows:
        if flow.src == flow.dst or flow.dst not in reach.tiers:
            continue
        if _exposure_of(flow.dst, reach, declared) not in ("private", "isolated"):
            continue
        extra = _excess(flow, reach, allowed, eph)
        extra = extra - reach.ports(flow.src, flow.dst, flow.protocol)  # already unintended
        if layer == "security_groups" and flow.protocol != "icmp":
            extra = extra - eph  # stateless NACLs cannot tell these from replies
        if extra:
            opened.append(Flow(flow.src, flow.dst, flow.protocol,
                               None if flow.protocol == "icmp" else extra))
    return opened

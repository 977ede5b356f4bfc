"""One connection, explained: query() and each layer's verdict per leg, in words.

query() takes every pair of host classes of the two endpoints, evaluates each of their
paths (legs.py, evaluate.py) at the one port, and explains the first that gets through, or
the one that got furthest: routes, then security groups, then NACLs, in the order the
packet and its reply cross them, each naming the resource and rule that decides. The
verdict is unknown when unresolved wiring touches the pair (V7, V10, R11, S5, N4), or when
the connection is not known to pass but would where a route leads somewhere not modelled (V8).
"""

from __future__ import annotations

from tierform.analyze.compile import GroupRule, Host, Model, NaclRule, protocol_index
from tierform.analyze.evaluate import Evaluator
from tierform.analyze.legs import Filter, Legs, Path
from tierform.analyze.results import Layer, LegCheck, QueryResult
from tierform.analyze.unknown import (
    peer_pairs,
    prefix_list_pairs,
    undecided_ipv6_pairs,
    unresolved_pairs,
)
from tierform.aws import DEFAULT_EPHEMERAL, PROTOCOLS, AddressFamily, ProtocolName
from tierform.errors import TierformError
from tierform.network.model import Network
from tierform.ports import PortSet

__all__ = ["explain", "query"]


def query(network: Network, src: str, dst: str, protocol: ProtocolName, port: int, *,
          ephemeral: tuple[int, int] = DEFAULT_EPHEMERAL,
          failed_open: Layer | None = None, family: AddressFamily = "ipv4") -> QueryResult:
    """Is one connection reachable over ``family``? Each layer's verdict per leg; for a
    blocked flow, the layer and resource that block it (the host pair that got furthest is
    shown)."""
    if protocol not in PROTOCOLS:
        raise TierformError(f"unknown protocol {protocol!r}: use tcp, udp or icmp")
    model = Model(network, family)
    legs = Legs(model, routes_open=failed_open == "routes")
    evaluator = Evaluator(model, ephemeral, failed_open)
    # An interface endpoint without addresses of this family is still an endpoint, and so
    # is a tier without IPv6 hosts: nothing reaches them over it.
    known = {h.endpoint for h in model.hosts} | set(network.services)
    if family == "ipv6":
        known |= set(network.tiers) | {"internet"}
    for name in (src, dst):
        if name not in known:
            raise TierformError(f"unknown endpoint {name!r}: known are "
                                f"{', '.join(sorted(known))}")
    touched = unresolved_pairs(network, (src, dst))
    more_pairs = [prefix_list_pairs(network, family), peer_pairs(network, family)]
    if family == "ipv6":
        more_pairs.append(undecided_ipv6_pairs(network))
    for found in more_pairs:
        for key, more in found.items():
            touched.setdefault(key, []).extend(more)
    for service, reasons in model.uncertain.items():  # V10
        if service in (src, dst) and src != dst:
            touched.setdefault((src, dst), []).extend(reasons)
    doubt = tuple(sorted(set(touched.get((src, dst), ()))))  # V7, V10, R11, S5, N4
    reachable, checks = _search(legs, evaluator, src, dst, protocol, port)
    if doubt:
        return QueryResult(False, checks, src, dst, protocol, port, "unknown", doubt,
                           family)
    if reachable:
        assumed = tuple(sorted(a for a in legs.assumed
                               if a.rsplit(" reaches ", 1)[-1] in (src, dst)))
        return QueryResult(True, checks, src, dst, protocol, port, family=family,
                           assumed=assumed)
    if legs.unknowns.get((src, dst)):  # V8: would it pass where the routes are not modelled?
        maybe = Legs(model, routes_open=legs.routes_open, unknown_passes=True)
        if _search(maybe, evaluator, src, dst, protocol, port)[0]:
            return QueryResult(False, checks, src, dst, protocol, port, "unknown",
                               tuple(sorted(legs.unknowns[(src, dst)])), family)
    return QueryResult(False, checks, src, dst, protocol, port, family=family)


def _search(legs: Legs, evaluator: Evaluator, src: str, dst: str, protocol: str, port: int,
            ) -> tuple[bool, list[LegCheck]]:
    """Whether some host-class path carries the connection, and its explanation (else the
    explanation of the path that got furthest)."""
    model = legs.model
    best: list[LegCheck] | None = None
    for a in (h for h in model.hosts if h.endpoint == src):
        for b in (h for h in model.hosts if h.endpoint == dst):
            for path in legs.paths(a, b):
                ports = evaluator.evaluate(path)[protocol_index(protocol)]
                checks = explain(evaluator, path, protocol, port)
                if (protocol == "icmp" and ports) or port in ports:
                    return True, checks
                if best is None or sum(not c.ok for c in checks) < sum(not c.ok for c in best):
                    best = checks
    if best is None:
        hosted = {h.endpoint for h in model.hosts}
        services = set(model.network.services)
        missing = [n for n in (src, dst) if n not in hosted]
        label = "IPv6" if model.family == "ipv6" else "IPv4"
        detail = (f"{', '.join(missing)} has no IPv6 block: no IPv6 hosts"
                  if model.family == "ipv6" and missing and not set(missing) & services
                  else f"{', '.join(missing)} has no {label} address"
                  if missing
                  else f"{src} -> {dst} is not a flow through this VPC")
        best = [LegCheck("forward", "routes", False, "", detail)]
    return False, best


def explain(evaluator: Evaluator, path: Path, protocol: str, port: int) -> list[LegCheck]:
    """Every layer's verdict for one destination port: route checks, then the groups,
    then the NACLs forward and on the reply's way back."""
    model = evaluator.model
    index = protocol_index(protocol)
    checks = [LegCheck(r.leg, "routes", r.ok, model.table_name(r.table), r.detail,
                       r.unknown is not None) for r in path.routes]
    forward = list(path.forward)
    for filt, half in ((f, h) for f, h in forward if f.layer == "firewall"):
        checks.append(_explain_firewall(evaluator, filt, half.peer, protocol, port))
    # A hop's NACL may face the connection's other end (R15): its ``origin``.
    for filt, half in [*((f, h) for f, h in forward if f.layer == "security_groups"),
                       *((f, h) for f, h in forward if f.layer == "nacls"), *path.replies]:
        allowed = evaluator.allows(filt, half.peer)[index]
        layer_open = evaluator.failed_open == filt.layer
        facing = filt.origin if filt.layer == "nacls" and filt.origin is not None else half.peer
        where = _where(path, filt, facing)
        if filt.layer == "nacls":
            checks.append(_explain_nacl(evaluator, filt, facing, where, protocol, port,
                                        allowed, layer_open))
        else:
            checks.append(_explain_sg(model, filt, half.peer, where, protocol, port, allowed,
                                      layer_open))
    return checks


def _explain_firewall(evaluator: Evaluator, filt: Filter, peer: Host, protocol: str,
                      port: int) -> LegCheck:
    """R15: the firewall's rules on the connection, naming the firewall and what decides."""
    model = evaluator.model
    firewall = model.network.firewalls[filt.owner]
    name = f"firewall {firewall.source or firewall.id}"
    if evaluator.failed_open == "firewall":
        return LegCheck(filt.leg, "firewall", True, name, f"{name}: failed open")
    origin = filt.origin if filt.origin is not None else peer
    src, dst = (origin, peer) if filt.egress else (peer, origin)
    verdict = model.firewall(filt.owner, src.key, dst.key)
    index = protocol_index(protocol)
    shown = protocol if protocol == "icmp" else f"{protocol} {port}"
    if (protocol == "icmp" and verdict.passed[index]) or port in verdict.passed[index]:
        more = f" ({'; '.join(verdict.details)})" if verdict.details else ""
        return LegCheck(filt.leg, "firewall", True, name, f"{name} passes {shown}{more}")
    if (protocol == "icmp" and verdict.unknown[index]) or port in verdict.unknown[index]:
        return LegCheck(filt.leg, "firewall", True, name,
                        f"{name}: unknown for {shown}: {'; '.join(verdict.reasons)}", True)
    return LegCheck(filt.leg, "firewall", False, name,
                    f"{name} drops {shown}: {'; '.join(verdict.deciding) or 'no rule passes it'}")


def _hop_nacl(filt: Filter) -> str:
    """The NACL a hop filter is, in words (its resource names it in full)."""
    return f"NACL {filt.owner}" if filt.owner else "no NACL"


def _where(path: Path, filt: Filter, peer: Host) -> str:
    """Where a filter sits, in words."""
    if filt.layer == "security_groups":
        return f"{filt.owner} {'egress' if filt.egress else 'ingress'}"
    if filt.end == "nat" and (path.halves[0].firewall is not None
                              or path.nat_subnet is None):  # R15: a firewall's hops
        return (f"firewall chain subnet ({_hop_nacl(filt)}) "
                f"{'outbound to' if filt.egress else 'inbound from'} {peer.endpoint}")
    if filt.end == "nat" and path.halves[0].more_hops:  # R9, R14: a chain of hops
        return (f"hop subnet ({_hop_nacl(filt)}) "
                f"{'outbound to' if filt.egress else 'inbound from'} {peer.endpoint}")
    if filt.end == "nat":
        return (f"NAT subnet {path.nat_subnet} "
                f"{'outbound to' if filt.egress else 'inbound from'} {peer.endpoint}")
    host = path.src if filt.end == "src" else path.dst
    return f"{host.endpoint} {host.cidr} {'outbound' if filt.egress else 'inbound'}"


def _explain_nacl(evaluator: Evaluator, filt: Filter, peer: Host, where: str, protocol: str,
                  port: int, allowed: PortSet, layer_open: bool) -> LegCheck:
    model, ephemeral = evaluator.model, evaluator.ephemeral
    name = model.nacl_name(filt.owner) if filt.owner else "no NACL"
    if layer_open:
        return LegCheck(filt.leg, "nacls", True, name, f"{where}: failed open")
    if filt.leg == "return":
        back = allowed & ephemeral
        probe = (ephemeral - back).first() if back != ephemeral else None
        rule = model.nacl_decision(filt.owner, filt.egress, peer.key, protocol,
                                   probe if probe is not None else ephemeral.first() or 0)
        return LegCheck(filt.leg, "nacls", bool(back), _rule_text(name, rule),
                        f"{where}: reply to ephemeral ports {ephemeral}: allowed {back}")
    rule = model.nacl_decision(filt.owner, filt.egress, peer.key, protocol, port) \
        if filt.owner else None
    ok = port in allowed if protocol != "icmp" else bool(allowed)
    return LegCheck(filt.leg, "nacls", ok, _rule_text(name, rule),
                    f"{where}: {protocol} {'' if protocol == 'icmp' else port} "
                    f"{'allowed' if ok else 'denied'}".replace("  ", " "))


def _explain_sg(model: Model, filt: Filter, peer: Host, where: str, protocol: str, port: int,
                allowed: PortSet, layer_open: bool) -> LegCheck:
    groups = model.groups.get(filt.owner, [])
    names = ", ".join(g.source or g.id for g in groups) or f"no group on {filt.owner}"
    if layer_open:
        return LegCheck(filt.leg, "security_groups", True, names, f"{where}: failed open")
    if not groups:
        return LegCheck(filt.leg, "security_groups", True, names,
                        f"{where}: unconstrained (no security group placed)")
    ok = port in allowed if protocol != "icmp" else bool(allowed)
    matching: list[GroupRule] = [
        r for r in model.sg_matches(filt.owner, filt.egress, peer.key, peer.endpoint, protocol)
        if protocol == "icmp" or port in r.ports]
    resource = ", ".join(sorted({r.rule.source or r.group.source or r.group.id
                                 for r in matching})) if ok else names
    return LegCheck(filt.leg, "security_groups", ok, resource,
                    f"{where} to/from {peer.endpoint}: "
                    f"{'allowed' if ok else 'no rule allows'} {protocol}"
                    f"{'' if protocol == 'icmp' else f' {port}'}")


def _rule_text(name: str, rule: NaclRule | None) -> str:
    if rule is None:
        return f"{name} (no rule matches: implicit deny)"
    return f"{name} rule {rule.number} ({'allow' if rule.allow else 'deny'})"

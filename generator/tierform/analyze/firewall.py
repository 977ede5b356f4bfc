"""R15: an AWS Network Firewall's rules as a filter on one connection.

The firewall sees the connection's own addresses (it sits before the NAT gateway), so its
verdict depends on both ends: which destination ports it passes, per protocol, for one
sender class and one receiver class. Stateless defaults first (``aws:pass`` passes,
``aws:drop`` drops, ``aws:forward_to_sfe`` hands to the stateful engine); then the stateful
groups: strict order (priority, then rule order; the first pass/drop/reject decides, alert
goes on) or AWS's default action order (every pass rule first, then drop, reject, alert);
then the stateful default actions. A domain list decides TCP as "reachable for the listed
domains only" (a detail, never blocked, never silently unrestricted). Whatever was not read
or is not modelled (a policy or group not in the input, stateless rule groups, application
protocols, rule options that match part of the traffic, a rule string that does not parse)
makes the ports it could decide unknown, with the reason: never blocked.
docs/network-semantics.md R15.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from ipaddress import ip_network

from tierform.analyze.atoms import Net
from tierform.aws import DEFAULT_EPHEMERAL, PROTOCOLS
from tierform.network.model import (
    Firewall,
    FirewallPolicy,
    FirewallRuleGroup,
    Network,
    StatefulRule,
)
from tierform.ports import PortSet

__all__ = ["FirewallVerdict", "firewall_cidrs", "firewall_verdict"]

_ORDER = {"pass": 0, "drop": 1, "reject": 2, "alert": 3}
_TRANSPORT = {"tcp": "tcp", "udp": "udp", "icmp": "icmp"}
_DROPS = frozenset({"aws:drop_strict", "aws:drop_established",
                    "aws:drop_established_app_layer"})


@dataclass
class FirewallVerdict:
    """Per protocol (aws.PROTOCOLS order): destination ports passed for sure, and ports
    whose outcome is unknown; the reasons for the unknown, and details of the passed
    ports (domain lists)."""

    passed: list[PortSet] = field(default_factory=lambda: [PortSet.empty()] * 3)
    unknown: list[PortSet] = field(default_factory=lambda: [PortSet.empty()] * 3)
    reasons: list[str] = field(default_factory=list)
    details: list[str] = field(default_factory=list)
    deciding: list[str] = field(default_factory=list)
    """The rules that dropped something (for explanations)."""


def firewall_cidrs(network: Network) -> list[str]:
    """Every CIDR a firewall rule names: the analyzer's address atoms must split there."""
    found: list[str] = [c.lstrip("!") for policy in network.firewall_policies.values()
                        for _, cidrs in policy.variables for c in cidrs]
    for group in network.firewall_rule_groups.values():
        found += [c.lstrip("!") for _, cidrs in group.variables for c in cidrs]
        for rule in group.rules:
            found += [a.lstrip("!") for a in (*rule.sources, *rule.destinations) if "/" in a]
    return found


def _ranges(ranges: tuple[tuple[int, int], ...]) -> PortSet:
    return PortSet(ranges) if ranges else PortSet.full()


class _Ends:
    """Whether an address spec holds the sender's or the receiver's class: yes, no, or
    maybe (a variable not read)."""

    def __init__(self, policy: FirewallPolicy, group: FirewallRuleGroup,
                 net: Callable[[str], Net | None],
                 src: frozenset[Net], dst: frozenset[Net], vpc: list[Net]) -> None:
        # A group's own definition wins; the policy's (HOME_NET) serves the other groups.
        self.variables = {**dict(policy.variables), **dict(group.variables)}
        self.own = dict(group.variables)
        self.firewall_home = dict(policy.variables).get("HOME_NET")
        self.net = net
        self.ends = {"src": src, "dst": dst}
        self.vpc = vpc

    def _cidr_holds(self, cidr: str, end: str) -> bool | None:
        net = self.net(cidr)
        if net is None:
            # A CIDR of the other family never matches (an IPv4 rule on IPv6 traffic);
            # one that does not read is not known.
            return False if self._other_family(cidr) else None
        return net in self.ends[end]

    def _other_family(self, cidr: str) -> bool:
        try:
            version = ip_network(cidr, strict=False).version
        except ValueError:
            return False
        ipv6_space = self.net("0.0.0.0/0") is None
        return (version == 6) != ipv6_space

    def holds(self, spec: str, end: str) -> bool | None:
        spec = spec.strip()
        negate = spec.startswith("!")
        spec = spec.lstrip("!")
        if spec.lower() == "any":
            found: bool | None = True
        elif spec.startswith("$"):
            name = spec[1:]
            if name in self.variables:
                found = self._any(self.variables[name], end)
            elif name == "HOME_NET":
                found = bool(self.ends[end] & set(self.vpc))
            elif name == "EXTERNAL_NET":
                found = self._external(end)
            else:
                found = None
        else:
            found = self._cidr_holds(spec, end)
        if found is None:
            return None
        return not found if negate else found

    def _home(self, specs: Iterable[str] | None, end: str) -> bool | None:
        return self._any(specs, end) if specs is not None else bool(
            self.ends[end] & set(self.vpc))

    def _external(self, end: str) -> bool | None:
        """``!$HOME_NET`` of the firewall (the policy's, else the VPC). A group that
        redefines HOME_NET only: AWS asks for both to be redefined; whether its
        EXTERNAL_NET follows is not modelled, so unknown where the two readings differ."""
        inside = self._home(self.firewall_home, end)
        if "HOME_NET" in self.own and self._any(self.own["HOME_NET"], end) != inside:
            return None
        return None if inside is None else not inside

    def _any(self, specs: Iterable[str], end: str) -> bool | None:
        answers = [self.holds(s, end) for s in specs]
        if any(a is True for a in answers):
            return True
        return None if any(a is None for a in answers) else False

    def match(self, specs: tuple[str, ...], end: str) -> bool | None:
        return self._any(specs or ("any",), end)


def _rule_match(rule: StatefulRule, ends: _Ends, protocol: str, ephemeral: PortSet
                ) -> tuple[bool | None, PortSet]:
    """(matches: yes/no/maybe, the destination ports it covers) for the connection."""
    proto = rule.protocol.lower()
    if proto not in ("ip", "any", *_TRANSPORT):
        # An application protocol (tls, http, dns...): whether a connection speaks it is
        # not in the input.
        applies: bool | None = None if protocol in ("tcp", "udp") else False
    else:
        applies = proto in ("ip", "any") or _TRANSPORT[proto] == protocol
    if applies is False:
        return False, PortSet.empty()
    full = PortSet.full()
    dports = full if protocol == "icmp" else _ranges(rule.destination_ports)
    sports = full if protocol == "icmp" else _ranges(rule.source_ports)
    # (the rule's source end, its destination end, the connection's destination ports it
    # covers, the client ports it needs): ``<>`` also matches the connection reversed.
    pairs = [("src", "dst", dports, sports)]
    if rule.direction == "any":
        pairs.append(("dst", "src", sports, dports))
    sure, maybe = PortSet.empty(), PortSet.empty()
    for a, b, covered, client in pairs:
        one, two = ends.match(rule.sources, a), ends.match(rule.destinations, b)
        if False in (one, two):
            continue
        whole = None not in (one, two) and ephemeral.issubset(client) \
            and applies is True and not rule.partial
        if whole:
            sure |= covered
        else:  # a variable not read, only some client ports, options, app protocol
            maybe |= covered
    if maybe:
        return None, sure | maybe
    return (True, sure) if sure else (False, sure)


def _action_order(item: tuple[FirewallRuleGroup, StatefulRule | None]) -> float:
    """AWS's default action order: pass rules, then drop, reject, alert. An allow list's
    generated rules pass the listed domains and drop the rest: after every plain pass
    rule (which passes unrestricted), before the drops. What was not read comes first."""
    group, rule = item
    if rule is not None:
        return _ORDER.get(rule.action, 0)
    return 0.5 if group.domains and not group.unparsed else 0


def firewall_verdict(network: Network, firewall: Firewall, net: Callable[[str], Net | None],
                     src: frozenset[Net], dst: frozenset[Net], vpc: list[Net],
                     ephemeral: tuple[int, int] = DEFAULT_EPHEMERAL) -> FirewallVerdict:
    """What ``firewall`` passes from the sender class (its atom's CIDRs ``src``) to the
    receiver class (``dst``); ``net`` turns a CIDR into the model's key."""
    verdict = FirewallVerdict()
    label = firewall.source or firewall.id
    policy = network.firewall_policies.get(firewall.policy or "")
    if policy is None:
        verdict.unknown = [PortSet.full()] * 3
        verdict.reasons.append(f"firewall {label}: its policy "
                               f"{firewall.policy or '(not set)'} is not in the input")
        return verdict
    if policy.stateless_groups:
        verdict.unknown = [PortSet.full()] * 3
        verdict.reasons.append(f"firewall {label}: policy {policy.source or policy.id} has "
                               "stateless rule groups, which are not modelled")
        return verdict
    defaults = set(policy.stateless_default)
    if "aws:drop" in defaults:
        verdict.deciding.append(f"policy {policy.source or policy.id} stateless default "
                                "aws:drop")
        return verdict
    if "aws:pass" in defaults:
        verdict.passed = [PortSet.full()] * 3
        verdict.details.append(f"policy {policy.source or policy.id} passes every packet "
                               "(stateless default aws:pass)")
        return verdict
    if "aws:forward_to_sfe" not in defaults:
        verdict.unknown = [PortSet.full()] * 3
        verdict.reasons.append(f"firewall {label}: stateless default actions "
                               f"{sorted(defaults)} are not modelled")
        return verdict
    eph = PortSet.range(*ephemeral)
    # (group, rule) in evaluation order; a group not read stops the known evaluation.
    ordered: list[tuple[FirewallRuleGroup, StatefulRule | None]] = []
    missing: list[str] = []
    for key in policy.stateful_groups:
        group = network.firewall_rule_groups.get(key)
        if group is None:
            missing.append(key)
            ordered.append((FirewallRuleGroup(key), None))
            continue
        ordered += [(group, rule) for rule in group.rules]
        if group.domains or group.unparsed:
            ordered.append((group, None))
    if not policy.strict_order:
        ordered.sort(key=_action_order)
    for index, protocol in enumerate(PROTOCOLS):
        remaining = PortSet.full()
        passed = PortSet.empty()
        unknown = PortSet.empty()
        for group, rule in ordered:
            if not remaining:
                break
            ends = _Ends(policy, group, net, src, dst, vpc)
            if rule is None:
                if group.id in missing:
                    unknown |= remaining
                    verdict.reasons.append(f"firewall {label}: rule group {group.id} of its "
                                           "policy is not in the input")
                    remaining = PortSet.empty()
                    continue
                if group.unparsed:
                    unknown |= remaining
                    verdict.reasons.append(
                        f"firewall {label}: rule group {group.source or group.id} holds "
                        f"rules the analyzer does not parse ({'; '.join(group.unparsed[:2])})")
                    remaining = PortSet.empty()
                    continue
                # The rules AWS generates for a domain list read `$HOME_NET any ->
                # $EXTERNAL_NET any`: east-west traffic is not theirs to pass or drop.
                home = ends.match(("$HOME_NET",), "src")
                external = ends.match(("$EXTERNAL_NET",), "dst")
                if protocol != "tcp" or False in (home, external):
                    continue
                if home is None or external is None:
                    unknown |= remaining
                    remaining = PortSet.empty()
                    continue
                names = ", ".join(group.domains)
                if group.domain_action == "allow" and "aws:drop_strict" in \
                        policy.stateful_default:
                    # drop_strict drops the TCP handshake before the host name is seen,
                    # unless another rule passes it: what AWS does is not read here.
                    unknown |= remaining
                    remaining = PortSet.empty()
                    verdict.reasons.append(
                        f"firewall {label}: the domain list {group.source or group.id} needs "
                        "the TCP handshake passed, which the default aws:drop_strict drops "
                        "unless a rule passes it")
                    continue
                if group.domain_action == "allow":
                    passed |= remaining
                    remaining = PortSet.empty()
                    verdict.details.append(f"TLS/HTTP for the listed domains only ({names}: "
                                           f"{group.source or group.id})")
                else:
                    verdict.details.append(f"except the domains {names} "
                                           f"({group.source or group.id})")
                continue
            if rule.action == "alert":
                continue  # it logs and goes on: whether it matches never decides
            matched, ports = _rule_match(rule, ends, protocol, eph)
            covered = remaining & ports
            if matched is False or not covered:
                continue
            if matched is None:
                unknown |= covered
                remaining -= covered
                verdict.reasons.append(f"firewall {label}: whether rule `{rule.text}` of "
                                       f"{group.source or group.id} matches is not known")
                continue
            if rule.action == "pass":
                passed |= covered
            else:
                verdict.deciding.append(f"{group.source or group.id}: {rule.text}")
            remaining -= covered
        if remaining and not (set(policy.stateful_default) & _DROPS):
            passed |= remaining
        elif remaining and protocol == "udp" and "aws:drop_strict" not in \
                policy.stateful_default:
            # "established" drops a UDP flow once packets went both ways: the first
            # datagrams of any flow pass (AWS's stateful default actions).
            unknown |= remaining
            verdict.reasons.append(
                f"firewall {label}: the default {', '.join(policy.stateful_default)} of "
                f"{policy.source or policy.id} lets a UDP flow's first datagrams through "
                "(it drops only established flows)")
        elif remaining:
            verdict.deciding.append(f"policy {policy.source or policy.id} default "
                                    f"{', '.join(policy.stateful_default)}")
        verdict.passed[index] = passed
        verdict.unknown[index] = unknown
    verdict.reasons = list(dict.fromkeys(verdict.reasons))
    verdict.details = list(dict.fromkeys(verdict.details))
    verdict.deciding = list(dict.fromkeys(verdict.deciding))
    return verdict

"""Alarms compiled from the blueprint: CloudWatch Logs metric filters over the flow log
that count broken flows (REJECTs on intended flows) and unintended ACCEPTs between tiers.

A filter pattern cannot test a CIDR. Addresses are matched by whole-octet string prefixes
(``"10.0.3.*"``): a network that is octet-aligned (or splits into at most
``MAX_EXPANSION`` aligned blocks) is matched exactly; any other is matched by its covering
prefix, which can only over-match ("approximate": may fire on neighbours, never misses).
A *negated* address test (the internet end of a flow: not the VPC, not a named network)
is only written when it is exact; otherwise it is left out, which again only over-matches.
No regular expressions are used (AWS allows 2 per pattern, 5 per log group).

One filter is one conjunction of per-field conditions. OR is several filters publishing
to the same metric (CloudWatch sums them). Replies of allowed flows are told from the
unintended by ports, as ``tierform.logs.rules`` does: a record A->B is a reply of flow
B->A when its source port is one of the flow's ports and its destination port is
ephemeral; the complement of a port set becomes one filter per interval.

Out of the unintended-ACCEPT count (said in the README): traffic within one tier, and
records whose address is a NAT gateway's own (NAT legs; ``logs check --nat-address``
classifies them). Flows to ``aws:<service>`` through interface endpoints allow the
service port into the endpoints' tier (the endpoints' addresses are not known to a
pattern): ``monitoring_warnings`` says so.

The same conditions, with exact CIDRs (``isIpv4InSubnet``), make the saved Logs Insights
queries, which answer the same questions exactly.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from ipaddress import IPv4Network
from typing import Literal

from tierform.aws import DEFAULT_EPHEMERAL, DEFAULT_FLOW_LOG_FIELDS, INTERNET, MAX_PORT
from tierform.blueprint.checks import Locator
from tierform.blueprint.model import Blueprint
from tierform.errors import Finding
from tierform.layout.model import Layout

__all__ = [
    "BROKEN",
    "MAX_EXPANSION",
    "MAX_FILTERS",
    "MAX_PATTERN",
    "MAX_QUERY",
    "UNINTENDED",
    "AddressMatch",
    "MetricFilterPlan",
    "MonitoringPlan",
    "check_monitoring",
    "insights_query",
    "monitoring_of",
    "monitoring_warnings",
    "pattern_text",
]

BROKEN = "BrokenFlows"
UNINTENDED = "UnintendedAccepts"
MAX_FILTERS = 100
"""Metric filters per log group (AWS quota, PutMetricFilter)."""
MAX_PATTERN = 1024
"""Characters of one filter pattern (PutMetricFilter ``filterPattern``)."""
MAX_QUERY = 10000
"""Characters of one Logs Insights query string (PutQueryDefinition)."""
MAX_EXPANSION = 8
"""A network not octet-aligned is written as up to this many aligned prefixes (exact)."""
_IP_TEXT = 15
"""The longest IPv4 text: what a NAT gateway's address adds to a pattern, at most."""
_PROTOCOL = {"tcp": 6, "udp": 17, "icmp": 1}
_PORTED = (6, 17)

Interval = tuple[int, int]


def _aligned_blocks(network: IPv4Network) -> tuple[list[IPv4Network], bool]:
    """Octet-aligned networks covering ``network``, and whether they are exactly it."""
    length = network.prefixlen
    if length % 8 == 0:
        return [network], True
    up = (length + 7) // 8 * 8
    if up <= 32 and 2 ** (up - length) <= MAX_EXPANSION:
        return list(network.subnets(new_prefix=up)), True
    return [network.supernet(new_prefix=length // 8 * 8)], False


def _prefix_text(network: IPv4Network) -> str:
    """``10.0.3.*`` for 10.0.3.0/24, ``10.*`` for 10.0.0.0/8, ``*`` for /0, the address
    for a /32."""
    octets = str(network.network_address).split(".")
    whole = network.prefixlen // 8
    if whole == 4:
        return str(network.network_address)
    return ".".join([*octets[:whole], "*"])


@dataclass(frozen=True)
class AddressMatch:
    """Which addresses one side of a filter matches: any of ``networks`` (none: any
    address), or with ``negate`` none of them; never the NAT gateways in ``excluded``
    (their resource names: their addresses are known after apply)."""

    networks: tuple[IPv4Network, ...] = ()
    negate: bool = False
    excluded: tuple[str, ...] = ()
    label: str = ""
    """The endpoint this side stands for (a tier, a named network, internet)."""
    part: str = ""
    """The one subnet of the tier this side stands for, when the tier is split."""

    def prefixes(self) -> tuple[list[str], bool]:
        """The string prefixes the pattern tests, and whether they are exact."""
        texts: list[str] = []
        exact = True
        for network in self.networks:
            blocks, ok = _aligned_blocks(network)
            exact = exact and ok
            for block in blocks:
                text = _prefix_text(block)
                if text not in texts:
                    texts.append(text)
        return texts, exact

    @property
    def exact(self) -> bool:
        """The internet end is exact when it is negated (else it is any address)."""
        if self.label == INTERNET:
            return self.negate
        return self.prefixes()[1]


@dataclass(frozen=True)
class MetricFilterPlan:
    """One metric filter: a conjunction of conditions on one record's fields."""

    key: str
    """Unique, stable, from what the filter matches (never a position): the filter's
    name after the module's name_prefix, and its key in the module's ``for_each``."""
    metric: str
    action: Literal["ACCEPT", "REJECT"]
    src: AddressMatch
    dst: AddressMatch
    protocol: int | None = None
    """Equal to this protocol number (None: see ``protocol_not``)."""
    protocol_not: tuple[int, ...] = ()
    """None of these (with ``protocol`` None; both empty: any protocol)."""
    srcport: Interval | None = None
    dstport: Interval | None = None
    about: str = ""
    """What it counts, for people: the flow id or the tier pair."""

    @property
    def exact(self) -> bool:
        """Matches exactly what it is meant to (else it may over-match, never miss)."""
        return self.src.exact and self.dst.exact


@dataclass(frozen=True)
class _Flow:
    flow_id: str
    src: str
    dst: str
    protocol: int | None
    ports: tuple[Interval, ...]
    """Empty when ports do not apply (icmp, all)."""


@dataclass(frozen=True)
class MonitoringPlan:
    """The alarm resources of a module (``render/templates/monitoring.tf.j2``)."""

    filters: tuple[MetricFilterPlan, ...]
    fields: tuple[str, ...]
    """The record format the flow log writes (the pattern's field list)."""
    sns_topic_arn: str | None
    create_topic: bool
    period: int
    threshold: int
    evaluation_periods: int
    nat_names: tuple[str, ...] = field(default=())
    approximate: tuple[str, ...] = field(default=())
    """The tiers and networks matched approximately (covering prefixes)."""
    endpoint_allowances: tuple[str, ...] = field(default=())
    """Flows to interface endpoints, allowed into the endpoints' tier as a whole."""
    flows: tuple[_Flow, ...] = field(default=())
    sides: Mapping[str, AddressMatch] = field(default_factory=dict)
    """Each endpoint's addresses (tiers, named networks, internet)."""
    tier_pairs: tuple[tuple[str, str], ...] = field(default=())

    def of(self, metric: str) -> list[MetricFilterPlan]:
        return [f for f in self.filters if f.metric == metric]


# --- the pattern text ---------------------------------------------------------------------


def _name(field_name: str) -> str:
    return field_name.replace("-", "_")


def _interval_conditions(name: str, interval: Interval | None) -> list[str]:
    if interval is None or interval == (0, MAX_PORT):
        return []
    low, high = interval
    if low == high:
        return [f"{name}={low}"]
    parts = []
    if low > 0:
        parts.append(f"{name}>={low}")
    if high < MAX_PORT:
        parts.append(f"{name}<={high}")
    return ["&&".join(parts)]


def _address_condition(name: str, match: AddressMatch,
                       nat: Callable[[str], str]) -> list[str]:
    texts, _ = match.prefixes()
    if match.negate:
        parts = [f'{name}!="{t}"' for t in texts]
    elif texts == ["*"] or not texts:
        parts = []
    else:
        alternatives = [f'{name}="{t}"' for t in texts]
        if match.excluded and len(alternatives) > 1:
            raise ValueError("a side with NAT exclusions is one prefix (the filters split)")
        parts = ["||".join(alternatives)]
    parts += [f'{name}!="{nat(n)}"' for n in match.excluded]
    return ["&&".join(parts)] if parts else []


def pattern_text(flt: MetricFilterPlan, fields: Sequence[str],
                 nat: Callable[[str], str]) -> str:
    """The space-delimited filter pattern of ``flt`` over records of ``fields``;
    ``nat``: a NAT gateway's address text from its name (a Terraform interpolation in
    the module, the real address in tests)."""
    conditions: dict[str, list[str]] = {
        "action": [f'action="{flt.action}"'],
        "srcaddr": _address_condition("srcaddr", flt.src, nat),
        "dstaddr": _address_condition("dstaddr", flt.dst, nat),
        "srcport": _interval_conditions("srcport", flt.srcport),
        "dstport": _interval_conditions("dstport", flt.dstport),
    }
    if flt.protocol is not None:
        conditions["protocol"] = [f"protocol={flt.protocol}"]
    elif flt.protocol_not:
        conditions["protocol"] = ["&&".join(f"protocol!={p}" for p in flt.protocol_not)]
    slots = []
    for field_name in fields:
        name = _name(field_name)
        condition = conditions.get(name)
        slots.append(condition[0] if condition else name)
    return "[" + ", ".join(slots) + "]"


def _insights_side(name: str, side: AddressMatch) -> str:
    tests = " or ".join(f'isIpv4InSubnet({name}, "{n}")' for n in side.networks)
    if not tests:
        return ""
    return f"not ({tests})" if side.negate else f"({tests})"


def _insights_ports(name: str, ranges: Sequence[Interval]) -> str:
    parts = [f"{name} = {lo}" if lo == hi else f"({name} >= {lo} and {name} <= {hi})"
             for lo, hi in _merge(ranges)]
    return "(" + " or ".join(parts) + ")"


def _insights_flow(f: _Flow, sides: Mapping[str, AddressMatch], *, reply: bool,
                   addresses: bool = True) -> str:
    a, b = (sides[f.dst], sides[f.src]) if reply else (sides[f.src], sides[f.dst])
    parts = [t for t in (_insights_side("srcaddr", a), _insights_side("dstaddr", b))
             if t and addresses]
    if f.protocol is not None:
        parts.append(f"protocol = {f.protocol}")
    if f.ports:
        parts.append(_insights_ports("srcport" if reply else "dstport", f.ports))
        if reply:
            parts.append(f"dstport >= {DEFAULT_EPHEMERAL[0]}")
    return "(" + (" and ".join(parts) or "true") + ")"


def insights_query(plan: MonitoringPlan, metric: str, nat: Callable[[str], str]) -> str:
    """The Logs Insights query that lists what ``metric`` counts, with exact CIDRs
    (``isIpv4InSubnet``) where the filters match octet prefixes."""
    fields = [_name(f) for f in plan.fields]
    parse = ('parse @message "' + " ".join("*" for _ in fields) + '" as '
             + ", ".join(fields))
    flows, sides = plan.flows, plan.sides
    if metric == BROKEN:
        terms = [_insights_flow(f, sides, reply=r) for f in flows
                 if f.src in sides and f.dst in sides for r in (False, True)]
        condition = 'action = "REJECT" and (' + (" or ".join(terms) or "false") + ")"
    else:
        terms = []
        for a, b in plan.tier_pairs:
            allowed = [_insights_flow(f, sides, reply=(f.src, f.dst) == (b, a),
                                      addresses=False)
                       for f in flows if (f.src, f.dst) in ((a, b), (b, a))]
            pair = f"{_insights_side('srcaddr', sides[a])} and " \
                   f"{_insights_side('dstaddr', sides[b])}"
            if allowed:
                pair += " and not (" + " or ".join(allowed) + ")"
            terms.append(f"({pair})")
        condition = 'action = "ACCEPT" and (' + (" or ".join(terms) or "false") + ")"
        if plan.nat_names:
            nats = ", ".join(f'"{nat(n)}"' for n in plan.nat_names)
            condition += f" and not (srcaddr in [{nats}] or dstaddr in [{nats}])"
    return (f"{parse}\n| filter {condition}\n"
            "| stats count(*) as records, min(start) as first_seen, max(end) as last_seen "
            "by srcaddr, dstaddr, srcport, dstport, protocol\n| sort records desc")


# --- compiling the flows --------------------------------------------------------------------


def _merge(intervals: Sequence[Interval]) -> list[Interval]:
    out: list[Interval] = []
    for low, high in sorted(intervals):
        if out and low <= out[-1][1] + 1:
            out[-1] = (out[-1][0], max(out[-1][1], high))
        else:
            out.append((low, high))
    return out


def _complement(intervals: Sequence[Interval]) -> list[Interval]:
    out: list[Interval] = []
    at = 0
    for low, high in _merge(intervals):
        if low > at:
            out.append((at, low - 1))
        at = high + 1
    if at <= MAX_PORT:
        out.append((at, MAX_PORT))
    return out


def _intersect(intervals: Sequence[Interval], window: Interval) -> list[Interval]:
    return [(max(lo, window[0]), min(hi, window[1])) for lo, hi in intervals
            if max(lo, window[0]) <= min(hi, window[1])]


def _span(interval: Interval) -> str:
    return str(interval[0]) if interval[0] == interval[1] else f"{interval[0]}-{interval[1]}"


def _flows(layout: Layout) -> tuple[list[_Flow], list[str]]:
    """The blueprint's flows between addressable endpoints; a flow to ``aws:<service>``
    through an interface endpoint becomes a flow to the endpoints' tier on 443."""
    bp = layout.blueprint
    endpoint_tier = {e.service: e.tier for e in layout.interface_endpoints}
    flows: list[_Flow] = []
    allowances: list[str] = []
    for f in bp.flows:
        number = _PROTOCOL.get(f.protocol)
        ports = tuple(f.port_ranges()) if number in _PORTED else ()
        src, dst = f.src, f.dst
        if dst.startswith("aws:"):
            tier = endpoint_tier.get(dst[4:])
            if tier is None:
                continue  # a gateway endpoint: AWS's public addresses, no tier pair
            allowances.append(f"{f.flow_id} ({src} -> {dst} through tier {tier})")
            dst, number, ports = tier, 6, ((443, 443),)
        if src.startswith("aws:"):
            continue
        flows.append(_Flow(f.flow_id, src, dst, number, ports))
    return flows, allowances


def _sides(layout: Layout) -> dict[str, AddressMatch]:
    bp = layout.blueprint
    tiers: dict[str, list[IPv4Network]] = {}
    for subnet in layout.subnets:
        if subnet.cidr is not None:  # IPv6-only subnets have no IPv4 side
            tiers.setdefault(subnet.tier, []).append(subnet.cidr)
    sides = {t: AddressMatch(tuple(c), label=t) for t, c in tiers.items()}
    networks = bp.network_cidrs4  # the alarms' filters match IPv4 addresses
    for name, cidrs in networks.items():
        sides[name] = AddressMatch(cidrs, label=name)
    inside = [bp.vpc.cidr, *bp.vpc.secondary_cidrs, *(c for cs in networks.values() for c in cs)]
    exact = all(_aligned_blocks(n)[1] for n in inside)
    # Not in the VPC nor a named network; when that cannot be said exactly, any address.
    sides[INTERNET] = AddressMatch(tuple(inside) if exact else (), negate=exact,
                                   label=INTERNET)
    return sides


def _broken(flows: Sequence[_Flow], sides: Mapping[str, AddressMatch]) -> list[MetricFilterPlan]:
    out: list[MetricFilterPlan] = []
    eph = DEFAULT_EPHEMERAL
    for f in flows:
        if f.src not in sides or f.dst not in sides:
            continue
        a, b = sides[f.src], sides[f.dst]
        ranges: Sequence[Interval | None] = f.ports or (None,)
        for ports in ranges:
            tail = f"-{_span(ports)}" if ports is not None else ""
            out.append(MetricFilterPlan(
                f"broken-{f.flow_id}-request{tail}", BROKEN, "REJECT", a, b, f.protocol,
                dstport=ports, about=f.flow_id))
            out.append(MetricFilterPlan(
                f"broken-{f.flow_id}-reply{tail}", BROKEN, "REJECT", b, a, f.protocol,
                srcport=ports, dstport=eph if ports is not None else None, about=f.flow_id))
    return out


def _nat_sides(layout: Layout, tier: str, side: AddressMatch) -> list[AddressMatch]:
    """A tier that holds NAT gateways as one side per subnet, each without its gateways'
    own addresses (NAT legs are not tier-to-tier traffic); any other tier as it is."""
    nats: dict[str, list[str]] = {}
    for nat in layout.nats:
        nats.setdefault(nat.subnet, []).append(nat.name)
    subnets = layout.subnets_of(tier)
    if not any(s.name in nats for s in subnets):
        return [side]
    return [AddressMatch((s.cidr,), excluded=tuple(nats.get(s.name, ())), label=tier,
                         part=s.name) for s in subnets if s.cidr is not None]


_Box = tuple[str, int | None, tuple[int, ...], Interval | None, Interval | None]


def _pair_boxes(flows: Sequence[_Flow], a: str, b: str) -> list[_Box]:
    """What no flow allows from ``a`` to ``b``, as disjoint boxes (name, protocol,
    protocols excluded, source ports, destination ports): requests of a->b flows and
    replies of b->a flows are allowed."""
    eph = DEFAULT_EPHEMERAL
    requests: dict[int, list[Interval] | None] = {}
    replies: dict[int, list[Interval] | None] = {}
    for f in flows:
        if (f.src, f.dst) == (a, b):
            table = requests
        elif (f.src, f.dst) == (b, a):
            table = replies
        else:
            continue
        if f.protocol is None:
            return []  # protocol all: everything between the two is allowed
        if not f.ports:
            table[f.protocol] = None
        else:
            entry = table.setdefault(f.protocol, [])
            if entry is not None:
                entry.extend(f.ports)
    known = tuple(sorted(set(requests) | set(replies)))
    boxes: list[_Box] = [("other-protocols" if known else "any", None, known, None, None)]
    for protocol in known:
        req, rep = requests.get(protocol, []), replies.get(protocol, [])
        if req is None or rep is None or protocol not in _PORTED:
            continue  # a flow of the protocol without ports allows all of it
        name = "tcp" if protocol == 6 else "udp"
        open_ports = _complement(req)
        if not rep:
            boxes += [(f"{name}-dport-{_span(d)}", protocol, (), None, d) for d in open_ports]
            continue
        for d in _intersect(open_ports, (0, eph[0] - 1)):
            boxes.append((f"{name}-dport-{_span(d)}", protocol, (), None, d))
        for d in _intersect(open_ports, eph):
            for s in _complement(rep):
                boxes.append((f"{name}-dport-{_span(d)}-sport-{_span(s)}", protocol, (), s, d))
    return boxes


def _where(side: AddressMatch, word: str) -> str:
    return f"-{word}-{side.part}" if side.part else ""


def _tier_pairs(layout: Layout) -> list[tuple[str, str]]:
    tiers = list(dict.fromkeys(s.tier for s in layout.subnets))
    return [(a, b) for a in tiers for b in tiers if a != b]


def _unintended(layout: Layout, flows: Sequence[_Flow],
                sides: Mapping[str, AddressMatch]) -> list[MetricFilterPlan]:
    out: list[MetricFilterPlan] = []
    for a, b in _tier_pairs(layout):
        boxes = _pair_boxes(flows, a, b)
        froms, tos = _nat_sides(layout, a, sides[a]), _nat_sides(layout, b, sides[b])
        for src in froms:
            for dst in tos:
                where = _where(src, "from") + _where(dst, "to")
                for what, protocol, others, sport, dport in boxes:
                    out.append(MetricFilterPlan(
                        f"unintended-{a}-{b}-{what}{where}", UNINTENDED, "ACCEPT",
                        src, dst, protocol, others, sport, dport, about=f"{a} -> {b}"))
    return out


def monitoring_of(layout: Layout) -> MonitoringPlan | None:
    """The alarms of a laid-out blueprint, or None when it asks for none."""
    bp = layout.blueprint
    alarms = bp.monitoring.alarms if bp.monitoring is not None else None
    if alarms is None or bp.flow_logs is None:
        return None
    flows, allowances = _flows(layout)
    sides = _sides(layout)
    filters = [*_broken(flows, sides), *_unintended(layout, flows, sides)]
    approximate = [name for name, side in sides.items()
                   if side.networks and not side.exact]
    if not sides[INTERNET].negate:
        approximate.append(INTERNET)
    fields = tuple(bp.flow_logs.fields) if bp.flow_logs.fields else DEFAULT_FLOW_LOG_FIELDS
    return MonitoringPlan(
        tuple(filters), fields, alarms.sns_topic_arn, alarms.create_topic, alarms.period,
        alarms.threshold, alarms.evaluation_periods,
        nat_names=tuple(n.name for n in layout.nats), approximate=tuple(approximate),
        endpoint_allowances=tuple(allowances), flows=tuple(flows), sides=sides,
        tier_pairs=tuple(_tier_pairs(layout)))


def _longest_nat(name: str) -> str:
    return "0" * _IP_TEXT


def check_monitoring(bp: Blueprint, layout: Layout, locator: Locator,
                     file: str) -> list[Finding]:
    """What the compiled filters must fit: the record format's fields, 100 filters per log
    group, 1024 characters per pattern, 10000 per saved query."""
    if bp.monitoring is None or bp.monitoring.alarms is None or bp.flow_logs is None \
            or bp.flow_logs.destination != "cloudwatch":
        return []
    path: tuple[str | int, ...] = ("monitoring", "alarms")
    line, column = locator.locate(path)

    def finding(code: str, message: str, hint: str) -> Finding:
        return Finding(path=path, message=message, hint=hint, file=file, line=line,
                       column=column, code=code)

    fields = bp.flow_logs.fields
    if fields:
        missing = [f for f in ("srcaddr", "dstaddr", "srcport", "dstport", "protocol",
                               "action") if f not in fields]
        if missing:
            return [finding("alarms-fields",
                            f"the alarms' filters read {', '.join(missing)}, which "
                            "flow_logs.fields does not write",
                            "add them to flow_logs.fields, or leave fields out (AWS's "
                            "default format has them)")]
    plan = monitoring_of(layout)
    assert plan is not None
    findings: list[Finding] = []
    if len(plan.filters) > MAX_FILTERS:
        per: dict[str, int] = {}
        for f in plan.filters:
            per[f.about] = per.get(f.about, 0) + 1
        top = sorted(per.items(), key=lambda kv: (-kv[1], kv[0]))[:6]
        findings.append(finding(
            "alarms-filter-quota",
            f"the alarms need {len(plan.filters)} metric filters on the flow-log group, more "
            f"than CloudWatch Logs allows ({MAX_FILTERS} per log group); the most: "
            + ", ".join(f"{about} ({count})" for about, count in top),
            "fewer port ranges per tier pair (each range's complement is one filter per "
            "interval, for the requests and for the replies), fewer tier pairs with flows "
            "between them, or watch with `tierform logs check` / `tierform logs athena` "
            "instead of alarms"))
    long = [f.key for f in plan.filters
            if len(pattern_text(f, plan.fields, _longest_nat)) > MAX_PATTERN]
    if long:
        findings.append(finding(
            "alarms-pattern-length",
            f"{len(long)} filter pattern(s) would be longer than {MAX_PATTERN} characters "
            f"(CloudWatch Logs' limit): {', '.join(long[:3])}",
            "use fewer subnets per tier, octet-aligned CIDRs (each non-aligned block is "
            "written as several prefixes), or a shorter flow_logs.fields list"))
    for metric in (BROKEN, UNINTENDED):
        if len(insights_query(plan, metric, _longest_nat)) > MAX_QUERY:
            findings.append(finding(
                "alarms-query-length",
                f"the saved Logs Insights query for {metric} would be longer than "
                f"{MAX_QUERY} characters (CloudWatch Logs' limit)",
                "fewer flows or port ranges, or use `tierform logs check`"))
    return findings


def monitoring_warnings(layout: Layout) -> list[str]:
    """Where the alarms are approximate (may fire on neighbours, never miss a record)."""
    plan = monitoring_of(layout)
    if plan is None:
        return []
    out = []
    for name in plan.approximate:
        if name == INTERNET:
            out.append("monitoring.alarms: the internet end of flows is matched as any "
                       "address (the VPC or a named network is not octet-aligned), so the "
                       "broken-flow alarm may also count REJECTs from inside; "
                       "`tierform logs check` and the saved Logs Insights query are exact")
        else:
            out.append(f"monitoring.alarms: {name} is not octet-aligned, so its alarms are "
                       "approximate (they may fire on neighbouring addresses, never miss a "
                       "record); `tierform logs check` and the saved Logs Insights query "
                       "(isIpv4InSubnet) are exact")
    if layout.ipv6:
        out.append("monitoring.alarms: the filters match IPv4 addresses only, so IPv6 "
                   "traffic of this dual-stack VPC (vpc.ipv6) is not counted by the alarms; "
                   "`tierform logs check` reports those records as unmapped, not as clean")
    for allowance in plan.endpoint_allowances:
        out.append(f"monitoring.alarms: flow {allowance}: the alarm on unintended ACCEPTs "
                   "allows port 443 into the whole endpoints' tier (endpoint addresses are "
                   "not known to a filter pattern); `tierform logs check` is exact")
    return out

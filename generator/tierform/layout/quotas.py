"""AWS quotas a layout must fit: subnets per VPC, NAT gateways per AZ, rules per NACL
and security-group direction, routes per route table. Every quota check is here, counted
on what is rendered, and each finding is born with its blueprint location.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from tierform.blueprint.checks import Locator
from tierform.blueprint.model import Blueprint, Limits
from tierform.errors import Finding
from tierform.layout.model import Layout

__all__ = ["Unlocated", "check_quotas"]


class Unlocated:
    """A locator for callers without a source map (tests, generated blueprints)."""

    def locate(self, path: Sequence[str | int]) -> tuple[int, int]:
        return 1, 1

    def locate_key(self, path: Sequence[str | int]) -> tuple[int, int]:
        return 1, 1


def check_quotas(bp: Blueprint, layout: Layout, source_map: Locator | None = None,
                 file: str = "<blueprint>", limits: Limits | None = None) -> list[Finding]:
    """Every quota the layout exceeds, each finding at the blueprint key that decides it."""
    locator = source_map or Unlocated()
    limits = limits or bp.limits

    def finding(code: str, path: tuple[str | int, ...], message: str, hint: str, *,
                at_key: bool = False) -> Finding:
        line, column = (locator.locate_key if at_key else locator.locate)(path)
        return Finding(path=path, message=message, hint=hint, file=file, line=line,
                       column=column, code=code)

    findings: list[Finding] = []
    dedicated = len(layout.transit.subnets) if layout.transit is not None else 0
    firewall = len(layout.inspection.subnets) if layout.inspection is not None else 0
    subnets = len(layout.subnets) + dedicated + firewall
    if subnets > limits.subnets_per_vpc:
        extra = f" + {dedicated} transit attachment subnets" if dedicated else ""
        extra += f" + {firewall} firewall subnets" if firewall else ""
        findings.append(finding(
            "subnet-quota", ("tiers",),
            f"{len(bp.tiers)} tiers x {len(bp.availability_zones)} zones{extra} = {subnets} "
            f"subnets, more than limits.subnets_per_vpc ({limits.subnets_per_vpc})",
            "use fewer tiers or zones, or raise limits.subnets_per_vpc to the "
            "account's quota", at_key=True))
    # One NAT gateway per AZ served (per_az), or one in the first AZ (single). AWS's
    # default quota is 5 per AZ and is shared with other VPCs of the account: the
    # limit is what this VPC may still use.
    per_az = 1 if layout.nats else 0
    if per_az > limits.nat_gateways_per_az:
        findings.append(finding(
            "nat-quota", ("nat",),
            f"nat: {bp.nat} needs {per_az} NAT gateway per availability zone, more than "
            f"limits.nat_gateways_per_az ({limits.nat_gateways_per_az})",
            "ask AWS for a higher NAT gateway quota and raise "
            "limits.nat_gateways_per_az, or set 'nat: none'"))
    findings += _route_quota(bp, layout, limits, finding)
    index = {flow.flow_id: i for i, flow in enumerate(bp.flows)}
    # AWS enforces both quotas separately for IPv4 and IPv6 rules: a dual-stack tier's
    # IPv6 twins do not halve its IPv4 room. A group-reference rule counts in both.
    counted: dict[tuple[str, str, bool, str], list[str | None]] = {}
    for rule in layout.nacl_rules:
        counted.setdefault(("nacl", rule.tier, rule.egress, "ipv6" if rule.ipv6 else "ipv4"),
                           []).append(rule.flow)
    for sg_rule in layout.sg_rules:
        v6 = sg_rule.cidr is not None and ":" in sg_rule.cidr
        families = ("ipv6",) if v6 else ("ipv4", "ipv6") if (
            sg_rule.cidr is None and sg_rule.network_list is None and layout.ipv6) \
            else ("ipv4",)
        for family in families:
            # A rule naming a named network's prefix list counts as its max_entries rules.
            counted.setdefault(("sg", sg_rule.tier, sg_rule.egress, family),
                               []).extend([sg_rule.flow] * max(1, sg_rule.list_entries))
    for (kind, tier, egress, family), flows in counted.items():
        limit = (limits.nacl_rules_per_direction if kind == "nacl"
                 else limits.sg_rules_per_direction)
        if len(flows) <= limit:
            continue
        per_flow: dict[str, int] = {}
        for flow in flows:
            if flow is not None:
                per_flow[flow] = per_flow.get(flow, 0) + 1
        denies = flows.count(None)
        # Located at the flow with the most rules there (of equals, the last listed): the
        # likeliest to merge or move.
        worst = max(per_flow, key=lambda f: (per_flow[f], index.get(f, -1)))
        direction = ("outbound" if egress else "inbound") + (" IPv6" if family == "ipv6"
                                                             else "")
        layer = "network ACL" if kind == "nacl" else "security group"
        setting = ("limits.nacl_rules_per_direction" if kind == "nacl"
                   else "limits.sg_rules_per_direction")
        shares = ", ".join(f"{f} {n}" for f, n in sorted(
            per_flow.items(), key=lambda item: (-item[1], index.get(item[0], -1))))
        also = f", {denies} deny rule(s)" if denies else ""
        findings.append(finding(
            f"{kind}-quota", ("flows", index.get(worst, 0)),
            f"the {layer} of tier '{tier}' needs {len(flows)} {direction} rules, over "
            f"the quota of {limit} (rules per flow: {shares}{also})",
            f"merge flows' ports into ranges, use fewer flows to this tier, or raise "
            f"{setting} if your account's quota is higher"))
    return findings


def _route_quota(bp: Blueprint, layout: Layout, limits: Limits,
                 finding: Callable[..., Finding]) -> list[Finding]:
    """IPv4 routes per route table (AWS's default quota: 50 non-propagated routes) of each
    subnet's table: its default route, named networks, gateway endpoints (a prefix-list
    route each, counted as one; a named network's prefix list as its max_entries), and the
    inspection's routes (egress returns, east-west:
    one per subnet of the other tier of each routed pair). The IPv6 ``::/0`` is one route
    of the separate IPv6 count."""
    plan = layout.inspection
    out: list[Finding] = []
    for s in layout.subnets:
        parts: dict[str, int] = {}
        if s.default_route is not None:
            parts["default"] = 1
        if layout.network_routes_of(s.name):
            # A route to a named network's prefix list counts as its max_entries routes
            # (AWS's rule for customer-managed prefix lists in route tables).
            parts["named networks"] = sum(
                1 if r.cidr is not None else len(bp.network_cidrs[r.network])
                for r in layout.network_routes_of(s.name))
        served = sum(1 for e in layout.endpoints if s.name in e.route_tables)
        if served:
            parts["gateway endpoints"] = served
        extra = [r for r in (plan.routes_of(s.name) if plan is not None else ())
                 if not r.retargets]
        if any(r.peer is None for r in extra):
            parts["egress returns"] = sum(1 for r in extra if r.peer is None)
        if any(r.peer is not None for r in extra):
            parts["east-west"] = sum(1 for r in extra if r.peer is not None)
        total = sum(parts.values())
        if total <= limits.routes_per_table:
            continue
        spec = bp.inspection
        path: tuple[str | int, ...] = (
            ("inspection", "modes", spec.modes.index("east-west"))
            if "east-west" in parts and spec is not None and "east-west" in spec.modes
            else ("tiers", s.tier))
        shown = ", ".join(f"{name} {n}" for name, n in parts.items())
        out.append(finding(
            "route-quota", path,
            f"the route table of subnet {s.name} (tier '{s.tier}') needs {total} routes "
            f"({shown}), more than limits.routes_per_table ({limits.routes_per_table})",
            "inspect fewer tier pairs east-west (each routes every subnet of the other "
            "tier), use fewer zones or named networks, or raise limits.routes_per_table to "
            "the account's quota (AWS: up to 1000)"))
    return out

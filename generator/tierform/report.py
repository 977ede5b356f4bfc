"""Render reachability, queries and verification as text tables, JSON and SARIF 2.1.0;
and what plan and apply did (changes by resource type and tier, outputs)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from tierform.analyze import (
    SCHEMA_VERSION,
    Flow,
    ProxiedFlow,
    QueryResult,
    Reachability,
    UnknownFlow,
)
from tierform.verify import LAYERS, VerifyFinding, VerifyReport

if TYPE_CHECKING:  # the layout pulls in pydantic: `reach` of a JSON file never needs it
    from tierform.layout import Layout

__all__ = [
    "CHANGE_KINDS",
    "SARIF_SCHEMA",
    "change_counts",
    "change_kind",
    "changes_json",
    "changes_table",
    "incomplete_line",
    "outputs_table",
    "query_json",
    "query_text",
    "reach_json",
    "reach_table",
    "single_layer_table",
    "subnets_json",
    "subnets_table",
    "verify_json",
    "verify_sarif",
    "verify_table",
]

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_RULES: dict[str, str] = {
    "tierform/unintended": "A flow is reachable that no blueprint flow allows.",
    "tierform/broken": "A blueprint flow is blocked by a route table, NACL or security group.",
    "tierform/exposure": "A tier's exposure from its routes differs from the declared one.",
    "tierform/single-layer": "One layer failing open would let a forbidden flow into a "
                             "private or isolated tier.",
    "tierform/unresolved": "Wiring that could not be resolved; the verdict does not cover it.",
    "tierform/identity": "The network is not the one the blueprint describes.",
    "tierform/route": "A route leaves the VPC from a tier that no flow or exposure justifies.",
    "tierform/layer": "One layer on its own admits more than the blueprint's flows.",
    "tierform/rule": "A rule admits what no flow needs; the other side of its layer blocks.",
    "tierform/inspection": "A flow to be inspected bypasses the firewall, crosses an AZ to "
                           "its endpoint, or returns another way.",
}


def _flow_json(flow: Flow) -> dict[str, Any]:
    return {"from": flow.src, "to": flow.dst, "protocol": flow.protocol,
            "ports": None if flow.ports is None else flow.ports.to_json(),
            "family": flow.family}


def _unknown_json(flow: UnknownFlow) -> dict[str, Any]:
    return {"from": flow.src, "to": flow.dst, "protocol": flow.protocol,
            "ports": None if flow.protocol == "icmp" else flow.ports.to_json(),
            "reasons": list(flow.reasons), "family": flow.family}


def _tiers_json(result: Reachability) -> dict[str, Any]:
    return {name: {"subnets": list(info.subnets), "exposure": info.exposure,
                   **({"reasons": list(info.reasons)} if info.reasons else {}),
                   **({"exposure_ipv6": info.exposure_ipv6,
                       "ipv6_subnets": list(info.ipv6_subnets)}
                      if info.exposure_ipv6 is not None else {})}
            for name, info in result.tiers.items()}


def incomplete_line(result: Reachability) -> str | None:
    """The line that says a result is incomplete and why (None when complete)."""
    if result.complete:
        return None
    reasons = result.incomplete_reasons
    more = f" (and {len(reasons) - 3} more)" if len(reasons) > 3 else ""
    return (f"incomplete: {len(result.unknown)} unknown (?) matrix entries; "
            f"{'; '.join(reasons[:3])}{more}")


def reach_json(result: Reachability, source: str) -> dict[str, Any]:
    """The ``tierform reach --format json`` contract (docs/network-semantics.md)."""
    flows = sorted(result.flows, key=lambda f: (f.src, f.dst, f.protocol, f.family))
    return {
        "schema_version": SCHEMA_VERSION,
        "source": source,
        "complete": result.complete,
        "tiers": _tiers_json(result),
        "flows": [_flow_json(f) for f in flows],
        "unknown": [_unknown_json(f) for f in result.unknown],
        "unresolved": [{"address": u.address, "attribute": u.attribute, "reason": u.reason}
                       for u in result.unresolved],
        "findings": [{"level": "warning", "message": w} for w in result.warnings],
        "assumptions": list(result.assumptions),
        **({"assumed": assumed} if (assumed := _assumed_pairs(result, flows)) else {}),
        **({"proxied": [proxied_json(p) for p in result.proxied]} if result.proxied else {}),
    }


def _assumed_pairs(result: Reachability, flows: list[Flow]) -> list[dict[str, Any]]:
    """Per reachable pair with a named network at one end, the gateways its answer takes on
    trust (R8, V6). Apart from ``flows``, so that flows compare across sources (a plan names
    ``var.transit_gateway_id`` where a state has the gateway's id)."""
    pairs = dict.fromkeys((f.src, f.dst) for f in flows)
    return [{"from": src, "to": dst, "gateways": gateways} for src, dst in pairs
            if (gateways := result.assumed_for(src, dst))]


def proxied_json(flow: ProxiedFlow) -> dict[str, Any]:
    """One connection through a load balancer (a proxy: two connections, not a flow)."""
    return {"from": flow.src, "to": flow.dst, "via": flow.via, "protocol": flow.protocol,
            "verdict": flow.verdict, "listener_ports": flow.listener_ports.to_json(),
            "target_ports": flow.target_ports.to_json(),
            "health_ports": flow.health_ports.to_json(), "family": flow.family,
            "detail": flow.detail, "reasons": list(flow.reasons)}


def _grid(rows: list[list[str]]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True))
                     .rstrip() for row in rows)


def _allocation(layout: Layout, tier: str) -> str:
    spec = layout.blueprint.tiers[tier]
    if all(s.ipv6_only for s in layout.subnets_of(tier)):
        return "IPv6 only (no IPv4 block)"
    return "blueprint cidrs" if spec.cidrs else f"allocated (netmask /{spec.netmask})"


def subnets_json(layout: Layout) -> list[dict[str, Any]]:
    """Every subnet the module creates: the allocator's CIDRs, visible before a render."""
    rows: list[dict[str, Any]] = [
        {"name": s.name, "tier": s.tier, "exposure": s.exposure, "az": s.az,
         "cidr": None if s.cidr is None else str(s.cidr), "source": _allocation(layout, s.tier)}
        for s in layout.subnets]
    # The transit attachment's own /28s (no tier: they hold no workload).
    rows += [{"name": name, "tier": None, "exposure": "dedicated", "az": az, "cidr": str(cidr),
              "source": "dedicated (transit attachment, top of the VPC)"}
             for name, az, cidr in (layout.transit.subnets if layout.transit else ())]
    # The Network Firewall endpoints' /28s (no tier either): the count said 8, the list 6.
    rows += [{"name": f.name, "tier": None, "exposure": "dedicated", "az": f.az,
              "cidr": str(f.cidr), "source": "dedicated (firewall endpoint, below the transit "
              "block)"} for f in (layout.inspection.subnets if layout.inspection else ())]
    return rows


def subnets_table(layout: Layout) -> str:
    """``subnets_json`` as a text table, one subnet a row, in render order."""
    rows = [["SUBNET", "TIER", "EXPOSURE", "AZ", "CIDR", "CIDR SOURCE"]]
    rows += [[r["name"], r["tier"] or "-", r["exposure"], r["az"], r["cidr"] or "-",
              r["source"]]
             for r in subnets_json(layout)]
    return _grid(rows)


def _cell(result: Reachability, src: str, dst: str) -> str:
    """One matrix cell; IPv6 entries are marked ``v6`` (IPv4 ones are not)."""
    parts = []
    for flow in result.flows:
        if (flow.src, flow.dst) == (src, dst):
            mark = "v6 " if flow.family == "ipv6" else ""
            parts.append(mark + (flow.protocol if flow.ports is None
                                 else f"{flow.protocol} {flow.ports}"))
    for unknown in result.unknown:
        if (unknown.src, unknown.dst) == (src, dst):
            mark = "v6 " if unknown.family == "ipv6" else ""
            parts.append(f"? {mark}{unknown.protocol}" if unknown.protocol == "icmp" else
                         f"? {mark}{unknown.protocol} {unknown.ports}")
    return "; ".join(parts) or "-"


def reach_table(result: Reachability) -> str:
    """Tiers, then the matrix (rows: from, columns: to), warnings and assumptions."""
    def shown(exposure: str) -> str:
        return exposure if exposure != "unknown" else "unknown (?)"

    dual = any(i.exposure_ipv6 is not None for i in result.tiers.values())
    head = ["tier", "exposure", *(["IPv6 exposure"] if dual else []), "subnets"]
    lines = [_grid([head] + [[n, shown(i.exposure),
                              *([shown(i.exposure_ipv6 or "-")] if dual else []),
                              ", ".join([*i.subnets, *i.ipv6_subnets])]
                             for n, i in result.tiers.items()])]
    endpoints = result.endpoints or sorted({f.src for f in result.flows} |
                                           {f.dst for f in result.flows})
    rows = [["from \\ to", *endpoints]]
    rows += [[src, *(_cell(result, src, dst) for dst in endpoints)] for src in endpoints]
    lines += ["", _grid(rows)]
    if result.proxied:
        lines += ["", *(f"through {p.via}: {p.src} -> {p.dst} {p.verdict}"
                        f"{' (IPv6 to the load balancer)' if p.family == 'ipv6' else ''}: "
                        f"{p.detail}" + (f" ({'; '.join(p.reasons)})" if p.reasons else "")
                        for p in result.proxied)]
    if result.warnings:
        lines += ["", *(f"warning: {w}" for w in result.warnings)]
    lines += [f"unresolved: {u.address} {u.attribute}: {u.reason}" for u in result.unresolved]
    for name, info in result.tiers.items():
        lines += [f"exposure of {name} unknown: {r}" for r in info.reasons]
    incomplete = incomplete_line(result)
    if incomplete:
        lines += ["", incomplete]
    lines += ["", *(f"assumption: {a}" for a in result.assumptions)]
    return "\n".join(lines) + "\n"


def query_text(result: QueryResult) -> str:
    port = "" if result.protocol == "icmp" or result.port is None else f" {result.port}"
    over = " over IPv6" if result.family == "ipv6" else ""
    lines = [f"{result.src} -> {result.dst} {result.protocol}{port}{over}: {result.verdict}"]
    for leg in result.legs:
        mark = "ok     " if leg.ok else "UNKNOWN" if leg.unknown else "BLOCKED"
        lines.append(f"  {mark} {leg.leg:<7} {leg.layer:<15} {leg.resource}: {leg.detail}")
    if result.verdict == "unknown":
        lines += [f"incomplete: {reason}" for reason in result.reasons]
    lines += [f"assumed: {a} (its far side is not in the input)" for a in result.assumed]
    return "\n".join(lines) + "\n"


def query_json(result: QueryResult) -> dict[str, Any]:
    """The ``tierform reach --from/--to --format json`` contract."""
    return {"schema_version": SCHEMA_VERSION, "from": result.src, "to": result.dst,
            "protocol": result.protocol, "port": result.port, "family": result.family,
            "verdict": result.verdict,
            "reachable": result.reachable, "reasons": list(result.reasons),
            "assumed": list(result.assumed),
            "legs": [{"leg": leg.leg, "layer": leg.layer, "ok": leg.ok,
                      "unknown": leg.unknown, "resource": leg.resource, "detail": leg.detail}
                     for leg in result.legs]}


def _finding_json(finding: VerifyFinding) -> dict[str, Any]:
    return {
        "kind": finding.kind, "rule": finding.rule_id, "level": finding.level,
        "severity": finding.grade,
        "message": finding.message, "path": list(finding.path), "from": finding.src,
        "to": finding.dst, "protocol": finding.protocol,
        "ports": None if finding.ports is None else finding.ports.to_json(),
        "layer": finding.layer, "resource": finding.resource, "family": finding.family,
    }


def verify_json(report: VerifyReport) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "ok": report.ok,
        "exit_code": report.exit_code,
        "complete": report.reachability.complete,
        "unknown": [_unknown_json(f) for f in report.reachability.unknown],
        "findings": [_finding_json(f) for f in report.findings],
        "single_layer": {layer: [_flow_json(f) for f in flows]
                         for layer, flows in report.single_layer.items()},
        "return_legs": {layer: [_flow_json(f) for f in flows]
                        for layer, flows in report.return_legs.items()},
        "tiers": _tiers_json(report.reachability),
        "warnings": list(report.reachability.warnings),
        "assumptions": list(report.reachability.assumptions),
    }


def verify_table(report: VerifyReport) -> str:
    lines = [f"{f.level.upper():<7} {f.kind:<12} {f.message}" for f in report.findings]
    lines += [f"warning: {w}" for w in report.reachability.warnings]
    count = len(report.findings)
    incomplete = incomplete_line(report.reachability)
    if incomplete:
        lines.append(incomplete)
    lines.append(("verify: ok (no findings)" if incomplete is None else
                  "verify: no findings, but incomplete") if report.ok else
                 f"verify: {count} finding{'s' if count != 1 else ''}")
    return "\n".join(lines) + "\n"


def single_layer_table(report: VerifyReport) -> str:
    """Per layer failed open: the forbidden flows into private or isolated tiers that open."""
    rows = [["layer failed open", "opens"]]
    for layer in (*LAYERS, *(k for k in report.single_layer if k not in LAYERS)):
        flows = report.single_layer.get(layer, [])
        text = "; ".join(f"{f.src} -> {f.dst} {f.protocol}"
                         f"{'' if f.ports is None else f' {f.ports}'}"
                         f"{' (IPv6)' if f.family == 'ipv6' else ''}" for f in flows)
        legs = "; ".join(f"{f.src} -> {f.dst} {f.protocol} {f.ports}"
                         for f in report.return_legs.get(layer, []))
        if legs:
            text = (f"{text}; " if text else "") + (
                f"{legs} (ephemeral: return legs the stateless ACLs admit)")
        rows.append([layer, text or "nothing (the other layers hold)"])
    return _grid(rows) + "\n"


def verify_sarif(report: VerifyReport, blueprint_file: str,
                 locate: Callable[[tuple[str | int, ...]], tuple[int, int]]) -> dict[str, Any]:
    """SARIF 2.1.0: one result per finding, located at the flow or tier it concerns."""
    rule_ids = list(_RULES)
    results = []
    for finding in report.findings:
        line, column = locate(finding.path)
        results.append({
            "ruleId": finding.rule_id,
            "ruleIndex": rule_ids.index(finding.rule_id),
            "level": finding.level,
            "message": {"text": finding.message},
            "locations": [{"physicalLocation": {
                "artifactLocation": {"uri": blueprint_file},
                "region": {"startLine": max(line, 1), "startColumn": max(column, 1)},
            }}],
        })
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "tierform",
                "rules": [{"id": rid, "name": rid.split("/", 1)[1],
                           "shortDescription": {"text": text}} for rid, text in _RULES.items()],
            }},
            "results": results,
        }],
    }


# --------------------------------------------------------------------------- plan / apply

CHANGE_KINDS = ("create", "update", "replace", "delete")
"""What a planned resource change is, in the order the summary prints them."""

NO_TIER = "(no tier)"
"""The tier column of resources that serve no tier (the VPC, gateways, flow logs)."""


def change_kind(actions: Iterable[str]) -> str | None:
    """``create``, ``update``, ``replace`` or ``delete`` for a plan's ``actions``; None for
    no-op and read."""
    acts = set(actions)
    if {"create", "delete"} <= acts:
        return "replace"
    for kind in ("create", "update", "delete"):
        if kind in acts:
            return kind
    return None


def change_counts(changes: Iterable[tuple[str, str | None, Iterable[str]]]
                  ) -> tuple[dict[str, dict[str, int]], dict[str, dict[str, int]]]:
    """``(type, tier, actions)`` per resource -> counts by type and by tier (sorted keys)."""
    by_type: dict[str, dict[str, int]] = {}
    by_tier: dict[str, dict[str, int]] = {}
    for type_, tier, actions in changes:
        kind = change_kind(actions)
        if kind is None:
            continue
        for table, key in ((by_type, type_), (by_tier, tier or NO_TIER)):
            row = table.setdefault(key, dict.fromkeys(CHANGE_KINDS, 0))
            row[kind] += 1
    return ({k: by_type[k] for k in sorted(by_type)},
            {k: by_tier[k] for k in sorted(by_tier, key=lambda t: (t == NO_TIER, t))})


def _totals(table: Mapping[str, Mapping[str, int]]) -> dict[str, int]:
    return {kind: sum(row[kind] for row in table.values()) for kind in CHANGE_KINDS}


def changes_json(name: str, changes: Iterable[tuple[str, str | None, Iterable[str]]]
                 ) -> dict[str, Any]:
    by_type, by_tier = change_counts(changes)
    return {"name": name, "changes": _totals(by_type), "by_type": by_type, "by_tier": by_tier}


def changes_table(name: str, changes: Iterable[tuple[str, str | None, Iterable[str]]],
                  paint: Callable[[str, str], str] = lambda text, _kind: text) -> str:
    """``name: plan: 183 to create, ...`` then the counts by resource type and by tier;
    ``paint(text, kind)`` colours (the CLI's ``ui.style``)."""
    by_type, by_tier = change_counts(changes)
    totals = _totals(by_type)
    if not any(totals.values()):
        return f"{name}: plan: {paint('no changes', 'ok')}"
    words = {"create": "to create", "update": "to update", "replace": "to replace",
             "delete": "to delete"}
    head = ", ".join(f"{totals[k]} {words[k]}" for k in CHANGE_KINDS if totals[k])
    lines = [f"{name}: plan: {head}"]
    used = [k for k in CHANGE_KINDS if totals[k]]
    for title, table in (("resource type", by_type), ("tier", by_tier)):
        rows = [[title, *used]]
        rows += [[key, *(str(row[k]) if row[k] else "-" for k in used)]
                 for key, row in table.items()]
        rows.append(["total", *(str(totals[k]) for k in used)])
        grid = _grid(rows).split("\n")
        lines.append("")
        lines.append(paint(grid[0], "head"))
        lines.extend(grid[1:])
    return "\n".join(lines)


def _flat(prefix: str, value: Any) -> list[tuple[str, str]]:
    """An output value as ``(key, text)`` rows: maps by dotted key, lists of scalars joined."""
    if isinstance(value, Mapping) and value:
        rows: list[tuple[str, str]] = []
        for key in sorted(value):
            rows.extend(_flat(f"{prefix}.{key}", value[key]))
        return rows
    if isinstance(value, list) and all(not isinstance(v, Mapping | list) for v in value):
        return [(prefix, ", ".join(str(v) for v in value) or "[]")]
    if isinstance(value, list):
        rows = []
        for index, item in enumerate(value):
            rows.extend(_flat(f"{prefix}[{index}]", item))
        return rows or [(prefix, "[]")]
    if isinstance(value, str):
        return [(prefix, value)]
    return [(prefix, json.dumps(value, sort_keys=True))]


def outputs_table(outputs: Mapping[str, Any],
                  paint: Callable[[str, str], str] = lambda text, _kind: text) -> str:
    """Apply's outputs, one row per leaf value (``subnet_ids.app.us-east-1a  subnet-...``)."""
    rows = [["output", "value"]]
    for name in sorted(outputs):
        rows.extend([key, text] for key, text in _flat(name, outputs[name]))
    if len(rows) == 1:
        return "(no outputs)"
    grid = _grid(rows).split("\n")
    return "\n".join([paint(grid[0], "head"), *grid[1:]])

"""What ``tierform logs check`` prints: a summary built from the aggregate rows (the local
check's or Athena's, the same columns), as text, JSON or SARIF."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from tierform.logs.rules import CLASSES, FINDINGS

__all__ = ["SARIF_RULES", "summarize", "summary_sarif", "summary_text"]

_PROTOCOLS = {6: "tcp", 17: "udp", 1: "icmp"}
SARIF_RULES = {
    "logs/unintended-accept": "Flow logs show accepted traffic the blueprint does not allow",
    "logs/rejected-intended": "Flow logs show rejected traffic of a flow the blueprint allows",
}
TOP_TALKERS = 5


def _time(epoch: Any) -> str | None:
    if epoch is None:
        return None
    return datetime.fromtimestamp(int(epoch), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _protocol(number: Any) -> str:
    return _PROTOCOLS.get(int(number), str(number)) if number is not None else "-"


def _port_order(port: Any) -> tuple[bool, int]:
    """Sort key of a port that a record without one (``-``) leaves as None: first."""
    return (port is not None, int(port or 0))


def _port_text(port: Any) -> str:
    return "-" if port is None else str(port)


def _merge(target: dict[str, Any], row: Mapping[str, Any]) -> None:
    for key in ("records", "packets", "bytes"):
        target[key] += int(row[key] or 0)
    for key, pick in (("first_seen", min), ("last_seen", max)):
        if row[key] is not None:
            target[key] = row[key] if target[key] is None else pick(target[key], row[key])


def summarize(rows: Sequence[Mapping[str, Any]], *, bad_count: int = 0,
              bad_lines: Sequence[Mapping[str, Any]] = (), notes: Sequence[str] = (),
              ) -> dict[str, Any]:
    """The report document (``--format json``) of aggregate rows."""
    classes = dict.fromkeys(CLASSES, 0)
    connections: dict[tuple[Any, ...], dict[str, Any]] = {}
    talkers: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
    unmapped: dict[str, int] = {}
    by_ports = 0
    for row in rows:
        classes[row["class"]] += int(row["records"])
        by_ports += int(row["by_ports"] or 0)
        if row["class"] == "unmapped":
            unmapped[row["reason"]] = unmapped.get(row["reason"], 0) + int(row["records"])
            continue
        key = (row["class"], row["client"], row["server"], row["protocol"], row["port"])
        entry = connections.setdefault(key, {
            "class": row["class"], "client": row["client"], "server": row["server"],
            "protocol": _protocol(row["protocol"]), "port": row["port"],
            "flow": row["flow_id"], "records": 0, "packets": 0, "bytes": 0,
            "first_seen": None, "last_seen": None})
        _merge(entry, row)
        if row["class"] in FINDINGS:
            talkers.setdefault(key, []).append(
                {"client_ip": row["client_ip"], "server_ip": row["server_ip"],
                 "records": int(row["records"])})
    listed = sorted(connections.values(), key=lambda c: (
        CLASSES.index(c["class"]), c["client"], c["server"], c["protocol"],
        _port_order(c["port"])))
    findings = []
    for key, entry in connections.items():
        if entry["class"] in FINDINGS:
            top = sorted(talkers[key], key=lambda t: (-t["records"], t["client_ip"],
                                                      t["server_ip"]))[:TOP_TALKERS]
            findings.append({**entry, "top_talkers": top})
    # The whole connection key: ties (icmp and udp on port 0) must not fall back on the
    # order the engine returned its groups in (same records, same report).
    findings.sort(key=lambda f: (CLASSES.index(f["class"]), -f["records"], f["client"],
                                 f["server"], _port_order(f["port"]), f["protocol"]))
    for entry in (*listed, *findings):
        entry["first_seen"], entry["last_seen"] = (_time(entry["first_seen"]),
                                                   _time(entry["last_seen"]))
    return {
        "records": sum(classes.values()),
        "classes": classes,
        "findings": findings,
        "connections": listed,
        "unmapped": dict(sorted(unmapped.items())),
        "told_by_ports": by_ports,
        "bad_lines": {"count": bad_count, "shown": list(bad_lines)},
        "notes": list(notes),
    }


def summary_text(summary: Mapping[str, Any]) -> str:
    """The report for a terminal."""
    lines = [f"{summary['records']:,} records: " + ", ".join(
        f"{count:,} {name.replace('_', ' ')}" for name, count in summary["classes"].items())]
    lines.append("")
    lines.append(f"{'class':<18} {'client':<10} {'server':<10} {'port':<10} {'records':>10}  "
                 "first seen            last seen             flow")
    shown: list[dict[str, Any]] = []
    rejects: dict[tuple[str, str], dict[str, Any]] = {}
    for c in summary["connections"]:
        if c["class"] != "expected_reject":
            shown.append(c)
            continue
        # Scans hit many ports: one line per pair in text (--format json lists each port).
        key = (c["client"], c["server"])
        if key not in rejects:
            rejects[key] = {**c, "ports": set()}
            shown.append(rejects[key])
        else:
            merged = rejects[key]
            merged["records"] += c["records"]
            merged["first_seen"] = min(merged["first_seen"] or "~", c["first_seen"] or "~")
            merged["last_seen"] = max(merged["last_seen"] or "", c["last_seen"] or "")
        rejects[key]["ports"].add((c["protocol"], c["port"]))
    for c in shown:
        ports = c.get("ports")
        if ports is not None and len(ports) > 1:
            port = f"{len(ports)} ports"
        elif c["protocol"] in ("tcp", "udp"):
            port = f"{c['protocol']}/{_port_text(c['port'])}"
        else:
            port = c["protocol"]
        # The flow (or load balancer, lb_<tier>) a record is intended by: the label that
        # says a tier pair's traffic is an LB's or an endpoint's, not the tiers' own.
        lines.append(f"{c['class']:<18} {c['client']:<10} {c['server']:<10} {port:<10} "
                     f"{c['records']:>10,}  {c['first_seen'] or '-':<20}  "
                     f"{c['last_seen'] or '-':<20}  {c.get('flow') or '-'}".rstrip())
    for reason, count in summary["unmapped"].items():
        lines.append(f"{'unmapped':<18} {reason:<43} {count:>10,}")
    if summary["findings"]:
        lines.append("")
        lines.append("findings:")
        for f in summary["findings"]:
            what = ("ACCEPTED, but the blueprint allows no such flow"
                    if f["class"] == "unintended_accept"
                    else f"REJECTED, but flow {f['flow']} allows it")
            lines.append(f"  {f['client']} -> {f['server']} {f['protocol']}/"
                         f"{_port_text(f['port'])}: {what} "
                         f"({f['records']:,} records, {f['first_seen']} .. {f['last_seen']})")
            for t in f["top_talkers"]:
                lines.append(f"      {t['client_ip']} -> {t['server_ip']}: {t['records']:,}")
    else:
        lines.append("")
        lines.append("no findings: every accepted record is a blueprint flow, no flow's "
                     "traffic was rejected")
    bad = summary["bad_lines"]
    if bad["count"]:
        lines.append("")
        lines.append(f"{bad['count']:,} line(s) could not be read (not counted above):")
        lines.extend(f"  {b['path']}:{b['line']}: {b['problem']}" for b in bad["shown"])
        if bad["count"] > len(bad["shown"]):
            lines.append(f"  ... and {bad['count'] - len(bad['shown']):,} more")
    lines.extend(f"note: {n}" for n in summary["notes"])
    return "\n".join(lines)


def _sarif_path(finding: Mapping[str, Any],
                flow_index: Mapping[str, int]) -> tuple[str | int, ...]:
    """Where in the blueprint a finding points: the flow it breaks, the load balancer
    (``lb_<tier>``) or the interface endpoints (``aws:<service>``) it concerns, else the
    tier it enters."""
    flow, server = finding["flow"] or "", str(finding["server"])
    if flow in flow_index:
        return ("flows", flow_index[flow])
    lb = flow if flow.startswith("lb_") else server if server.startswith("lb_") else None
    if lb is not None:
        return ("tiers", lb.removeprefix("lb_"), "load_balancer")
    if server.startswith("aws:"):
        return ("interface_endpoints",)
    return ("tiers", server)


def summary_sarif(summary: Mapping[str, Any], blueprint_file: str,
                  locate: Callable[[tuple[str | int, ...]], tuple[int, int]],
                  flow_index: Mapping[str, int]) -> dict[str, Any]:
    """SARIF 2.1.0: one result per finding, at the flow it breaks or the tier it enters."""
    rule_ids = list(SARIF_RULES)
    results = []
    for f in summary["findings"]:
        rule = "logs/" + f["class"].replace("_", "-")
        path = _sarif_path(f, flow_index)
        line, col = locate(path)
        results.append({
            "ruleId": rule, "ruleIndex": rule_ids.index(rule), "level": "error",
            "message": {"text": f"{f['client']} -> {f['server']} {f['protocol']}/"
                                f"{_port_text(f['port'])}: "
                                f"{f['records']} {f['class'].replace('_', ' ')} records "
                                f"({f['first_seen']} .. {f['last_seen']})"},
            "locations": [{"physicalLocation": {
                "artifactLocation": {"uri": blueprint_file},
                "region": {"startLine": max(line, 1), "startColumn": max(col, 1)}}}],
        })
    return {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{"tool": {"driver": {"name": "tierform", "rules": [
            {"id": rid, "name": rid.split("/", 1)[1], "shortDescription": {"text": text}}
            for rid, text in SARIF_RULES.items()]}}, "results": results}],
    }

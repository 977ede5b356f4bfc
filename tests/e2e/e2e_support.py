"""Plain helpers shared by the e2e tests: run the CLI, list what a destroy left, find
processes a command left behind, grow a blueprint by one flow and one tier, and order
the modules for the workers (long ones first)."""

from __future__ import annotations

import copy
import os
import subprocess
from collections.abc import Sequence
from ipaddress import IPv4Network
from itertools import groupby
from pathlib import Path
from typing import Any

import pytest

import cli_support
from cli_support import ROOT
from tierform.network.model import Network

__all__ = [
    "INSPECTED",
    "ROOT",
    "SHIPPED",
    "grown",
    "leftovers",
    "long_modules_first",
    "pending_changes",
    "stray_processes",
    "tierform",
    "tierform_popen",
]

SHIPPED = sorted((ROOT / "blueprints").glob("*.yaml"))
# The blueprint with a Network Firewall (inspection) that the firewall e2e modules apply.
INSPECTED = ROOT / "tests" / "plan" / "fixtures" / "inspected.yaml"

# Every resource tierform puts in a tier carries the Tier tag (DESIGN: SEC05-BP01 convention).
_TIERED = (("describe_subnets", "Subnets", "SubnetId"),
           ("describe_route_tables", "RouteTables", "RouteTableId"),
           ("describe_network_acls", "NetworkAcls", "NetworkAclId"),
           ("describe_security_groups", "SecurityGroups", "GroupId"))


def tierform(*args: str, timeout: float = 900) -> subprocess.CompletedProcess[str]:
    """The CLI at the repository root with progress output silenced (cli_support.tierform)."""
    return cli_support.tierform(*args, quiet=True, timeout=timeout)


def tierform_popen(*args: str) -> subprocess.Popen[str]:
    """``tierform`` started in the background, progress silenced (the fault test stops AWS
    under it)."""
    return cli_support.tierform_popen(*args, quiet=True)


def leftovers(ec2: Any, vpc_id: str, name: str) -> dict[str, list[str]]:
    """Tier-tagged resources still listed in the VPC or under the blueprint's Name prefix."""
    left: dict[str, list[str]] = {}
    for operation, key, id_key in _TIERED:
        found: set[str] = set()
        for scope in ({"Name": "vpc-id", "Values": [vpc_id]},
                      {"Name": "tag:Name", "Values": [f"{name}-*"]}):
            answer = getattr(ec2, operation)(Filters=[{"Name": "tag-key", "Values": ["Tier"]},
                                                      scope])
            found |= {item[id_key] for item in answer[key]}
        if found:
            left[operation] = sorted(found)
    return left


def pending_changes(plan: dict[str, Any], *, allowed: tuple[str, ...] = ()) -> list[str]:
    """Resource changes of a ``show -json`` plan other than no-op/read and ``allowed`` actions,
    each as ``address: actions [changed keys]`` (empty: nothing else would change)."""
    pending = []
    for change in plan.get("resource_changes", []):
        diff = change["change"]
        actions = diff["actions"]
        if actions in (["no-op"], ["read"]) or (len(actions) == 1 and actions[0] in allowed):
            continue
        before, after = diff.get("before") or {}, diff.get("after") or {}
        keys = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
        pending.append(f"{change['address']}: {'/'.join(actions)} {keys}")
    return pending


def stray_processes(marker: Path) -> list[str]:
    """Processes (other than this one) whose command line names ``marker`` or whose working
    directory is inside it: what a finished command must not leave behind (Linux /proc)."""
    found = []
    text = str(marker)
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(
                errors="replace").strip()
            cwd = os.readlink(entry / "cwd")
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue  # gone meanwhile, or not ours to inspect
        if state != "Z" and (text in command or cwd == text or cwd.startswith(text + "/")):
            found.append(f"{entry.name} (cwd {cwd}): {command}")
    return found


def grown(blueprint: dict[str, Any], network: Network, *, port: int = 6379) -> dict[str, Any]:
    """The blueprint with one flow and one isolated tier appended (DESIGN: such a change
    plans only creates). The new flow joins the last pair of tiers that already talk
    (three-tier: app -> db) on ``port``; the new tier ``cache`` gets free /24s at the top
    of the VPC, one per AZ, and a flow from that pair's source."""
    data = copy.deepcopy(blueprint)
    tiers = data["tiers"]
    src, dst = next((f["from"], f["to"]) for f in reversed(data["flows"])
                    if f["from"] in tiers and f["to"] in tiers)
    taken = [s.cidr for s in network.subnets.values()]
    vpc = IPv4Network(data["vpc"]["cidr"])
    free = [c for c in reversed(list(vpc.subnets(new_prefix=24)))
            if not any(c.overlaps(t) for t in taken)]
    zones = len(data["availability_zones"])
    assert "cache" not in tiers
    tiers["cache"] = {"exposure": "isolated", "cidrs": [str(c) for c in free[:zones]],
                      "description": "Added by the upgrade test"}
    # The pair already has a flow: the new one gets an id of its own (its rules are
    # numbered by it; the existing flow keeps its rules).
    data["flows"] += [{"from": src, "to": dst, "ports": [port], "id": f"grown_{port}"},
                      {"from": src, "to": "cache", "ports": [port]}]
    return data


def long_modules_first(items: Sequence[pytest.Item]) -> list[pytest.Item]:
    """``items`` (pytest items) with the modules marked ``e2e_long`` first, then the rest by
    test count, most first; each module's tests together and in file order. It depends on
    the collection alone, so every xdist worker computes the same order (conftest.py)."""
    modules = [list(tests) for _, tests in groupby(
        items, key=lambda item: item.nodeid.split("::")[0])]
    modules.sort(key=lambda tests: (
        not any(item.get_closest_marker("e2e_long") for item in tests),
        -len(tests)))
    return [item for tests in modules for item in tests]

"""Small ``terraform show -json`` documents built in tests: plans (planned values plus
configuration references, as Terraform writes them) and states."""

from __future__ import annotations

from typing import Any

Res = tuple[str, dict[str, Any], dict[str, Any]]  # address (type.name[idx]), values, expressions


def ref(*addresses: str) -> dict[str, Any]:
    """Terraform's reference list: each traversal followed by its prefixes."""
    out: list[str] = []
    for address in addresses:
        out.append(address)
        head = address.rsplit(".", 1)[0]
        if "[" in head:
            out += [head, head.split("[")[0]]
        elif address.count(".") > 1:
            out.append(head)
    return {"references": out}


def _module(resources: list[Res], path: str = "") -> tuple[dict[str, Any], dict[str, Any]]:
    """(planned_values module, configuration module) for resources in one module."""
    planned: list[dict[str, Any]] = []
    config: dict[str, dict[str, Any]] = {}
    for address, values, expressions in resources:
        name = address.split("[")[0]
        rtype, rname = name.split(".")
        index: Any = None
        if "[" in address:
            raw = address.split("[", 1)[1].rstrip("]")
            index = raw.strip('"') if raw.startswith('"') else int(raw)
        full = f"{path}.{address}" if path else address
        planned.append({"address": full, "mode": "managed", "type": rtype, "name": rname,
                        "index": index, "values": values})
        entry = config.setdefault(name, {"address": name, "mode": "managed", "type": rtype,
                                         "name": rname, "expressions": {}})
        extra = expressions.pop("__meta__", {}) if expressions else {}
        entry.update(extra)
        entry["expressions"].update(expressions)
    return {"resources": planned}, {"resources": list(config.values())}


def plan_document(resources: list[Res], *,
                  child: tuple[str, list[Res], dict[str, Any]] | None = None) -> dict[str, Any]:
    """A plan of root ``resources`` and optionally one child module (name, resources, inputs).

    ``resource_changes`` mirror ``planned_values`` (every instance created), so the typed
    ``Plan`` and the network reader see the same document.
    """
    planned, config = _module(resources)
    if child is not None:
        name, child_resources, call_expressions = child
        child_planned, child_config = _module(child_resources, f"module.{name}")
        planned["child_modules"] = [{"address": f"module.{name}", **child_planned}]
        config["module_calls"] = {name: {"source": f"./{name}", "module": child_config,
                                         "expressions": call_expressions}}
    changes = []
    for module in [planned, *planned.get("child_modules", [])]:
        for resource in module["resources"]:
            change = {key: resource[key] for key in ("address", "mode", "type", "name", "index")}
            if "address" in module:
                change["module_address"] = module["address"]
            change["change"] = {"actions": ["create"], "before": None,
                                "after": resource["values"], "after_unknown": {}}
            changes.append(change)
    return {"format_version": "1.2", "planned_values": {"root_module": planned},
            "resource_changes": changes, "configuration": {"root_module": config}}


VPC: Res = ("aws_vpc.main", {"cidr_block": "10.0.0.0/16"}, {})
IN_VPC = {"vpc_id": ref("aws_vpc.main.id")}


def subnet(name: str, cidr: str, tier: str = "App", **expressions: Any) -> Res:
    return (f"aws_subnet.{name}", {"cidr_block": cidr, "availability_zone": "us-east-1a",
                                   "tags": {"Tier": tier, "Name": name}},
            {**IN_VPC, **expressions})


def state_document(resources: list[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    """A state of root resources (address, values)."""
    return {"format_version": "1.0", "terraform_version": "1.11.0", "values": {"root_module": {
        "resources": [{"address": a, "mode": "managed", "type": a.split(".")[0],
                       "name": a.split(".")[1], "values": v} for a, v in resources]}}}

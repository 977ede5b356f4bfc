"""Read a Network from a saved plan (``terraform show -json plan``), and detect plan vs state.

Resource ids are unknown at plan time, so wiring comes from the configuration:
``configuration.root_module[.module_calls.x.module].resources[].expressions.<attr>.references``.
Resolved: direct references (``aws_subnet.a.id``), literal keys (``aws_subnet.db["a"]``),
``count.index``/``each.key``/``each.value`` when both sides have the same keys, module
variables that forward one reference. Anything else is reported, never guessed.

Limit: Terraform drops index expressions from ``references``:
``aws_subnet.db[count.index].id`` and ``element(aws_subnet.db[*].id, count.index % 2)``
both read ``["aws_subnet.db", "count.index"]``. Only equal key sets count as lined up, so
the second form resolves (wrongly as identity) when the counts happen to be equal.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from ipaddress import IPv4Network
from pathlib import Path
from typing import Any

from tierform.errors import ReadError
from tierform.network.model import Network, Unresolved
from tierform.readers.state import (
    VPC_DEFAULT_ATTRS,
    Instance,
    assemble,
)

__all__ = ["detect_kind", "network_from_json_file", "network_from_plan"]

_SELECTORS = ("count.index", "each.key")
_RESOURCE_REF = re.compile(
    r"^(?P<resource>[a-z][a-z0-9_]*\.[A-Za-z_][A-Za-z0-9_-]*)"
    r"(?:\[(?P<index>[^\]]*)\])?(?:\.(?P<attr>[A-Za-z0-9_]+))?(?P<rest>.*)$")
_NOT_RESOURCES = ("var.", "local.", "data.", "module.", "each.", "count.", "path.", "self.",
                  "terraform.")
_MODULE_STEP = re.compile(r"module\.([A-Za-z0-9_-]+)(\[[^\]]*\])?")

Index = int | str | None


def _parse_index(text: str) -> Index | Unresolved:
    text = text.strip()
    if text.isdigit():
        return int(text)
    if len(text) >= 2 and text[0] == text[-1] == '"':
        return text[1:-1]
    return Unresolved("", "", f"index [{text}] is not a literal key")


def _maximal(refs: Sequence[str]) -> list[str]:
    """Drop the prefixes Terraform lists after each full reference."""
    return [r for r in dict.fromkeys(refs)
            if not any(o != r and o.startswith((r + ".", r + "[")) for o in refs)]


class _PlanWiring:
    """Resolves plan attributes: known values first, else configuration references."""

    def __init__(self, plan: Mapping[str, Any]) -> None:
        self.config_root: Mapping[str, Any] = (plan.get("configuration") or {}).get(
            "root_module") or {}
        self.instances: list[Instance] = []
        self.meta: dict[str, tuple[str, str, Index]] = {}  # key -> (module, resource, index)
        self.by_resource: dict[tuple[str, str], dict[Index, Instance]] = {}
        planned = (plan.get("planned_values") or {}).get("root_module") or {}
        self._collect(planned, "")

    # ----------------------------------------------------------- indexing
    def _collect(self, module: Mapping[str, Any], path: str) -> None:
        for resource in module.get("resources", []) or []:
            if resource.get("mode", "managed") != "managed":
                continue
            address = str(resource["address"])
            name = f"{resource['type']}.{resource['name']}"
            inst = Instance(address, str(resource["type"]), resource.get("values") or {},
                            address, address, path)
            self.instances.append(inst)
            self.meta[address] = (path, name, resource.get("index"))
            self.by_resource.setdefault((path, name), {})[resource.get("index")] = inst
        for child in module.get("child_modules", []) or []:
            self._collect(child, str(child.get("address", "")))

    def _config_module(self, path: str) -> Mapping[str, Any] | None:
        module: Mapping[str, Any] | None = self.config_root
        for match in _MODULE_STEP.finditer(path):
            calls = (module or {}).get("module_calls") or {}
            module = (calls.get(match.group(1)) or {}).get("module")
        return module

    def _config(self, inst: Instance) -> Mapping[str, Any]:
        path, name, _ = self.meta[inst.key]
        for resource in (self._config_module(path) or {}).get("resources", []) or []:
            if resource.get("address") == name:
                return dict(resource)
        return {}

    def _expr(self, inst: Instance, attr: str) -> Mapping[str, Any] | None:
        expressions = self._config(inst).get("expressions") or {}
        value = expressions.get(attr)
        if isinstance(value, list):  # a block: its expressions, one mapping per block
            refs = [r for block in value for e in block.values() if isinstance(e, Mapping)
                    for r in e.get("references", [])]
            return {"references": refs}
        return value if isinstance(value, Mapping) else None

    # ---------------------------------------------------------- resolving
    def _resource(self, path: str, ref: str, inst: Instance | None,
                  selectors: Sequence[str]) -> str | Unresolved:
        """One resource traversal -> key (or the known attribute value it names)."""
        match = _RESOURCE_REF.match(ref)
        address = inst.address if inst else ""
        if match is None or match.group("rest"):
            return Unresolved(address, "", f"cannot follow {ref}")
        targets = self.by_resource.get((path, match.group("resource")))
        if not targets:
            return Unresolved(address, "", f"{ref}: no such resource in the plan")
        if match.group("index") is not None:
            index = _parse_index(match.group("index"))
            if isinstance(index, Unresolved):
                return Unresolved(address, "", f"{ref}: {index.reason}")
        elif list(targets) == [None]:
            index = None
        elif selectors and inst is not None:
            own_path, own_name, index = self.meta[inst.key]
            own_keys = set(self.by_resource.get((own_path, own_name), {}))
            if set(targets) != own_keys:
                return Unresolved(address, "", f"{match.group('resource')}[{selectors[0]}]: "
                                  "keys of the two resources do not line up")
        else:
            return Unresolved(address, "", f"refers to every instance of "
                              f"{match.group('resource')} (splat or function): cannot tell which")
        target = targets.get(index)
        if target is None:
            return Unresolved(address, "", f"{ref}: no instance with key {index!r}")
        attr = match.group("attr")
        if attr in (None, "id"):
            return target.key
        if attr in VPC_DEFAULT_ATTRS and target.type == "aws_vpc":
            return f"{target.key}.{attr}"  # the VPC's own default object (see read_state)
        value = target.values.get(attr)
        if isinstance(value, str) and value:
            return value
        return Unresolved(address, "", f"{ref} is unknown at plan time")

    def _traverse(self, path: str, ref: str, inst: Instance | None,
                  selectors: Sequence[str]) -> list[str] | Unresolved:
        address = inst.address if inst else ""
        if ref.startswith("each.value"):
            # for_each over a resource: each.value is that resource's instance of the same key.
            if inst is None:
                return Unresolved(address, "", f"cannot follow {ref}")
            source = _maximal((self._config(inst).get("for_each_expression") or {})
                              .get("references", []))
            if len(source) != 1 or source[0].startswith(_NOT_RESOURCES) or "[" in source[0]:
                return Unresolved(address, "", f"{ref}: for_each is not one resource")
            attr = ref[len("each.value"):]
            got = self._resource(path, source[0] + attr, inst, ["each.key"])
            return got if isinstance(got, Unresolved) else [got]
        if ref.startswith("var.") and path:
            return self._variable(path, ref, address)
        if ref.startswith(_NOT_RESOURCES):
            return Unresolved(address, "", f"depends on {ref}")
        got = self._resource(path, ref, inst, selectors)
        return got if isinstance(got, Unresolved) else [got]

    def _variable(self, path: str, ref: str, address: str) -> list[str] | Unresolved:
        """A child module's ``var.x``: follow the references the caller passes in."""
        name = ref[len("var."):]
        steps = list(_MODULE_STEP.finditer(path))
        last = steps[-1]
        parent = path[:last.start()].rstrip(".")
        call = ((self._config_module(parent) or {}).get("module_calls") or {}).get(
            last.group(1)) or {}
        if "." in name or "[" in name or call.get("count_expression") \
                or call.get("for_each_expression"):
            return Unresolved(address, "", f"cannot follow {ref} through module {path}")
        expr = (call.get("expressions") or {}).get(name) or {}
        refs = expr.get("references")
        if not refs:
            return Unresolved(address, "", f"{ref} is not a reference in the module call")
        return self._resolve(parent, refs, None)

    def _resolve(self, path: str, refs: Sequence[str],
                 inst: Instance | None) -> list[str] | Unresolved:
        maximal = _maximal(refs)
        selectors = [r for r in maximal if r in _SELECTORS]
        out: list[str] = []
        for ref in maximal:
            if ref in _SELECTORS:
                continue
            got = self._traverse(path, ref, inst, selectors)
            if isinstance(got, Unresolved):
                return got
            out += got
        return out

    # ---------------------------------------------------------- Wiring API
    def ids(self, inst: Instance, attr: str, *, scalar: bool) -> list[str] | Unresolved:
        if attr in inst.values:
            value = inst.values[attr]
            if value is None or value == "":
                return []
            if isinstance(value, str):
                return [value]
            if isinstance(value, list) and all(isinstance(v, str) for v in value):
                return [v for v in value if v]
        expr = self._expr(inst, attr)
        if expr is None:
            return []  # not configured and computed by AWS: nothing wired here
        refs = expr.get("references")
        if not refs:
            return Unresolved(inst.address, attr, "unknown at plan time and not a reference")
        got = self._resolve(self.meta[inst.key][0], refs, inst)
        if isinstance(got, Unresolved):
            return Unresolved(inst.address, attr, got.reason)
        return got

    def blocks(self, inst: Instance, attr: str,
               ref_fields: Mapping[str, tuple[str, ...]]) -> list[dict[str, Any]] | Unresolved:
        value = inst.values.get(attr)
        expr = self._expr(inst, attr)
        if attr not in inst.values or value is None:
            if expr is None:
                # Not configured: Terraform manages no inline blocks (and removes AWS's
                # default egress from security groups it creates).
                return []
            return Unresolved(inst.address, attr, "inline blocks unknown at plan time")
        blocks = [dict(b) for b in value]
        refs = (expr or {}).get("references", [])
        for name, types in ref_fields.items():
            unknown = [b for b in blocks if name not in b]
            if not unknown:
                continue
            reason = self._fill(inst, refs, name, types, unknown)
            for block in unknown:
                if reason:
                    block["__unresolved__"] = f"{name}: {reason}"
        return blocks

    def _fill(self, inst: Instance, refs: Sequence[str], name: str, types: tuple[str, ...],
              unknown: list[dict[str, Any]]) -> str:
        """Fill ``name`` in the blocks where it is unknown; return why not, or ""."""
        if not types:
            return "unknown at plan time"
        path = self.meta[inst.key][0]
        candidates: list[str] = []
        for ref in _maximal(refs):
            head = ref.split("[")[0].split(".")
            if ref.startswith(_NOT_RESOURCES) and not ref.startswith("var."):
                if ref in _SELECTORS:
                    continue
                return f"the blocks depend on {ref}"
            if ref.startswith("var.") and not path:
                continue  # root variables are known at plan time: not this unknown
            if not ref.startswith("var.") and head[0] not in types:
                continue
            got = self._traverse(path, ref, inst, [])
            if isinstance(got, Unresolved):
                return got.reason
            candidates += [c for c in got if self._type_of(c) in types]
        candidates = list(dict.fromkeys(candidates))
        is_list = name.endswith("s")
        if not candidates:
            return "no reference of a matching type"
        if len(unknown) == 1 and (is_list or len(candidates) == 1):
            unknown[0][name] = candidates if is_list else candidates[0]
            return ""
        if len(candidates) == 1:
            for block in unknown:
                block[name] = candidates if is_list else candidates[0]
            return ""
        return "several blocks and several candidates: the block's own reference is not recorded"

    def _type_of(self, key: str) -> str:
        meta = self.meta.get(key)
        return meta[1].split(".")[0] if meta else ""


def network_from_plan(plan: Mapping[str, Any], *, tier_tag: str = "Tier",
                      named_networks: Mapping[str, IPv4Network] | None = None,
                      tier_groups: Mapping[str, Sequence[str]] | None = None) -> Network:
    """The Network a saved plan will build; ids are module-relative resource addresses.

    ``tier_groups`` (tier -> security group addresses) is an explicit placement, e.g. from
    the blueprint; tiers absent from it use the groups' ``tier_tag`` tag.
    """
    if not isinstance(plan.get("planned_values"), Mapping):
        raise ReadError("plan JSON has no planned_values: is it `terraform show -json <planfile>`"
                        " output?")
    wiring = _PlanWiring(plan)
    return assemble(wiring.instances, wiring, source="plan", tier_tag=tier_tag,
                    named_networks=named_networks, tier_groups=tier_groups)


def detect_kind(document: Mapping[str, Any]) -> str:
    """``"plan"`` or ``"state"`` for ``terraform show -json`` output; ReadError otherwise."""
    if "planned_values" in document or "resource_changes" in document:
        return "plan"
    if isinstance(document.get("values"), Mapping) or (
            "format_version" in document and "terraform_version" in document
            and "resources" not in document):
        return "state"
    if "resources" in document and "version" in document:
        raise ReadError("this is a raw terraform.tfstate file; run `terraform show -json` "
                        "and read its output instead")
    raise ReadError("neither a plan nor a state JSON: expected `terraform show -json` output "
                    "(a plan has planned_values, a state has values)")


def network_from_json_file(path: Path, **kw: Any) -> Network:
    """Read a plan or state JSON file (``terraform show -json``), whichever it is.

    The same reading as ``tierform reach``/``verify`` (``tierform.workflow.read_network``):
    one place turns every unusable file into a ReadError.
    """
    from tierform.workflow import read_network

    return read_network(Path(path), **kw)[1]

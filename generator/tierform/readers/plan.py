"""Read a Network from a saved plan (``terraform show -json PLANFILE``).

Resource ids are unknown at plan time: a known value is used as it is, an unknown one
is resolved through the configuration's references by the one resolver
(``readers/resolver.py``), whose symbols become Network keys here: an instance's
address for its ``id``, ``<vpc>.<attr>`` for a VPC's default objects, the known value
for any other attribute. Anything else is reported, never guessed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from ipaddress import IPv4Network
from typing import Any

from tierform.errors import ReadError
from tierform.network.model import Network, Unresolved
from tierform.network.tags import TIER_TAG
from tierform.readers.resolver import (
    NOT_RESOURCES,
    SELECTORS,
    PlannedInstance,
    Resolver,
    Symbol,
    maximal,
)
from tierform.readers.terraform_json import VPC_DEFAULT_ATTRS, Instance, assemble

__all__ = ["network_from_plan", "planned_instances"]


def planned_instances(plan: Mapping[str, Any]) -> list[PlannedInstance]:
    """Managed resource instances of ``planned_values``, root module first, depth first."""
    found: list[PlannedInstance] = []

    def walk(module: Mapping[str, Any], path: str) -> None:
        for resource in module.get("resources", []) or []:
            if resource.get("mode", "managed") != "managed":
                continue
            found.append(PlannedInstance(
                str(resource["address"]), path, f"{resource['type']}.{resource['name']}",
                resource.get("index"), resource.get("values") or {}))
        for child in module.get("child_modules", []) or []:
            walk(child, str(child.get("address", "")))

    walk((plan.get("planned_values") or {}).get("root_module") or {}, "")
    return found


def _key(symbol: Symbol, address: str) -> str | Unresolved:
    """The Network key (or known value) a symbol stands for."""
    target, attr = symbol.instance, symbol.attribute
    if attr in (None, "id"):
        return target.address
    if attr in VPC_DEFAULT_ATTRS and target.type == "aws_vpc":
        return f"{target.address}.{attr}"  # the VPC's own default object (see terraform_json)
    value = target.values.get(attr)
    if isinstance(value, str) and value:
        return value
    return Unresolved(address, "", f"{symbol.reference} is unknown at plan time")


def _keys(symbols: list[Symbol] | Unresolved, address: str) -> list[str] | Unresolved:
    if isinstance(symbols, Unresolved):
        return symbols
    out: list[str] = []
    for symbol in symbols:
        key = _key(symbol, address)
        if isinstance(key, Unresolved):
            return key
        out.append(key)
    return out


class _PlanWiring:
    """The Wiring of a plan: known values first, else the resolver's symbols as keys."""

    def __init__(self, resolver: Resolver) -> None:
        self.resolver = resolver

    def _planned(self, inst: Instance) -> PlannedInstance:
        return self.resolver.instances[inst.key]

    def ids(self, inst: Instance, attr: str, *, scalar: bool) -> list[str] | Unresolved:
        if attr in inst.values:
            value = inst.values[attr]
            if value is None or value == "":
                return []
            if isinstance(value, str):
                return [value]
            if isinstance(value, list) and all(isinstance(v, str) for v in value):
                return [v for v in value if v]
        planned = self._planned(inst)
        expr = self.resolver.expression(planned, attr)
        if expr is None:
            return []  # not configured and computed by AWS: nothing wired here
        refs = expr.get("references")
        if not refs:
            return Unresolved(inst.address, attr, "unknown at plan time and not a reference")
        got = _keys(self.resolver.resolve(planned, refs), inst.address)
        if isinstance(got, Unresolved):
            return Unresolved(inst.address, attr, got.reason)
        return got

    def blocks(self, inst: Instance, attr: str,
               ref_fields: Mapping[str, tuple[str, ...]]) -> list[dict[str, Any]] | Unresolved:
        value = inst.values.get(attr)
        expr = self.resolver.expression(self._planned(inst), attr)
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
        planned = self._planned(inst)
        candidates: list[str] = []
        for ref in maximal(refs):
            head = ref.split("[")[0].split(".")
            if ref.startswith(NOT_RESOURCES) and not ref.startswith("var."):
                if ref in SELECTORS:
                    continue
                return f"the blocks depend on {ref}"
            if ref.startswith("var.") and not planned.module:
                continue  # root variables are known at plan time: not this unknown
            if not ref.startswith("var.") and head[0] not in types:
                continue
            got = _keys(self.resolver.reference(planned, ref), inst.address)
            if isinstance(got, Unresolved):
                return got.reason
            candidates += [c for c in got if self.resolver.type_of(c) in types]
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


def network_from_plan(plan: Mapping[str, Any], *, tier_tag: str = TIER_TAG,
                      named_networks: Mapping[str, IPv4Network] | None = None,
                      tier_groups: Mapping[str, Sequence[str]] | None = None) -> Network:
    """The Network a saved plan will build; ids are module-relative resource addresses.

    ``tier_groups`` (tier -> security group addresses) is an explicit placement, e.g. from
    the blueprint; tiers absent from it use the groups' ``tier_tag`` tag.
    """
    if not isinstance(plan.get("planned_values"), Mapping):
        raise ReadError("plan JSON has no planned_values: is it `terraform show -json <planfile>`"
                        " output?")
    planned = planned_instances(plan)
    resolver = Resolver(plan.get("configuration") or {}, planned)
    instances = [Instance(p.address, p.type, p.values, p.address, p.address, p.module)
                 for p in planned]
    return assemble(instances, _PlanWiring(resolver), source="plan", tier_tag=tier_tag,
                    named_networks=named_networks, tier_groups=tier_groups)

"""Read a Network from a saved plan (``terraform show -json PLANFILE``).

Resource ids are unknown at plan time: a known value is used as it is, an unknown one
is resolved by the one resolver (``readers/resolver.py``): evaluated from the
configuration's HCL when its directory is given (``config_dir``), else from the plan's
references. Its symbols become Network keys here: an instance's address for its ``id``,
``<vpc>.<attr>`` for a VPC's default objects, the known value for any other attribute.
Anything else is reported with the expression and the reason, never guessed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from tierform.errors import ReadError
from tierform.network.model import FIREWALL_ENDPOINT_MARK, Network, Unresolved
from tierform.network.tags import TIER_TAG
from tierform.readers.hcl import Sources, load_sources
from tierform.readers.resolver import (
    NOT_RESOURCES,
    SELECTORS,
    PlannedInstance,
    Resolver,
    Symbol,
    Wired,
    maximal,
)
from tierform.readers.terraform_json import VPC_DEFAULT_ATTRS, Instance, assemble

__all__ = ["data_instances", "network_from_plan", "plan_resolver", "planned_instances"]


def planned_instances(plan: Mapping[str, Any], *, mode: str = "managed",
                      section: str = "planned_values") -> list[PlannedInstance]:
    """Resource instances of ``planned_values`` (managed, or ``mode="data"``: data sources
    read at plan time; ``section="prior_state"`` for those recorded there), root module
    first, depth first."""
    found: list[PlannedInstance] = []
    container = plan.get(section) or {}
    if section == "prior_state":
        container = container.get("values") or {}

    def walk(module: Mapping[str, Any], path: str) -> None:
        for resource in module.get("resources", []) or []:
            if resource.get("mode", "managed") != mode:
                continue
            prefix = "data." if mode == "data" else ""
            found.append(PlannedInstance(
                str(resource["address"]), path,
                f"{prefix}{resource['type']}.{resource['name']}",
                resource.get("index"), resource.get("values") or {}))
        for child in module.get("child_modules", []) or []:
            walk(child, str(child.get("address", "")))

    walk(container.get("root_module") or {}, "")
    return found


_ARN_IS_ID = "aws_networkfirewall_"
"""Resources whose id is their ARN (so state keys them by it): an ``.arn`` reference names
the instance, as ``.id`` does (a policy's rule groups, a firewall's policy)."""
_ELB_ARN_IS_ID = frozenset({"aws_lb", "aws_alb", "aws_lb_listener", "aws_alb_listener",
                            "aws_lb_target_group", "aws_alb_target_group"})
"""ELBv2 types whose ``id`` is their ARN: the load-balancer reader follows listeners to
LBs and target groups by ``.arn``."""


def _key(symbol: Symbol, address: str) -> str | Unresolved:
    """The Network key (or known value) a symbol stands for."""
    target, attr = symbol.instance, symbol.attribute
    if attr in (None, "id") or (attr == "arn" and (target.type.startswith(_ARN_IS_ID)
                                                   or target.type in _ELB_ARN_IS_ID)):
        return target.address
    if attr == "prefix_list_id" and target.type == "aws_vpc_endpoint":
        return target.address  # R5: that gateway endpoint's prefix list, by the endpoint
    if attr.startswith(FIREWALL_ENDPOINT_MARK) and target.type == "aws_networkfirewall_firewall":
        return f"{target.address}{attr}"  # R15: that firewall's endpoint in that AZ
    value = target.values.get(attr)
    if attr in VPC_DEFAULT_ATTRS and target.type == "aws_vpc":
        # The VPC's own default object (see terraform_json): its id when known.
        return str(value) if isinstance(value, str) and value else f"{target.address}.{attr}"
    if isinstance(value, str) and value:
        return value
    return Unresolved(address, "", f"`{symbol.reference}`: {target.address}.{attr} is known "
                      "only after apply")


class _PlanWiring:
    """The Wiring of a plan: known values first, else what the resolver says they name.

    A known value that is the id of a planned instance (a resource that exists already)
    is that instance's key, as references to it are.
    """

    def __init__(self, resolver: Resolver) -> None:
        self.resolver = resolver
        self.by_id: dict[str, str] = {}
        for inst in resolver.instances.values():
            known = inst.values.get("id")
            if isinstance(known, str) and known:
                self.by_id.setdefault(known, inst.address)

    def _planned(self, inst: Instance) -> PlannedInstance:
        return self.resolver.instances[inst.key]

    def _keys(self, wired: list[Wired], address: str, attr: str) -> list[str] | Unresolved:
        out: list[str] = []
        for item in wired:
            if isinstance(item, str):
                out.append(self.by_id.get(item, item))
                continue
            key = _key(item, address)
            if isinstance(key, Unresolved):
                return Unresolved(address, attr, key.reason)
            out.append(self.by_id.get(key, key))
        return out

    def ids(self, inst: Instance, attr: str, *, scalar: bool) -> list[str] | Unresolved:
        if attr in inst.values:
            value = inst.values[attr]
            if value is None or value == "":
                return []
            if isinstance(value, str):
                return [self.by_id.get(value, value)]
            if isinstance(value, list) and all(isinstance(v, str) for v in value):
                return [self.by_id.get(str(v), str(v)) for v in value if v]
        got = self.resolver.attribute(self._planned(inst), attr)
        if got is None:
            return []  # not configured and computed by AWS: nothing wired here
        if isinstance(got, Unresolved):
            return got
        return self._keys(got, inst.address, attr)

    def nested(self, inst: Instance, path: str) -> list[str] | Unresolved:
        """A reference inside nested blocks (``firewall_policy.0.stateful_rule_group_
        reference.1.resource_arn``), from the plan's configuration: static blocks only
        (a dynamic block's expressions are not recorded there)."""
        planned = self._planned(inst)
        expr = self.resolver.expression(planned, path)
        refs = (expr or {}).get("references") or []
        if not refs:
            return Unresolved(inst.address, path, "unknown at plan time and not a reference "
                              "in the plan's configuration (a dynamic block?)")
        got = self.resolver.resolve(planned, refs, skip_root_variables=True)
        if isinstance(got, Unresolved):
            return Unresolved(inst.address, path, got.reason)
        return self._keys(list(got), inst.address, path)

    def blocks(self, inst: Instance, attr: str,
               ref_fields: Mapping[str, tuple[str, ...]]) -> list[dict[str, Any]] | Unresolved:
        value = inst.values.get(attr)
        known = attr in inst.values and isinstance(value, list)
        if isinstance(value, list) and all(name in b for b in value for name in ref_fields):
            return [dict(b) for b in value]  # every field that matters is known
        planned = self._planned(inst)
        # With the HCL: static, dynamic and attribute blocks (the plan's configuration
        # records no dynamic block, so only the HCL tells them from "not configured").
        evaluated = self.resolver.blocks(planned, attr)
        if isinstance(evaluated, Unresolved):
            return evaluated
        if evaluated is not None:
            return self._evaluated_blocks(inst, attr, evaluated, value if known else None)
        expr = self.resolver.expression(planned, attr)
        if not known:
            if expr is None:
                # Not configured: Terraform manages no inline blocks (and removes AWS's
                # default egress from security groups it creates).
                return []
            return Unresolved(inst.address, attr, "inline blocks unknown at plan time")
        return self._fill_blocks(inst, attr, ref_fields, value, expr)

    def _evaluated_blocks(self, inst: Instance, attr: str, evaluated: list[dict[str, Any]],
                          planned: Any) -> list[dict[str, Any]] | Unresolved:
        """Blocks from the HCL, their symbols turned into keys; checked against the plan."""
        blocks: list[dict[str, Any]] = []
        for block in evaluated:
            out: dict[str, Any] = {}
            for name, field in block.items():
                if isinstance(field, Unresolved):
                    out.setdefault("__unresolved__", f"{name}: {field.reason}")
                    continue
                if isinstance(field, Symbol):
                    key = self._keys([field], inst.address, f"{attr}.{name}")
                    if isinstance(key, Unresolved):
                        out.setdefault("__unresolved__", f"{name}: {key.reason}")
                        continue
                    out[name] = key[0]
                elif isinstance(field, list):
                    keys = self._keys(field, inst.address, f"{attr}.{name}")
                    if isinstance(keys, Unresolved):
                        out.setdefault("__unresolved__", f"{name}: {keys.reason}")
                        continue
                    out[name] = keys
                else:
                    out[name] = field
            if out not in blocks:  # set-typed blocks: equal blocks are one
                blocks.append(out)
        if isinstance(planned, list) and len(planned) != len(blocks):
            return Unresolved(inst.address, attr, f"the HCL gives {len(blocks)} {attr} blocks, "
                              f"the plan {len(planned)}")
        return blocks

    def _fill_blocks(self, inst: Instance, attr: str,
                     ref_fields: Mapping[str, tuple[str, ...]], value: Any,
                     expr: Mapping[str, Any] | None) -> list[dict[str, Any]]:
        """Without HCL: fill unknown fields from the references of all the blocks."""
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
            got = self.resolver.reference(planned, ref)
            if isinstance(got, Unresolved):
                return got.reason
            keys = self._keys(list(got), inst.address, name)
            if isinstance(keys, Unresolved):
                return keys.reason
            candidates += [c for c in keys if self.resolver.type_of(c) in types]
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


def plan_resolver(plan: Mapping[str, Any], sources: Sources | None = None) -> Resolver:
    """The one resolver of a plan document, with its HCL sources when given."""
    variables = {name: (entry or {}).get("value")
                 for name, entry in (plan.get("variables") or {}).items()
                 if isinstance(entry, Mapping)}
    return Resolver(plan.get("configuration") or {}, planned_instances(plan), sources=sources,
                    variables=variables, data=data_instances(plan))


def data_instances(plan: Mapping[str, Any]) -> list[PlannedInstance]:
    """Data sources read at plan time (planned values first, then the prior state)."""
    found = {i.address: i for i in planned_instances(plan, mode="data")}
    for inst in planned_instances(plan, mode="data", section="prior_state"):
        found.setdefault(inst.address, inst)
    return list(found.values())


def network_from_plan(plan: Mapping[str, Any], *, tier_tag: str = TIER_TAG,
                      named_networks: Mapping[str, Any] | None = None,
                      tier_groups: Mapping[str, Sequence[str]] | None = None,
                      config_dir: Path | None = None,
                      sources: Sources | None = None) -> Network:
    """The Network a saved plan will build; ids are module-relative resource addresses.

    ``config_dir`` (or already loaded ``sources``) holds the configuration's HCL: the
    wiring is then evaluated from it (``readers/evaluate.py``), else read from the
    plan's references. ``tier_groups`` (tier -> security group addresses) is an
    explicit placement, e.g. from the blueprint; tiers absent from it use the groups'
    ``tier_tag`` tag.
    """
    if not isinstance(plan.get("planned_values"), Mapping):
        raise ReadError("plan JSON has no planned_values: is it `terraform show -json <planfile>`"
                        " output?")
    if sources is None and config_dir is not None:
        sources = load_sources(config_dir)
    resolver = plan_resolver(plan, sources)
    planned = list(resolver.instances.values())
    instances = [Instance(p.address, p.type, p.values, p.address, p.address, p.module)
                 for p in planned]
    return assemble(instances, _PlanWiring(resolver), source="plan", tier_tag=tier_tag,
                    named_networks=named_networks, tier_groups=tier_groups)

"""Read a Network from Terraform state JSON (``terraform show -json`` after apply).

In state every reference is already an AWS id, so the wiring is the values themselves;
the assembly is the one shared with the plan reader (``readers/terraform_json.py``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from tierform.errors import ReadError
from tierform.network.model import Network, Unresolved
from tierform.network.tags import TIER_TAG
from tierform.readers.terraform_json import Instance, assemble

__all__ = ["iter_module_resources", "network_from_state"]


def iter_module_resources(module: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    """Managed resources of a ``root_module`` and, depth first, its child modules."""
    for resource in module.get("resources", []) or []:
        if resource.get("mode", "managed") == "managed":
            yield resource
    for child in module.get("child_modules", []) or []:
        yield from iter_module_resources(child)


class _StateWiring:
    """In state every reference is already an AWS id."""

    def ids(self, inst: Instance, attr: str, *, scalar: bool) -> list[str] | Unresolved:
        value = inst.values.get(attr)
        if value is None or value == "":
            return []
        if isinstance(value, str):
            return [value]
        return [str(v) for v in value if v]

    def blocks(self, inst: Instance, attr: str,
               ref_fields: Mapping[str, tuple[str, ...]]) -> list[dict[str, Any]] | Unresolved:
        return [dict(b) for b in inst.values.get(attr) or []]


def network_from_state(state: Mapping[str, Any], *, tier_tag: str = TIER_TAG,
                       named_networks: Mapping[str, Any] | None = None,
                       tier_groups: Mapping[str, Sequence[str]] | None = None) -> Network:
    """The Network recorded in ``terraform show -json`` state; ids are AWS ids."""
    root = (state.get("values") or {}).get("root_module")
    if not isinstance(root, Mapping):
        raise ReadError("state JSON has no values.root_module: is it `terraform show -json` "
                        "output after apply?")
    instances = []
    for resource in iter_module_resources(root):
        values = resource.get("values") or {}
        aws_id = str(values.get("id") or resource["address"])
        instances.append(Instance(resource["address"], resource["type"], values, aws_id,
                                  f"{aws_id} ({resource['address']})"))
    return assemble(instances, _StateWiring(), source="state", tier_tag=tier_tag,
                    named_networks=named_networks, tier_groups=tier_groups)

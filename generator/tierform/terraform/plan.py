"""A typed, read-only view of ``terraform show -json`` of a saved plan.

Resource IDs are unknown at plan time, so wiring is read from the configuration
(``aws_route.x.route_table_id -> aws_route_table.app_a``) by the resolver the network
readers use (``tierform.readers.resolver``): evaluated from the HCL when the plan knows
its configuration directory (plans made by the plugin do), else from the expressions'
references. ``references``, ``tier_of`` and ``network()`` give the same answers. Never
guessed from values.
Unknown values are the explicit ``UNKNOWN`` sentinel.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from tierform.analyze import Reachability, analyze
from tierform.errors import ReadError
from tierform.network.model import Network, Unresolved
from tierform.network.tags import TIER_TAG, resource_tags
from tierform.readers.hcl import Sources, load_sources
from tierform.readers.plan import data_instances, network_from_plan
from tierform.readers.resolver import PlannedInstance, Resolver, parse_address

__all__ = ["UNKNOWN", "Plan", "PlannedResource", "Unknown"]

# Attributes naming the resource a tagless resource belongs to (its route table, NACL,
# security group or subnet), in the order we trust them. Peers such as
# referenced_security_group_id or nat_gateway_id are deliberately not here.
_OWNER_ATTRIBUTES = ("route_table_id", "network_acl_id", "security_group_id", "subnet_id")


class Unknown:
    """The value of an attribute Terraform will only know after apply."""

    _instance: Unknown | None = None

    def __new__(cls) -> Unknown:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNKNOWN"

    def __reduce__(self) -> str:
        return "UNKNOWN"


UNKNOWN: Final = Unknown()
"""Sentinel for "known after apply"; compare with ``is``."""


def _merge_unknown(after: Any, unknown: Any) -> Any:
    """``after`` with every place ``after_unknown`` marks true replaced by UNKNOWN."""
    if unknown is True:
        return UNKNOWN
    if isinstance(unknown, dict):
        base = after if isinstance(after, dict) else {}
        merged = dict(base)
        for key, flag in unknown.items():
            merged[key] = _merge_unknown(base.get(key), flag)
        return merged
    if isinstance(unknown, list) and isinstance(after, list):
        return [_merge_unknown(item, unknown[i] if i < len(unknown) else False)
                for i, item in enumerate(after)]
    return after


def _mismatches(expected: Any, actual: Any, path: str) -> list[str]:
    """Subset comparison: mappings by key, lists element by element with equal length."""
    if isinstance(expected, Mapping):
        if not isinstance(actual, Mapping):
            return [f"{path or '<after>'}: expected a mapping, got {actual!r}"]
        out: list[str] = []
        for key, value in expected.items():
            where = f"{path}.{key}" if path else str(key)
            if key not in actual:
                out.append(f"{where}: missing (expected {value!r})")
            else:
                out.extend(_mismatches(value, actual[key], where))
        return out
    if isinstance(expected, list | tuple) and not isinstance(expected, str):
        if not isinstance(actual, list | tuple) or len(actual) != len(expected):
            return [f"{path}: expected {list(expected)!r}, got {actual!r}"]
        out = []
        for index, (want, got) in enumerate(zip(expected, actual, strict=True)):
            out.extend(_mismatches(want, got, f"{path}[{index}]"))
        return out
    if expected is UNKNOWN or actual is UNKNOWN:
        return [] if expected is actual else [f"{path}: expected {expected!r}, got {actual!r}"]
    if expected != actual:
        return [f"{path}: expected {expected!r}, got {actual!r}"]
    return []


@dataclass(frozen=True)
class PlannedResource:
    """One managed resource in the plan: its address, planned actions and values."""

    address: str
    type: str
    name: str
    actions: tuple[str, ...]
    before: Mapping[str, Any] | None
    after: Mapping[str, Any] | None
    module: str = ""
    index: Any = None
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def tags(self) -> dict[str, str]:
        """Known planned tags, read as the network readers read them (``tags_all`` first)."""
        return resource_tags(self.after or {})

    def get(self, attribute: str, default: Any = None) -> Any:
        """A planned value by attribute name (``UNKNOWN`` when known only after apply)."""
        return (self.after or {}).get(attribute, default)

    def __getitem__(self, attribute: str) -> Any:
        return (self.after or {})[attribute]

    def mismatches(self, expected: Mapping[str, Any]) -> list[str]:
        """Where ``after`` differs from ``expected`` (subset match), one line per difference."""
        return _mismatches(expected, self.after or {}, "")

    def matches(self, expected: Mapping[str, Any]) -> bool:
        return not self.mismatches(expected)

    def assert_matches(self, expected: Mapping[str, Any]) -> None:
        """AssertionError listing every difference, for pytest's report."""
        problems = self.mismatches(expected)
        if problems:
            body = "\n".join(f"  {line}" for line in problems)
            raise AssertionError(f"{self.address} does not match:\n{body}")


def _variables(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Root variable values recorded in the plan."""
    return {name: entry.get("value") for name, entry in (raw.get("variables") or {}).items()
            if isinstance(entry, Mapping)}


def _instance(resource: PlannedResource) -> PlannedInstance:
    """The resolver's view of a planned resource (module and key from the address when a
    hand-written document leaves ``module_address``/``index`` out)."""
    module, _, index = parse_address(resource.address)
    raw = resource.raw
    return PlannedInstance(resource.address, str(raw.get("module_address", module)),
                           f"{resource.type}.{resource.name}",
                           raw.get("index", index), _known(resource.after or {}))


def _known(values: Mapping[str, Any]) -> dict[str, Any]:
    """Planned values without the UNKNOWN ones, as ``planned_values`` records them (the
    resolver reads an absent attribute as "known after apply")."""
    return {key: _known(value) if isinstance(value, Mapping) else value
            for key, value in values.items() if value is not UNKNOWN}


class Plan(Mapping[str, PlannedResource]):
    """Read-only plan: a mapping of resource address -> PlannedResource, with queries.

    ``config_dir``: the root module the plan was made from (its HCL wires the plan).
    """

    def __init__(self, raw: Mapping[str, Any], *, config_dir: Path | None = None) -> None:
        if not isinstance(raw, Mapping) or not ("resource_changes" in raw
                                                or "planned_values" in raw):
            raise ReadError("not a plan: expected the output of `terraform show -json PLANFILE`")
        self._raw = raw
        self._resources: dict[str, PlannedResource] = {}
        for change in raw.get("resource_changes") or []:
            if change.get("mode", "managed") != "managed":
                continue
            body = change.get("change") or {}
            after = body.get("after")
            unknown = body.get("after_unknown")
            if unknown is not None:
                after = _merge_unknown(after if after is not None else {}, unknown)
            resource = PlannedResource(
                address=change["address"], type=change["type"], name=change["name"],
                actions=tuple(body.get("actions") or ()), before=body.get("before"),
                after=after, module=change.get("module_address", ""),
                index=change.get("index"), raw=change,
            )
            self._resources[resource.address] = resource
        self.config_dir = Path(config_dir) if config_dir is not None else None
        self._sources: Sources | None = None
        self._resolver_made: Resolver | None = None

    def _hcl(self) -> Sources | None:
        """The configuration's HCL, read once, when first needed (None: no directory)."""
        if self._sources is None and self.config_dir is not None:
            self._sources = load_sources(self.config_dir)
        return self._sources

    @property
    def _resolver(self) -> Resolver:
        """The one resolver over this plan (made on first use: it reads the HCL)."""
        if self._resolver_made is None:
            raw = self._raw
            self._resolver_made = Resolver(
                raw.get("configuration") or {},
                (_instance(r) for r in self._resources.values()),
                sources=self._hcl(), variables=_variables(raw),
                data=data_instances(raw))
        return self._resolver_made

    @classmethod
    def from_file(cls, path: Path, *, config_dir: Path | None = None) -> Plan:
        """Read a ``terraform show -json`` document from disk."""
        try:
            return cls(json.loads(Path(path).read_text(encoding="utf-8")),
                       config_dir=config_dir)
        except (OSError, json.JSONDecodeError) as exc:
            raise ReadError(f"{path}: cannot read plan JSON: {exc}") from exc

    # -- Mapping ----------------------------------------------------------------------------

    def __getitem__(self, address: str) -> PlannedResource:
        return self.resource(address)

    def __iter__(self) -> Iterator[str]:
        return iter(self._resources)

    def __len__(self) -> int:
        return len(self._resources)

    # -- queries ----------------------------------------------------------------------------

    @property
    def raw(self) -> Mapping[str, Any]:
        return self._raw

    def resource(self, address: str) -> PlannedResource:
        """The resource at ``address``; KeyError naming the closest addresses."""
        try:
            return self._resources[address]
        except KeyError:
            close = difflib.get_close_matches(address, list(self._resources), n=5, cutoff=0.5)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            raise KeyError(f"{address!r} is not in the plan{hint}") from None

    def resources(self, type: str | None = None, *,
                  tier: str | None = None) -> list[PlannedResource]:
        """Resources of a type and/or tier, in address order."""
        found = [r for r in self._resources.values() if type is None or r.type == type]
        if tier is not None:
            found = [r for r in found if self.tier_of(r.address) == tier]
        return sorted(found, key=lambda r: r.address)

    def tier_of(self, address: str, _depth: int = 0) -> str | None:
        """The ``Tier`` tag of a resource, or of the route table/NACL/group/subnet it serves."""
        resource = self.resource(address)
        tier = resource.tags.get(TIER_TAG)
        if tier is not None or _depth > 3:
            return tier
        for attribute in _OWNER_ATTRIBUTES:
            for target in self.references(address, attribute):
                if target in self._resources:
                    owner = self.tier_of(target, _depth + 1)
                    if owner is not None:
                        return owner
        return None

    def references(self, address: str, attribute: str) -> list[str]:
        """Resource addresses an attribute's expression refers to (in this plan's address form).

        ``attribute`` may be a dotted path into nested blocks (``ingress.0.cidr_blocks``).
        A reference to a ``count``/``for_each`` resource resolves to one instance when its
        key is literal or lines up with this resource's own keys (``count.index``,
        ``each.key``), through module variables as well; root variables name no resource.
        With the configuration's HCL, locals, splats, functions and module outputs are
        evaluated too. Anything the resolver cannot follow gives ``[]``, as
        ``plan.network()`` lists it under ``unresolved``: never a guess.
        """
        inst = self._resolver.instances.get(address)
        if inst is None:
            return []
        got = self._resolver.attribute(inst, attribute, skip_root_variables=True) \
            if "." not in attribute else self._nested_references(inst, attribute)
        if got is None or isinstance(got, Unresolved):
            return []
        return list(dict.fromkeys(s.instance.address for s in got if not isinstance(s, str)))

    def _nested_references(self, inst: PlannedInstance, attribute: str
                           ) -> list[Any] | Unresolved | None:
        """A dotted path into nested blocks (``ingress.0.cidr_blocks``): the references."""
        expression = self._resolver.expression(inst, attribute)
        if expression is None:
            return None
        got = self._resolver.resolve(inst, expression.get("references", []),
                                     skip_root_variables=True)
        return got if isinstance(got, Unresolved) else list(got)

    def actions(self) -> dict[str, tuple[str, ...]]:
        return {address: r.actions for address, r in self._resources.items()}

    def only_creates(self) -> bool:
        """True when nothing is updated, replaced or destroyed."""
        return all(set(r.actions) <= {"create", "no-op", "read"} for r in self._resources.values())

    @property
    def outputs(self) -> dict[str, Any]:
        """Planned root outputs: name -> value (``UNKNOWN`` when known only after apply)."""
        result: dict[str, Any] = {}
        for name, change in (self._raw.get("output_changes") or {}).items():
            unknown = change.get("after_unknown")
            result[name] = _merge_unknown(change.get("after"), unknown) if unknown else \
                change.get("after")
        return result

    def network(self, *, tier_tag: str = TIER_TAG,
                named_networks: Mapping[str, Any] | None = None) -> Network:
        """The Network this plan builds (``tierform.readers.plan``)."""
        return network_from_plan(dict(self._raw), tier_tag=tier_tag,
                                 named_networks=dict(named_networks or {}),
                                 sources=self._hcl())

    def flows(self, *, tier_tag: str = TIER_TAG,
              named_networks: Mapping[str, Any] | None = None) -> Reachability:
        """What the planned network lets through (``tierform.analyze``)."""
        return analyze(self.network(tier_tag=tier_tag, named_networks=named_networks))

    def __repr__(self) -> str:
        return f"<Plan {len(self._resources)} resources>"

"""The one resolver of configuration wiring: which resource instances (or literal values)
an attribute's expression names.

Ids are unknown at plan time, so a plan's wiring is in its configuration. Two ways in,
one answer type (:class:`Symbol` for an instance, a string for a known value,
:class:`Unresolved` with the reason):

* With the HCL sources (``readers/hcl.py``; root module, local module paths and
  ``.terraform/modules``), :meth:`Resolver.attribute` evaluates the expression
  symbolically (``readers/evaluate.py``): module inputs and outputs, locals, variables,
  count/for_each, splats, functions, conditionals; an unknown id is a :class:`Symbol`.
  A module whose HCL does not match the plan's configuration (other resources, or an
  expression whose references differ) is not evaluated: its attributes fall back to
* the plan's ``references`` lists (``configuration.root_module[.module_calls.x.module]
  .resources[].expressions.<attr>.references``): direct references
  (``aws_subnet.a.id``), literal keys (``aws_subnet.db["a"]``), ``count.index``/
  ``each.key``/``each.value`` when both sides have the same keys, module variables that
  forward one reference. Anything else is Unresolved, never a guess.

The network plan reader (``readers/plan.py``) turns symbols into Network keys; the
typed ``Plan`` (the pytest API, ``terraform/plan.py``) into addresses for
``references``/``tier_of``. Nothing else reads an expression, so the two cannot disagree.

Limit of the references fallback: Terraform drops index expressions from
``references``: ``aws_subnet.db[count.index].id`` and
``element(aws_subnet.db[*].id, count.index % 2)`` both read
``["aws_subnet.db", "count.index"]``. Only equal key sets count as lined up, so the
second form resolves (wrongly as identity) when the counts happen to be equal; the
HCL evaluation has no such limit.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from tierform.network.model import Unresolved
from tierform.readers.evaluate import Evaluator, ResourceObject
from tierform.readers.hcl import Expr, Sources
from tierform.readers.values import EvalError, Ref, Unknown, is_list, vpc_ipv6_symbol

__all__ = [
    "NOT_RESOURCES",
    "SELECTORS",
    "Index",
    "PlannedInstance",
    "Resolver",
    "Symbol",
    "Wired",
    "maximal",
    "parse_address",
    "reference_heads",
]

Index = int | str | None
"""An instance key: ``count`` index, ``for_each`` key, or None for a single instance."""

SELECTORS = ("count.index", "each.key")
"""References that pick an instance key rather than name a value."""
NOT_RESOURCES = ("var.", "local.", "data.", "module.", "each.", "count.", "path.", "self.",
                  "terraform.")
"""Reference heads that are not resources (``var.`` is followed through module calls)."""
_RESOURCE_REF = re.compile(
    r"^(?P<resource>[a-z][a-z0-9_]*\.[A-Za-z_][A-Za-z0-9_-]*)"
    r"(?:\[(?P<index>[^\]]*)\])?(?:\.(?P<attr>[A-Za-z0-9_]+))?(?P<rest>.*)$")
_MODULE_STEP = re.compile(r"module\.([A-Za-z0-9_-]+)(\[[^\]]*\])?")
_ADDRESS = re.compile(r"^(?P<module>(?:module\.[A-Za-z0-9_-]+(?:\[[^\]]*\])?\.)*)"
                      r"(?P<resource>[^.\[]+\.[^.\[]+)(?:\[(?P<index>.*)\])?$")


@dataclass(frozen=True)
class PlannedInstance:
    """One managed resource instance as Terraform addresses it.

    ``address`` is the full address (``module.net.aws_subnet.db[0]``), ``module`` its
    module path (``module.net``; ``""`` in the root), ``resource`` the module-relative
    ``type.name`` and ``index`` its key.
    """

    address: str
    module: str
    resource: str
    index: Index
    values: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def type(self) -> str:
        return self.resource.split(".", 1)[0]


@dataclass(frozen=True)
class Symbol:
    """What a reference names: an instance and one of its attributes (None: the instance).

    ``reference`` is the text it was read from, for messages.
    """

    instance: PlannedInstance
    attribute: str | None
    reference: str


Wired = Symbol | str
"""One thing an attribute names: a resource instance (attribute), or a known value."""


def _parse_index(text: str) -> Index | Unresolved:
    text = text.strip()
    if text.isdigit():
        return int(text)
    if len(text) >= 2 and text[0] == text[-1] == '"':
        return text[1:-1]
    return Unresolved("", "", f"index [{text}] is not a literal key")


def parse_address(address: str) -> tuple[str, str, Index]:
    """``(module path, type.name, index)`` of a resource address (for documents without
    ``index``/``module_address`` fields, such as hand-written ones)."""
    match = _ADDRESS.match(address)
    if match is None:
        return "", address, None
    raw = match.group("index")
    index: Index = None
    if raw is not None:
        if raw.isdigit():
            index = int(raw)
        else:
            try:
                decoded = json.loads(raw)
            except json.JSONDecodeError:
                decoded = raw
            index = decoded if isinstance(decoded, str | int) else raw
    return match.group("module").rstrip("."), match.group("resource"), index


def maximal(refs: Sequence[str]) -> list[str]:
    """Drop the prefixes Terraform lists after each full reference."""
    return [r for r in dict.fromkeys(refs)
            if not any(o != r and o.startswith((r + ".", r + "[")) for o in refs)]


@functools.lru_cache(maxsize=4096)
def _config_path(module: str) -> str:
    """A module path without instance keys: ``module.a[0].module.b`` -> ``module.a.module.b``."""
    return ".".join(f"module.{m.group(1)}" for m in _MODULE_STEP.finditer(module))


_ONE_PART = ("count", "each", "self", "path", "terraform")


def _own_heads(heads: Iterable[str]) -> frozenset[str]:
    """An expression's heads as the plan's references name them (no ``path``)."""
    return frozenset(h for h in heads if h.split(".")[0] != "path")


def reference_heads(refs: Iterable[str]) -> frozenset[str]:
    """What a ``references`` list names, without keys and attributes: ``var.x``,
    ``local.x``, ``module.x``, ``data.t.n``, ``t.n``, ``count``, ``each``, ... (the form
    of :attr:`tierform.readers.hcl.Expr.heads`)."""
    out: set[str] = set()
    for ref in refs:
        parts = [p for p in re.split(r"\.|\[[^\]]*\]", ref) if p]
        if not parts:
            continue
        size = 1 if parts[0] in _ONE_PART else 3 if parts[0] == "data" else 2
        out.add(".".join(parts[:size]))
    return _own_heads(out)




class Resolver:
    """A plan's wiring, resolved against its resource instances: evaluated from the HCL
    ``sources`` where they are the plan's configuration, else from its references.

    Built once per document; every lookup is a dictionary access or a memoised
    evaluation (no scan per instance). ``variables`` are the root module's values from
    the plan, ``data`` the data sources it read.
    """

    def __init__(self, configuration: Mapping[str, Any],
                 instances: Iterable[PlannedInstance], *, sources: Sources | None = None,
                 variables: Mapping[str, Any] | None = None,
                 data: Iterable[PlannedInstance] = ()) -> None:
        self.modules: dict[str, Mapping[str, Any]] = {}
        self.resources: dict[tuple[str, str], Mapping[str, Any]] = {}
        self._index_module(configuration.get("root_module") or {}, "")
        self.instances: dict[str, PlannedInstance] = {}
        self._by_resource: dict[tuple[str, str], dict[Index, PlannedInstance]] = {}
        for inst in instances:
            self.instances[inst.address] = inst
            self._by_resource.setdefault((inst.module, inst.resource), {})[inst.index] = inst
        self.sources = sources
        self.evaluator: Evaluator | None = None
        self._hcl_problems: dict[str, str] = {}
        self._heads_ok: dict[tuple[str, str, str], bool] = {}
        self._answers: dict[tuple[str, str, bool], list[Wired] | Unresolved | None] = {}
        self._key_sets: dict[tuple[str, str, str, str], bool] = {}
        self._expressions: dict[tuple[str, str, str], Expr | str | None] = {}
        if sources is not None:
            self._check_sources(sources)
            if "" not in self._hcl_problems:
                keyed: dict[tuple[str, str], dict[Index, Any]] = dict(self._by_resource)
                for inst in data:
                    keyed.setdefault((inst.module, inst.resource), {})[inst.index] = inst
                self.evaluator = Evaluator(sources, keyed, variables or {},
                                           unusable=self._hcl_problems)

    def _check_sources(self, sources: Sources) -> None:
        """Which modules' HCL matches the plan's configuration (else: why not)."""
        for path, module in self.modules.items():
            config = sources.module(path)
            if config is None:
                self._hcl_problems[path] = sources.missing.get(
                    path, f"no HCL sources for {path or 'the root module'} under "
                          f"{sources.root}")
                continue
            if config.problem:
                self._hcl_problems[path] = config.problem
                continue
            planned = {str(r.get("address")) for r in module.get("resources", []) or []}
            written = set(config.resources)
            calls_planned = set(module.get("module_calls") or {})
            if planned != written or calls_planned != set(config.calls):
                only_plan = sorted((planned - written) | {
                    f"module.{c}" for c in calls_planned - set(config.calls)})
                only_hcl = sorted((written - planned) | {
                    f"module.{c}" for c in set(config.calls) - calls_planned})
                self._hcl_problems[path] = (
                    f"the HCL in {config.directory} is not the configuration of this plan"
                    f" (only in the plan: {', '.join(only_plan[:3]) or '-'}; only in the "
                    f"HCL: {', '.join(only_hcl[:3]) or '-'})")
                continue
            for blocked, differs in self._differing_interface(path, module, config):
                self._hcl_problems.setdefault(blocked, (
                    f"the HCL in {config.directory} is not the configuration of this plan "
                    f"({differs}: not the plan's)"))

    @staticmethod
    def _differing_interface(path: str, module: Mapping[str, Any], config: Any
                             ) -> Iterator[tuple[str, str]]:
        """Module outputs and call inputs whose references differ from the plan's: the
        module path they make unusable (the output's module, the input's callee), why."""
        for name, output in (module.get("outputs") or {}).items():
            written = config.outputs.get(name)
            planned = (output or {}).get("expression") or {}
            if written is None or reference_heads(planned.get("references", [])) != \
                    _own_heads(written.heads):
                yield path, f"output {name}"
        for name, call in (module.get("module_calls") or {}).items():
            child = f"{path}.module.{name}" if path else f"module.{name}"
            written_call = config.calls.get(name)
            inputs = (call or {}).get("expressions") or {}
            if written_call is None or set(inputs) != set(written_call.inputs):
                yield child, f"the input names of module {name}"
                continue
            for key, planned in inputs.items():
                if reference_heads((planned or {}).get("references", [])) != \
                        _own_heads(written_call.inputs[key].heads):
                    yield child, f"input {key} of module {name}"
                    break

    def _index_module(self, module: Mapping[str, Any], path: str) -> None:
        self.modules[path] = module
        for resource in module.get("resources", []) or []:
            self.resources[(path, str(resource.get("address")))] = resource
        for name, call in (module.get("module_calls") or {}).items():
            child = f"{path}.module.{name}" if path else f"module.{name}"
            self._index_module((call or {}).get("module") or {}, child)

    # -------------------------------------------------------- configuration
    def config(self, inst: PlannedInstance) -> Mapping[str, Any]:
        """The configuration block of an instance's resource ({} when absent)."""
        return self.resources.get((_config_path(inst.module), inst.resource)) or {}

    def expression(self, inst: PlannedInstance, attribute: str) -> Mapping[str, Any] | None:
        """The configured expression of an attribute, or None when it is not configured.

        ``attribute`` may be a dotted path into nested blocks (``ingress.0.cidr_blocks``);
        a block attribute (``ingress``) gives the references of all its blocks.
        """
        node: Any = self.config(inst).get("expressions") or {}
        for part in attribute.split("."):
            if isinstance(node, list):
                node = node[int(part)] if part.isdigit() and int(part) < len(node) else None
            elif isinstance(node, Mapping):
                node = node.get(part)
            else:
                node = None
            if node is None:
                return None
        if isinstance(node, list):  # blocks: the references of their expressions
            refs = [r for block in node if isinstance(block, Mapping)
                    for e in block.values() if isinstance(e, Mapping)
                    for r in e.get("references", [])]
            return {"references": refs}
        return node if isinstance(node, Mapping) else None

    def _module_call(self, path: str) -> tuple[str, Mapping[str, Any]]:
        """(parent path, call block) of the module at ``path``."""
        steps = list(_MODULE_STEP.finditer(path))
        parent = path[:steps[-1].start()].rstrip(".")
        calls = (self.modules.get(_config_path(parent)) or {}).get("module_calls") or {}
        return parent, calls.get(steps[-1].group(1)) or {}

    # --------------------------------------------------------------- evaluation
    def hcl_problem(self, inst: PlannedInstance) -> str:
        """Why the HCL cannot be used for this instance ("" when it can)."""
        if self.evaluator is None:
            if self.sources is None:
                return "no HCL sources given"
            return self._hcl_problems.get("", "the root module's HCL is not usable")
        return self._hcl_problems.get(_config_path(inst.module), "")

    def why_not_evaluated(self, inst: PlannedInstance, attribute: str) -> str:
        """"" when the attribute is evaluated from the HCL, else why it is read from the
        plan's references instead."""
        got = self._hcl_expression(inst, attribute)
        return got if isinstance(got, str) else ""

    def _hcl_expression(self, inst: PlannedInstance, attribute: str) -> Expr | str | None:
        """The HCL expression of an attribute; None: not configured; str: why not usable.

        The same for every instance of a resource in every instance of its module: once.
        """
        key = (inst.module, inst.resource, attribute)
        if key in self._expressions:
            return self._expressions[key]
        found = self._find_expression(inst, attribute)
        self._expressions[key] = found
        return found

    def _find_expression(self, inst: PlannedInstance, attribute: str) -> Expr | str | None:
        problem = self.hcl_problem(inst)
        if problem:
            return problem
        assert self.evaluator is not None
        config = self.evaluator.resource_config(inst)
        if config is None:
            return f"{inst.resource} is not in the HCL of {inst.module or 'the root module'}"
        expr = config.body.attributes.get(attribute)
        key = (_config_path(inst.module), inst.resource, attribute)
        if key not in self._heads_ok:
            planned = self.expression(inst, attribute)
            if expr is None or planned is None:
                self._heads_ok[key] = expr is None and planned is None
            else:
                self._heads_ok[key] = _own_heads(expr.heads) == reference_heads(
                    planned.get("references", []))
        if not self._heads_ok[key]:
            return (f"the HCL of {inst.resource}.{attribute} is not the expression this plan "
                    "was made from (its references differ)")
        return expr

    def attribute(self, inst: PlannedInstance, attribute: str, *,
                  skip_root_variables: bool = False) -> list[Wired] | Unresolved | None:
        """What an attribute names (None: it is not configured).

        Evaluated from the HCL when the instance's module has usable sources, else from
        the plan's references (``skip_root_variables`` as in :meth:`resolve`).
        """
        memo_key = (inst.address, attribute, skip_root_variables)
        if memo_key in self._answers:
            return self._answers[memo_key]
        answer = self._attribute(inst, attribute, skip_root_variables)
        self._answers[memo_key] = answer
        return answer

    def _attribute(self, inst: PlannedInstance, attribute: str, skip_root_variables: bool
                   ) -> list[Wired] | Unresolved | None:
        expr = self._hcl_expression(inst, attribute)
        if isinstance(expr, Expr):
            assert self.evaluator is not None
            try:
                value = self.evaluator.attribute(inst, attribute)
            except EvalError as exc:
                return Unresolved(inst.address, attribute,
                                  f"`{expr.text}` cannot be evaluated: {exc}")
            except Exception as exc:  # a construct the evaluator mishandles: unknown, not wrong
                return Unresolved(inst.address, attribute, f"`{expr.text}`: the evaluator "
                                  f"failed ({type(exc).__name__}: {exc})")
            return self._wired(value, inst, attribute, expr.text)
        if expr is None:
            return None
        planned = self.expression(inst, attribute)
        if planned is None:
            return None
        refs = planned.get("references")
        if not refs:
            return Unresolved(inst.address, attribute,
                              "unknown at plan time and not a reference")
        got = self.resolve(inst, refs, skip_root_variables=skip_root_variables)
        if isinstance(got, Unresolved):
            return Unresolved(inst.address, attribute, self._fallback_reason(expr, got.reason))
        return list(got)

    @staticmethod
    def _fallback_reason(problem: str, reason: str) -> str:
        if problem == "no HCL sources given":
            return reason
        return f"{reason} (read from the plan's references: {problem})"

    def _wired(self, value: Any, inst: PlannedInstance, attribute: str,
               text: str | None) -> list[Wired] | Unresolved:
        """An evaluated value as symbols and known strings (nested lists flattened).

        ``text`` is the expression, named in every reason (None: the reasons name it).
        """
        symbol = vpc_ipv6_symbol(value)
        if symbol is not None:  # a VPC's Amazon-provided IPv6 block: a symbolic prefix
            return [symbol]
        if isinstance(value, Ref):  # the usual answer: one id
            return [Symbol(value.instance, value.attribute,  # type: ignore[arg-type]
                           text if text is not None else attribute)]
        out: list[Wired] = []
        shown = f"`{text}`" if text is not None else f"{attribute}"
        reference = text if text is not None else attribute

        def add(item: Any) -> Unresolved | None:
            if item is None:
                return None
            if (symbol := vpc_ipv6_symbol(item)) is not None:
                out.append(symbol)
            elif isinstance(item, Ref):
                out.append(Symbol(item.instance, item.attribute, reference))  # type: ignore[arg-type]
            elif isinstance(item, Unknown):
                return Unresolved(inst.address, attribute, item.reason if text is None
                                  else f"{shown}: {item.reason}")
            elif isinstance(item, bool):
                out.append("true" if item else "false")
            elif isinstance(item, str | int | float):
                out.append(str(item))
            elif is_list(item):
                for element in item:
                    problem = add(element)
                    if problem is not None:
                        return problem
            elif isinstance(item, ResourceObject):
                return Unresolved(inst.address, attribute,
                                  f"{shown} is the whole resource {item.instance.address}, "
                                  "not one of its attributes")
            else:
                return Unresolved(inst.address, attribute,
                                  f"{shown} is a {type(item).__name__}, not an id or a list")
            return None

        problem = add(value)
        return problem if problem is not None else out

    def blocks(self, inst: PlannedInstance, attribute: str
               ) -> list[dict[str, Any]] | Unresolved | None:
        """Nested blocks evaluated from the HCL (None: no usable HCL; use the plan's).

        Each field is a known value, a :class:`Symbol`, a list of them, or an
        :class:`Unresolved` naming the field's expression and why.
        """
        if self.hcl_problem(inst):
            return None
        assert self.evaluator is not None
        config = self.evaluator.resource_config(inst)
        if config is None:
            return None
        try:
            got = self.evaluator.blocks(inst, attribute)
        except EvalError as exc:
            return Unresolved(inst.address, attribute, f"the {attribute} blocks cannot be "
                              f"evaluated: {exc}")
        except Exception as exc:  # a construct the evaluator mishandles: unknown, not wrong
            return Unresolved(inst.address, attribute, f"the {attribute} blocks: the "
                              f"evaluator failed ({type(exc).__name__}: {exc})")
        if isinstance(got, Unknown):
            return Unresolved(inst.address, attribute, f"{attribute} blocks: {got.reason}")
        out: list[dict[str, Any]] = []
        for block in got:
            fields: dict[str, Any] = {}
            for name, value in block.items():
                wired = self._wired(value, inst, f"{attribute}.{name}", None)
                if isinstance(wired, Unresolved) or is_list(value):
                    fields[name] = wired
                elif isinstance(value, Ref):
                    fields[name] = wired[0]
                else:
                    fields[name] = value
            out.append(fields)
        return out

    # ------------------------------------------------------------ resolving
    def resolve(self, inst: PlannedInstance, refs: Sequence[str], *,
                skip_root_variables: bool = False) -> list[Symbol] | Unresolved:
        """Everything a reference list names, in the context of ``inst``.

        ``skip_root_variables``: root variables are known at plan time and name no
        resource; asking "which resources", they add nothing (else they are unresolved).
        """
        return self._resolve(inst.module, refs, inst, skip_root_variables)

    def reference(self, inst: PlannedInstance, ref: str) -> list[Symbol] | Unresolved:
        """One reference on its own (no ``count.index``/``each.key`` beside it)."""
        return self._traverse(inst.module, ref, inst, (), False)

    def type_of(self, address: str) -> str:
        """Resource type of a known instance ("" for anything else, e.g. a literal)."""
        inst = self.instances.get(address)
        return inst.type if inst else ""

    def _resolve(self, path: str, refs: Sequence[str], inst: PlannedInstance | None,
                 skip_root: bool) -> list[Symbol] | Unresolved:
        full = maximal(refs)
        selectors = [r for r in full if r in SELECTORS]
        out: list[Symbol] = []
        for ref in full:
            if ref in SELECTORS:
                continue
            got = self._traverse(path, ref, inst, selectors, skip_root)
            if isinstance(got, Unresolved):
                return got
            out += got
        return out

    def _traverse(self, path: str, ref: str, inst: PlannedInstance | None,
                  selectors: Sequence[str], skip_root: bool) -> list[Symbol] | Unresolved:
        address = inst.address if inst else ""
        if ref.startswith("each.value"):
            # for_each over a resource: each.value is that resource's instance of the same key.
            if inst is None:
                return Unresolved(address, "", f"cannot follow {ref}")
            source = maximal((self.config(inst).get("for_each_expression") or {})
                              .get("references", []))
            if len(source) != 1 or source[0].startswith(NOT_RESOURCES) or "[" in source[0]:
                return Unresolved(address, "", f"{ref}: for_each is not one resource")
            got = self._resource(path, source[0] + ref[len("each.value"):], inst, ["each.key"])
            return got if isinstance(got, Unresolved) else [got]
        if ref.startswith("var."):
            if path:
                return self._variable(path, ref, address, skip_root)
            if skip_root:
                return []
        if ref.startswith(NOT_RESOURCES):
            return Unresolved(address, "", f"depends on {ref}")
        got = self._resource(path, ref, inst, selectors)
        return got if isinstance(got, Unresolved) else [got]

    def _resource(self, path: str, ref: str, inst: PlannedInstance | None,
                  selectors: Sequence[str]) -> Symbol | Unresolved:
        """One resource traversal -> the instance (and attribute) it names."""
        match = _RESOURCE_REF.match(ref)
        address = inst.address if inst else ""
        if match is None or match.group("rest"):
            return Unresolved(address, "", f"cannot follow {ref}")
        resource = match.group("resource")
        targets = self._by_resource.get((path, resource))
        if not targets:
            return Unresolved(address, "", f"{ref}: no such resource in the plan")
        index: Index
        if match.group("index") is not None:
            parsed = _parse_index(match.group("index"))
            if isinstance(parsed, Unresolved):
                return Unresolved(address, "", f"{ref}: {parsed.reason}")
            index = parsed
        elif len(targets) == 1 and None in targets:
            index = None
        elif selectors and inst is not None:
            if not self._lined_up(path, resource, inst.module, inst.resource):
                return Unresolved(address, "", f"{resource}[{selectors[0]}]: "
                                  "keys of the two resources do not line up")
            index = inst.index
        else:
            return Unresolved(address, "", f"refers to every instance of {resource} "
                              "(splat or function): cannot tell which")
        target = targets.get(index)
        if target is None:
            return Unresolved(address, "", f"{ref}: no instance with key {index!r}")
        return Symbol(target, match.group("attr"), ref)

    def _lined_up(self, path: str, resource: str, own_path: str, own: str) -> bool:
        """Whether two resources have the same instance keys (compared once per pair:
        lookups stay linear in the plan's size)."""
        key = (path, resource, own_path, own)
        found = self._key_sets.get(key)
        if found is None:
            found = set(self._by_resource.get((path, resource), {})) == set(
                self._by_resource.get((own_path, own), {}))
            self._key_sets[key] = found
        return found

    def _variable(self, path: str, ref: str, address: str,
                  skip_root: bool) -> list[Symbol] | Unresolved:
        """A child module's ``var.x``: follow the references the caller passes in."""
        name = ref[len("var."):]
        parent, call = self._module_call(path)
        if "." in name or "[" in name or call.get("count_expression") \
                or call.get("for_each_expression"):
            return Unresolved(address, "", f"cannot follow {ref} through module {path}")
        refs = ((call.get("expressions") or {}).get(name) or {}).get("references")
        if not refs:
            return Unresolved(address, "", f"{ref} is not a reference in the module call")
        return self._resolve(parent, refs, None, skip_root)

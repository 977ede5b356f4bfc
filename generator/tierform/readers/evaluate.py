"""Symbolic evaluation of a configuration's expressions against its plan.

Terraform resolves ``subnet_id = element(aws_subnet.public[*].id, count.index)`` to
an id that exists only after apply; which subnet it is, though, is decided at plan time
by the configuration (``readers/hcl.py``) and the plan's resource instances. Evaluating
the expression with every id left as a :class:`~tierform.readers.values.Ref` (the
instance and attribute it will be) answers exactly that.

Evaluated the way Terraform evaluates them: module call inputs and outputs, locals,
variables (the plan's values, else defaults, converted to their declared type with
``optional`` defaults), ``count``/``for_each`` with ``count.index``/``each.key``/
``each.value``, splats, index expressions, conditionals, ``for`` expressions, templates
and the functions of ``readers/values.py``. A configured argument of another resource
is followed to its own expression (an association's ``vpc_id`` is its VPC's id).
Whatever is not modelled is an :class:`~tierform.readers.values.Unknown` with the reason.

Cost: every module instance evaluates a local, variable, output, resource collection
or instance-independent splat/call/``for`` once (memoised), so reading is linear in the
plan's size.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from tierform.network.model import FIREWALL_ENDPOINT_MARK
from tierform.readers.hcl import (
    Binary,
    Block,
    BlockBody,
    Call,
    Cond,
    Expr,
    ForExpr,
    GetAttr,
    Index,
    Lit,
    ModuleCall,
    ModuleConfig,
    Name,
    Object,
    Resource,
    Sources,
    Splat,
    Template,
    Tuple,
    Unary,
    Unsupported,
)
from tierform.readers.values import (
    FUNCTIONS,
    EvalError,
    InstanceLike,
    NotModelled,
    ObjectValue,
    Ref,
    TfSet,
    Unknown,
    is_list,
    is_unknown,
    to_bool,
    to_number,
    to_string,
    unknown_in,
)

__all__ = ["Evaluator", "ModuleObject", "ResourceObject"]

Key = int | str | None
_NOT_RESOURCE_ROOTS = frozenset({"var", "local", "module", "data", "path", "count", "each",
                                 "self", "terraform"})
_STEP = re.compile(r'module\.([A-Za-z0-9_-]+)(?:\[(\d+|"(?:[^"\\]|\\.)*")\])?')


@functools.lru_cache(maxsize=4096)
def _config_path(path: str) -> str:
    return ".".join(f"module.{m.group(1)}" for m in _STEP.finditer(path))


def _parse_module_path(path: str) -> list[tuple[str, Key]]:
    steps: list[tuple[str, Key]] = []
    for match in _STEP.finditer(path):
        raw = match.group(2)
        key: Key = None
        if raw is not None:
            key = int(raw) if raw.isdigit() else raw[1:-1].replace('\\"', '"')
        steps.append((match.group(1), key))
    return steps


def _module_address(parent: str, name: str, key: Key) -> str:
    base = f"{parent}.module.{name}" if parent else f"module.{name}"
    if key is None:
        return base
    return f"{base}[{key}]" if isinstance(key, int) else f'{base}["{key}"]'


@dataclass(eq=False)
class ModuleInstance:
    """One instance of a module (``module.sg["web"]``) and its memoised values."""

    path: str
    config: ModuleConfig
    parent: ModuleInstance | None = None
    call: ModuleCall | None = None
    key: Key = None
    variables: dict[str, Any] = field(default_factory=dict)
    locals: dict[str, Any] = field(default_factory=dict)
    outputs: dict[str, Any] = field(default_factory=dict)
    memo: dict[int, tuple[bool, Any]] = field(default_factory=dict)
    collections: dict[str, Any] = field(default_factory=dict)
    busy: set[str] = field(default_factory=set)


class Scope:
    """Where an expression is evaluated: a module instance and the bound names
    (``count``, ``each``, ``self``, ``for`` and ``dynamic`` iterators)."""

    __slots__ = ("bound", "module", "names")

    def __init__(self, module: ModuleInstance, names: Mapping[str, Any] | None = None) -> None:
        self.module = module
        self.names: Mapping[str, Any] = names or {}
        self.bound = frozenset(self.names)

    def bind(self, **names: Any) -> Scope:
        merged = dict(self.names)
        merged.update(names)
        return Scope(self.module, merged)


@dataclass(frozen=True, eq=False)
class ResourceObject(ObjectValue):
    """A resource instance as a value: ``aws_subnet.a[0]``; its attributes on access."""

    instance: InstanceLike
    data: bool = False


@dataclass(frozen=True, eq=False)
class ModuleObject(ObjectValue):
    """A module instance as a value: ``module.vpc``; its outputs on access."""

    module: ModuleInstance


@dataclass(frozen=True, eq=False)
class _Namespace:
    """``var``, ``local``, ``module``, ``data``, ``data.<type>`` or a resource type."""

    kind: str
    scope: Scope
    name: str = ""


_FIREWALL = "aws_networkfirewall_firewall."


class Evaluator:
    """Evaluates expressions of one configuration against one plan's instances.

    ``instances`` maps (module instance path, ``type.name`` or ``data.type.name``) to the
    planned instances by key; ``variables`` are the root module's values from the plan.
    """

    def __init__(self, sources: Sources,
                 instances: Mapping[tuple[str, str], Mapping[Key, InstanceLike]],
                 variables: Mapping[str, Any], *,
                 unusable: Mapping[str, str] | None = None) -> None:
        self.sources = sources
        self.unusable = unusable or {}  # module paths (no keys) not to evaluate, and why
        self.instances = instances
        self.root_variables = variables
        root = sources.module("")
        if root is None:
            raise ValueError("the sources hold no root module")
        self._modules: dict[str, ModuleInstance | Unknown] = {"": ModuleInstance("", root)}
        self._attributes: dict[tuple[str, str], Any] = {}
        self._scopes: dict[str, Scope | Unknown] = {}
        self._busy: set[tuple[str, str]] = set()
        self._types: dict[int, Any] = {}
        self._dispatch: dict[type, Callable[[Any, Scope], Any]] = {
            Lit: self._lit, Template: self._template, Name: self._name,
            GetAttr: self._get_attr_expr, Index: self._index_expr, Splat: self._splat,
            Call: self._call, Tuple: self._tuple, Object: self._object, Cond: self._cond,
            Binary: self._binary, Unary: self._unary, ForExpr: self._for,
            Unsupported: self._unsupported,
        }

    # ------------------------------------------------------------- entry points
    def module(self, path: str) -> ModuleInstance | Unknown:
        """The module instance at ``path`` (``module.a[0].module.b``)."""
        found = self._modules.get(path)
        if found is not None:
            return found
        steps = _parse_module_path(path)
        parent_path = ""
        current = self._modules[""]
        assert isinstance(current, ModuleInstance)
        for name, key in steps:
            address = _module_address(parent_path, name, key)
            cached = self._modules.get(address)
            if cached is None:
                cached = self._new_module(current, name, key, address)
                self._modules[address] = cached
            if isinstance(cached, Unknown):
                return cached
            current, parent_path = cached, address
        return current

    def _new_module(self, parent: ModuleInstance, name: str, key: Key,
                    address: str) -> ModuleInstance | Unknown:
        call = parent.config.calls.get(name)
        if call is None:
            return Unknown(f"{address}: no module block {name!r} in {parent.config.directory}")
        config = self.sources.module(_config_path(address))
        if config is None:
            return Unknown(self.sources.missing.get(_config_path(address),
                                                    f"{address}: module source not read"))
        if config.problem:
            return Unknown(config.problem)
        if _config_path(address) in self.unusable:
            return Unknown(self.unusable[_config_path(address)])
        return ModuleInstance(address, config, parent, call, key)

    def resource_config(self, inst: InstanceLike) -> Resource | None:
        module = self.module(inst.module)
        if isinstance(module, Unknown):
            return None
        return module.config.resources.get(inst.resource)

    def instance_scope(self, inst: InstanceLike) -> Scope | Unknown:
        """The scope of a resource instance: its module, ``count.index`` or ``each``."""
        found = self._scopes.get(inst.address)
        if found is None:
            found = self._instance_scope(inst)
            self._scopes[inst.address] = found
        return found

    def _instance_scope(self, inst: InstanceLike) -> Scope | Unknown:
        module = self.module(inst.module)
        if isinstance(module, Unknown):
            return module
        config = module.config.resources.get(inst.resource)
        key = getattr(inst, "index", None)
        scope = Scope(module)
        if config is None or key is None:
            return scope
        if config.count is not None or (config.for_each is None and isinstance(key, int)):
            return scope.bind(count={"index": key})
        each_value = self._for_each_value(scope, config.for_each, str(key), inst.resource)
        return scope.bind(each={"key": key, "value": each_value})

    def _for_each_value(self, scope: Scope, expr: Expr | None, key: str, what: str) -> Any:
        if expr is None:
            return Unknown(f"{what}: no for_each")
        collection = self._eval_memo_free(expr, scope, f"for_each:{what}")
        if is_unknown(collection):
            return collection if isinstance(collection, Unknown) else \
                Unknown(f"the for_each of {what} is known only after apply")
        if isinstance(collection, dict):
            if key not in collection:
                return Unknown(f"the for_each of {what} has no key {key!r}")
            return collection[key]
        if isinstance(collection, TfSet):
            return key
        return Unknown(f"the for_each of {what} is neither a map nor a set")

    def _eval_memo_free(self, expr: Expr, scope: Scope, name: str) -> Any:
        """A module-level expression, once per module instance (errors become Unknown)."""
        memo_key = f"\0{name}"
        if memo_key in scope.module.collections:
            return scope.module.collections[memo_key]
        try:
            value = self.eval(expr, scope)
        except (EvalError, NotModelled) as exc:
            value = Unknown(f"`{expr.text}` fails: {exc}")
        scope.module.collections[memo_key] = value
        return value

    def attribute(self, inst: InstanceLike, name: str) -> Any:
        """The configured value of an instance's argument (EvalError as Terraform's)."""
        cache_key = (inst.address, name)
        found = self._attributes.get(cache_key)
        if found is not None:
            if found[0]:
                return found[1]
            raise found[1]
        scope = self.instance_scope(inst)
        if isinstance(scope, Unknown):
            return scope
        config = scope.module.config.resources.get(inst.resource)
        expr = config.body.attributes.get(name) if config is not None else None
        if expr is None:
            return None
        if cache_key in self._busy:
            return Unknown(f"{inst.address}.{name} depends on itself")
        self._busy.add(cache_key)
        try:
            value = self.eval(expr, scope)
        except EvalError as exc:
            self._attributes[cache_key] = (False, exc)
            raise
        except NotModelled as exc:
            value = Unknown(f"`{expr.text}`: {exc}")
        finally:
            self._busy.discard(cache_key)
        self._attributes[cache_key] = (True, value)
        return value

    def blocks(self, inst: InstanceLike, kind: str) -> list[dict[str, Any]] | Unknown:
        """The nested blocks ``kind`` of an instance (static and ``dynamic``), in order."""
        config = self.resource_config(inst)
        scope = self.instance_scope(inst)
        if isinstance(scope, Unknown):
            return scope
        if config is None:
            return Unknown(f"{inst.resource} is not in the configuration")
        if kind in config.body.attributes:  # attribute-as-blocks: route = [...]
            value = self.attribute(inst, kind)
            if is_unknown(value):
                return value if isinstance(value, Unknown) else Unknown(
                    f"{kind} is known only after apply")
            if value is None:
                return []
            if not is_list(value) or not all(isinstance(v, dict) for v in value):
                raise EvalError(f"{kind} must be a list of objects")
            return [dict(v) for v in value]
        return self._blocks(config.body, kind, scope)

    def _blocks(self, body: BlockBody, kind: str, scope: Scope) -> list[dict[str, Any]] | Unknown:
        out: list[dict[str, Any]] = []
        for block in body.blocks_of(kind):
            if isinstance(block, Block):
                out.append(self._block_values(block.body, scope))
                continue
            collection = self.eval(block.for_each, scope)
            if is_unknown(collection):
                return collection if isinstance(collection, Unknown) else Unknown(
                    f"the for_each of dynamic {kind} is known only after apply")
            for key, value in self._pairs(collection, f"dynamic {kind}"):
                inner = scope.bind(**{block.iterator: {"key": key, "value": value}})
                out.append(self._block_values(block.content, inner))
        return out

    def _block_values(self, body: BlockBody, scope: Scope) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for name, expr in body.attributes.items():
            try:
                value = self.eval(expr, scope)
            except (EvalError, NotModelled) as exc:
                value = Unknown(f"`{expr.text}` fails: {exc}")
            else:
                unknown = unknown_in(value)
                if isinstance(unknown, Unknown):  # the field is unresolved: say where
                    value = Unknown(f"`{expr.text}`: {unknown.reason}")
            values[name] = value
        return values

    # ---------------------------------------------------------------- evaluation
    def eval(self, expr: Expr, scope: Scope) -> Any:
        """The value of ``expr`` in ``scope``; EvalError where Terraform would fail."""
        if expr.memo and expr.free.isdisjoint(scope.bound):
            memo = scope.module.memo
            found = memo.get(id(expr))
            if found is None:
                try:
                    found = (True, self._dispatch[type(expr)](expr, scope))
                except EvalError as exc:
                    found = (False, exc)
                memo[id(expr)] = found
            if found[0]:
                return found[1]
            raise found[1]
        return self._dispatch[type(expr)](expr, scope)

    def _lit(self, expr: Lit, scope: Scope) -> Any:
        return expr.value

    def _unsupported(self, expr: Unsupported, scope: Scope) -> Any:
        return Unknown(f"`{expr.text}`: {expr.reason}")

    def _template(self, expr: Template, scope: Scope) -> Any:
        if len(expr.parts) == 1 and isinstance(expr.parts[0], Expr):
            return self.eval(expr.parts[0], scope)
        out: list[str] = []
        for part in expr.parts:
            if isinstance(part, str):
                out.append(part)
                continue
            value = self.eval(part, scope)
            if isinstance(value, Unknown):
                return value
            if isinstance(value, Ref):
                return Unknown(f"`{expr.text}` interpolates {value}, known only after apply")
            out.append(to_string(value))
        return "".join(out)

    def _name(self, expr: Name, scope: Scope) -> Any:
        name = expr.name
        if name in scope.names:
            return scope.names[name]
        if name in ("var", "local", "module", "data"):
            return _Namespace(name, scope)
        if name == "path":
            module_dir = str(scope.module.config.directory)
            return {"module": module_dir, "root": str(self.sources.root),
                    "cwd": str(self.sources.root)}
        if name in ("count", "each", "self", "terraform"):
            return Unknown(f"`{name}` is not available here")
        return _Namespace("resource", scope, name)

    def _get_attr_expr(self, expr: GetAttr, scope: Scope) -> Any:
        base = expr.obj
        if type(base) is Name and base.name not in scope.bound:  # var.x, local.x, type.name
            root = base.name
            if root == "local":
                return self._local(scope.module, expr.name)
            if root == "var":
                return self._variable(scope.module, expr.name)
            if root not in _NOT_RESOURCE_ROOTS:
                return self._collection(scope.module, f"{root}.{expr.name}")
        return self.get_attr(self.eval(base, scope), expr.name)

    def get_attr(self, obj: Any, name: str) -> Any:
        if isinstance(obj, _Namespace):
            return self._namespace_attr(obj, name)
        if isinstance(obj, ResourceObject):
            return self._resource_attr(obj, name)
        if isinstance(obj, ModuleObject):
            return self._output(obj.module, name)
        if isinstance(obj, Unknown):
            return obj
        if isinstance(obj, Ref):
            return Unknown(f"{obj}.{name}: {obj} is known only after apply")
        if isinstance(obj, dict):
            if name not in obj:
                raise EvalError(f"the object has no attribute {name!r}")
            return obj[name]
        if obj is None:
            raise EvalError(f"attempt to get attribute {name!r} from a null value")
        raise EvalError(f"cannot get attribute {name!r} of a {type(obj).__name__}")

    def _index_expr(self, expr: Index, scope: Scope) -> Any:
        return self.index(self.eval(expr.obj, scope), self.eval(expr.key, scope))

    def index(self, obj: Any, key: Any) -> Any:
        if isinstance(obj, Unknown):
            return obj
        if isinstance(key, Unknown):
            return key
        if isinstance(key, Ref):
            return Unknown(f"index {key} is known only after apply")
        if isinstance(obj, Ref):
            return Unknown(f"{obj}[...]: {obj} is known only after apply")
        if isinstance(obj, _Namespace | ResourceObject | ModuleObject):
            if isinstance(key, str):
                return self.get_attr(obj, key)
            raise EvalError("cannot index this object with a number")
        if isinstance(obj, TfSet):
            raise EvalError("elements of a set cannot be accessed by index")
        if is_list(obj):
            position = to_number(key)
            if not isinstance(position, int) and not float(position).is_integer():
                raise EvalError(f"index {key!r} is not a whole number")
            position = int(position)
            if not 0 <= position < len(obj):
                raise EvalError(f"index {position} out of range for {len(obj)} elements")
            return obj[position]
        if isinstance(obj, dict):
            name = to_string(key)
            if name not in obj:
                raise EvalError(f"the map has no element {name!r}")
            return obj[name]
        if obj is None:
            raise EvalError("attempt to index a null value")
        raise EvalError(f"cannot index a {type(obj).__name__}")

    def _splat(self, expr: Splat, scope: Scope) -> Any:
        base = self.eval(expr.obj, scope)
        if isinstance(base, Unknown):
            return base
        if base is None:
            return ()
        items: Sequence[Any] = base if is_list(base) else (base,)
        out = []
        for item in items:
            for kind, arg in expr.ops:
                item = self.get_attr(item, arg) if kind == "attr" \
                    else self.index(item, self.eval(arg, scope))
            out.append(item)
        return tuple(out)

    def _call(self, expr: Call, scope: Scope) -> Any:
        name = expr.name
        if name in ("try", "can"):
            return self._try(expr, scope)
        function = FUNCTIONS.get(name)
        if function is None:
            return Unknown(f"`{expr.text}`: function {name}() is not evaluated")
        args = [self.eval(a, scope) for a in expr.args]
        if expr.expand:
            if not args:
                raise EvalError(f"{name}: nothing to expand")
            last = args.pop()
            if is_unknown(last):
                return last if isinstance(last, Unknown) else Unknown(
                    f"`{expr.text}`: the expanded argument is known only after apply")
            if not is_list(last):
                raise EvalError(f"{name}: only a list can be expanded with ...")
            args += list(last)
        if any(isinstance(a, _Namespace | ModuleObject) for a in args):
            return Unknown(f"`{expr.text}`: {name}() over a whole namespace or module is "
                           "not evaluated")
        try:
            return function(*args)
        except EvalError:
            raise
        except NotModelled as exc:
            return Unknown(f"`{expr.text}`: {exc}")
        except (ValueError, TypeError, ArithmeticError, KeyError, IndexError) as exc:
            raise EvalError(f"{name}: {exc}") from None

    def _try(self, expr: Call, scope: Scope) -> Any:
        if expr.name == "can":
            if len(expr.args) != 1:
                raise EvalError("can: exactly one argument")
            try:
                value = self.eval(expr.args[0], scope)
            except EvalError:
                return False
            unknown = unknown_in(value)
            if unknown is not None:  # whether it fails is known only when the value is
                return Unknown(f"`{expr.text}`: " + (
                    unknown.reason if isinstance(unknown, Unknown)
                    else f"{unknown} is known only after apply"))
            return True
        for arg in expr.args:
            try:
                return self.eval(arg, scope)
            except EvalError:
                continue
        raise EvalError("try: no argument could be evaluated")

    def _tuple(self, expr: Tuple, scope: Scope) -> Any:
        return tuple(self.eval(item, scope) for item in expr.items)

    def _object(self, expr: Object, scope: Scope) -> Any:
        out: dict[str, Any] = {}
        for key_expr, value_expr in expr.items:
            key = self.eval(key_expr, scope)
            if is_unknown(key):
                return Unknown(f"`{expr.text}`: a key is known only after apply")
            out[to_string(key)] = self.eval(value_expr, scope)
        return out

    def _cond(self, expr: Cond, scope: Scope) -> Any:
        condition = self.eval(expr.cond, scope)
        if is_unknown(condition):
            why = condition.reason if isinstance(condition, Unknown) else \
                f"{condition} is known only after apply"
            return Unknown(f"condition `{expr.cond.text}` is unknown at plan time ({why})")
        return self.eval(expr.then if to_bool(condition) else expr.other, scope)

    def _binary(self, expr: Binary, scope: Scope) -> Any:
        left, right = self.eval(expr.left, scope), self.eval(expr.right, scope)
        op = expr.op
        if op in ("&&", "||"):
            known = [to_bool(v) for v in (left, right) if not is_unknown(v)]
            decisive = op == "||"
            if decisive in known:
                return decisive
            if len(known) == 2:
                return not decisive
            return Unknown(f"`{expr.text}` is unknown at plan time")
        if op in ("==", "!="):
            same = _equal(left, right)
            if same is None:
                return Unknown(f"`{expr.text}` compares a value known only after apply")
            return same if op == "==" else not same
        for value in (left, right):
            if isinstance(value, Unknown):
                return value
            if isinstance(value, Ref):
                return Unknown(f"`{expr.text}`: {value} is known only after apply")
        a, b = to_number(left), to_number(right)
        if op == "+":
            return a + b
        if op == "-":
            return a - b
        if op == "*":
            return a * b
        if op in ("/", "%"):
            if b == 0:
                raise EvalError("division by zero")
            if op == "%":
                return a % b
            quotient = a / b
            return int(quotient) if float(quotient).is_integer() else quotient
        comparisons: dict[str, Callable[[float, float], bool]] = {
            "<": lambda x, y: x < y, ">": lambda x, y: x > y,
            "<=": lambda x, y: x <= y, ">=": lambda x, y: x >= y}
        if op in comparisons:
            return comparisons[op](a, b)
        return Unknown(f"`{expr.text}`: operator {op} is not evaluated")

    def _unary(self, expr: Unary, scope: Scope) -> Any:
        value = self.eval(expr.operand, scope)
        if isinstance(value, Unknown):
            return value
        if isinstance(value, Ref):
            return Unknown(f"`{expr.text}`: {value} is known only after apply")
        return (not to_bool(value)) if expr.op == "!" else -to_number(value)

    def _pairs(self, collection: Any, what: str) -> Iterator[tuple[Any, Any]]:
        if isinstance(collection, TfSet):
            for item in collection:
                yield item, item
        elif is_list(collection):
            yield from enumerate(collection)
        elif isinstance(collection, dict):
            for key in sorted(collection):
                yield key, collection[key]
        elif collection is None:
            raise EvalError(f"{what}: cannot iterate over a null value")
        else:
            raise EvalError(f"{what}: cannot iterate over a {type(collection).__name__}")

    def _for(self, expr: ForExpr, scope: Scope) -> Any:
        collection = self.eval(expr.collection, scope)
        if is_unknown(collection):
            return collection if isinstance(collection, Unknown) else Unknown(
                f"`{expr.text}` iterates over {collection}, known only after apply")
        if isinstance(collection, ResourceObject | ModuleObject | _Namespace):
            return Unknown(f"`{expr.text}`: iterating over an object is not evaluated")
        items: list[Any] = []
        mapping: dict[str, Any] = {}
        for key, value in self._pairs(collection, "for"):
            names = {expr.value_var: value}
            if expr.key_var:
                names[expr.key_var] = key
            inner = scope.bind(**names)
            if expr.cond is not None:
                keep = self.eval(expr.cond, inner)
                if is_unknown(keep):
                    return Unknown(f"the condition of `{expr.text}` is unknown at plan time")
                if not to_bool(keep):
                    continue
            if expr.key is None:
                items.append(self.eval(expr.value, inner))
                continue
            name = self.eval(expr.key, inner)
            if is_unknown(name):
                return Unknown(f"a key of `{expr.text}` is known only after apply")
            name = to_string(name)
            element = self.eval(expr.value, inner)
            if expr.group:
                mapping.setdefault(name, []).append(element)
            elif name in mapping:
                raise EvalError(f"duplicate key {name!r} in a for expression")
            else:
                mapping[name] = element
        if expr.key is None:
            return tuple(items)
        return {k: tuple(v) for k, v in mapping.items()} if expr.group else mapping

    # ------------------------------------------------------------ namespaces
    def _namespace_attr(self, ns: _Namespace, name: str) -> Any:
        module = ns.scope.module
        if ns.kind == "var":
            return self._variable(module, name)
        if ns.kind == "local":
            return self._local(module, name)
        if ns.kind == "module":
            return self._module_value(module, name)
        if ns.kind == "data":
            return _Namespace("data_type", ns.scope, name)
        if ns.kind == "data_type":
            return self._collection(module, f"data.{ns.name}.{name}")
        return self._collection(module, f"{ns.name}.{name}")

    def _collection(self, module: ModuleInstance, address: str) -> Any:
        """``aws_subnet.public``: one instance, a list (count) or a map (for_each)."""
        found = module.collections.get(address)
        if found is not None:
            return found
        config = module.config.resources.get(address)
        data = address.startswith("data.")
        keyed = self.instances.get((module.path, address)) or {}
        value: Any
        if config is None:
            raise NotModelled(f"{address} is not declared in {module.config.directory}")
        counted = config.count is not None
        if any(isinstance(k, int) != counted for k in keyed if k is not None) or (
                None in keyed and (counted or config.for_each is not None)):
            raise NotModelled(f"the plan's instances of {address} do not match its "
                            f"{'count' if counted else 'for_each' if config.for_each else 'HCL'}")
        if data and not keyed:
            value = Unknown(f"data source {address} is read only at apply time "
                            "(not in the plan)")
        elif counted:
            if set(keyed) != set(range(len(keyed))):
                raise NotModelled(f"the plan's instances of {address} are not 0..n-1 "
                                "(a targeted plan?)")
            value = tuple(ResourceObject(keyed[k], data) for k in range(len(keyed)))
        elif config.for_each is not None:
            value = {str(k): ResourceObject(keyed[k], data)
                     for k in sorted(str(k) for k in keyed)}
        elif None in keyed:
            value = ResourceObject(keyed[None], data)
        else:
            raise NotModelled(f"{address} has no instance in the plan")
        module.collections[address] = value
        return value

    def _resource_attr(self, obj: ResourceObject, name: str) -> Any:
        inst = obj.instance
        if name == "id" and not obj.data:
            return Ref(inst, "id")
        if name in inst.values:
            return inst.values[name]
        if obj.data:
            return Unknown(f"{inst.address}.{name} is read only at apply time")
        if name == "firewall_status" and inst.resource.startswith(_FIREWALL):
            return self._firewall_status(inst)
        config = self.resource_config(inst)
        if config is not None and name in config.body.attributes:
            try:
                value = self.attribute(inst, name)
            except EvalError as exc:
                # Terraform evaluated it to make the plan: an error here is the evaluation's.
                return Unknown(f"{inst.address}.{name} cannot be evaluated: {exc}")
            # A null argument may be computed by the provider: then it is only known later.
            return Ref(inst, name) if value is None else value
        return Ref(inst, name)

    def _firewall_status(self, inst: InstanceLike) -> Any:
        """R15: a planned firewall's ``firewall_status``, known only after apply, as far as
        the plan tells it: one sync state per subnet mapping, in the mapped subnet's AZ,
        whose endpoint id is a symbol (the firewall and the AZ: ``firewall_endpoint_key``).
        So the idioms that pick an AZ's endpoint out of ``sync_states`` (a for expression
        with ``if s.availability_zone == ...``, ``one()``, a map by AZ and ``lookup``) name
        that endpoint. A set, as the provider has it: indexing it is Terraform's error."""
        mappings = self.blocks(inst, "subnet_mapping")
        if isinstance(mappings, Unknown):
            return mappings
        states = []
        for mapping in mappings:
            subnet = mapping.get("subnet_id")
            if not isinstance(subnet, Ref) or subnet.attribute != "id":
                return Unknown(f"{inst.address}: a subnet_mapping's subnet is not a subnet of "
                               "the plan, so the AZ of its endpoint is not known")
            az = subnet.instance.values.get("availability_zone")
            if not isinstance(az, str) or not az:
                return Unknown(f"{inst.address}: the AZ of {subnet.instance.address} is known "
                               "only after apply")
            endpoint = Ref(inst, f"{FIREWALL_ENDPOINT_MARK}{az}")
            states.append({"availability_zone": az, "attachment": (
                {"endpoint_id": endpoint, "subnet_id": subnet,
                 "status": Unknown(f"{inst.address}: attachment status after apply")},)})
        states.sort(key=lambda state: str(state["availability_zone"]))
        return ({"sync_states": TfSet(states),
                 "status": Unknown(f"{inst.address}.firewall_status is known after apply"),
                 "configuration_sync_state_summary": Unknown(
                     f"{inst.address}.firewall_status is known after apply")},)

    def _local(self, module: ModuleInstance, name: str) -> Any:
        expr = module.config.locals.get(name)
        if name not in module.locals and expr is None:
            raise NotModelled(f"local.{name} is not declared in {module.config.directory}")
        return self._memoised(module, module.locals, name, expr, f"local.{name}",
                              f"local.{name}")

    def _output(self, module: ModuleInstance, name: str) -> Any:
        expr = module.config.outputs.get(name)
        if name not in module.outputs and expr is None:
            raise NotModelled(f"{module.path} has no output {name!r}")
        return self._memoised(module, module.outputs, name, expr, f"output.{name}",
                              f"output {name} of {module.path}")

    def _memoised(self, module: ModuleInstance, cache: dict[str, Any], name: str,
                  expr: Any, key: str, label: str) -> Any:
        """A local's or an output's value, evaluated once per module instance; a cycle or a
        failure is an Unknown naming it (never an error that loses the rest)."""
        if name in cache:
            return cache[name]
        if key in module.busy:
            return Unknown(f"{label} depends on itself")
        module.busy.add(key)
        try:
            value = self.eval(expr, Scope(module))
        except (EvalError, NotModelled) as exc:
            value = Unknown(f"{label} = `{expr.text}` fails: {exc}")
        finally:
            module.busy.discard(key)
        cache[name] = value
        return value

    def _module_value(self, module: ModuleInstance, name: str) -> Any:
        """``module.x``: the instance, or a list/map of them for count/for_each."""
        call = module.config.calls.get(name)
        if call is None:
            raise NotModelled(f"module {name!r} is not declared in {module.config.directory}")
        cache = f"\0module.{name}"
        if cache in module.collections:
            return module.collections[cache]
        scope = Scope(module)
        value: Any
        if call.count is not None:
            count = self._eval_memo_free(call.count, scope, f"count:module.{name}")
            if is_unknown(count):
                value = count if isinstance(count, Unknown) else Unknown(
                    f"the count of module.{name} is known only after apply")
            else:
                value = tuple(self._module_object(module, name, i)
                              for i in range(int(to_number(count))))
        elif call.for_each is not None:
            keys = self._eval_memo_free(call.for_each, scope, f"for_each:module.{name}")
            if is_unknown(keys):
                value = keys if isinstance(keys, Unknown) else Unknown(
                    f"the for_each of module.{name} is known only after apply")
            elif isinstance(keys, dict | TfSet):
                value = {str(k): self._module_object(module, name, str(k))
                         for k in (sorted(keys) if isinstance(keys, dict) else keys)}
            else:
                value = Unknown(f"the for_each of module.{name} is neither a map nor a set")
        else:
            value = self._module_object(module, name, None)
        module.collections[cache] = value
        return value

    def _module_object(self, parent: ModuleInstance, name: str, key: Key) -> Any:
        child = self.module(_module_address(parent.path, name, key))
        return child if isinstance(child, Unknown) else ModuleObject(child)

    def _variable(self, module: ModuleInstance, name: str) -> Any:
        if name in module.variables:
            return module.variables[name]
        declared = module.config.variables.get(name)
        if declared is None:
            raise NotModelled(f"var.{name} is not declared in {module.config.directory}")
        key = f"var.{name}"
        if key in module.busy:
            return Unknown(f"var.{name} depends on itself")
        module.busy.add(key)
        try:
            value = self._variable_value(module, name)
            if declared.type is not None and value is not None:
                value = self.convert(value, declared.type, Scope(module))
        except (EvalError, NotModelled) as exc:
            value = Unknown(f"var.{name} of {module.path or 'the root module'}: {exc}")
        finally:
            module.busy.discard(key)
        module.variables[name] = value
        return value

    def _variable_value(self, module: ModuleInstance, name: str) -> Any:
        declared = module.config.variables[name]
        if module.parent is None:
            if name in self.root_variables:
                return self.root_variables[name]
            if declared.default is not None:
                return self.eval(declared.default, Scope(module))
            return Unknown(f"root variable {name} has no value in the plan")
        call = module.call
        assert call is not None
        expr = call.inputs.get(name)
        default = None if declared.default is None else \
            self.eval(declared.default, Scope(module))
        if expr is None:
            return default
        scope = Scope(module.parent)
        if call.count is not None and isinstance(module.key, int):
            scope = scope.bind(count={"index": module.key})
        elif call.for_each is not None and module.key is not None:
            scope = scope.bind(each={"key": module.key, "value": self._for_each_value(
                scope, call.for_each, str(module.key), f"module.{call.name}")})
        value = self.eval(expr, scope)
        return default if value is None and not declared.nullable else value

    # --------------------------------------------------------------- types
    def convert(self, value: Any, type_expr: Expr, scope: Scope) -> Any:
        """``value`` converted to a variable's declared type (``optional`` defaults too)."""
        return self._convert(value, self._type(type_expr), scope)

    def _type(self, expr: Expr) -> Any:
        found = self._types.get(id(expr))
        if found is None:
            found = _type_spec(expr)
            self._types[id(expr)] = found
        return found

    def _convert(self, value: Any, spec: Any, scope: Scope) -> Any:
        if value is None or is_unknown(value) or spec == ("any",):
            return value
        kind = spec[0]
        if kind == "string":
            if isinstance(value, ResourceObject | ModuleObject):
                raise EvalError("an object is not a string")
            return to_string(value)
        if kind == "number":
            return to_number(value)
        if kind == "bool":
            return to_bool(value)
        if kind in ("list", "set"):
            if not is_list(value):
                raise EvalError(f"a {type(value).__name__} is not a {kind}")
            items = [self._convert(v, spec[1], scope) for v in value]
            return TfSet.of(items) if kind == "set" else tuple(items)
        if kind == "tuple":
            if not is_list(value) or len(value) != len(spec[1]):
                raise EvalError("the value does not match the tuple type")
            return tuple(self._convert(v, t, scope) for v, t in zip(value, spec[1],
                                                                     strict=True))
        if isinstance(value, ResourceObject | ModuleObject):
            return Unknown("converting a whole resource or module object is not evaluated")
        if not isinstance(value, dict):
            raise EvalError(f"a {type(value).__name__} is not a {kind}")
        if kind == "map":
            return {k: self._convert(v, spec[1], scope) for k, v in value.items()}
        if kind == "object":
            out: dict[str, Any] = {}
            for attr, (attr_spec, optional, default) in spec[1].items():
                if attr in value and value[attr] is not None:
                    out[attr] = self._convert(value[attr], attr_spec, scope)
                elif default is not None:
                    out[attr] = self._convert(self.eval(default, scope), attr_spec, scope)
                elif optional or attr in value:
                    out[attr] = None
                else:
                    raise EvalError(f"attribute {attr!r} is required")
            return out
        return value


def _type_spec(expr: Expr) -> Any:
    """A type constraint expression -> ("string",), ("list", T), ("object", {...}), ..."""
    if isinstance(expr, Name):
        return (expr.name,) if expr.name in ("string", "number", "bool") else ("any",)
    if isinstance(expr, Call) and expr.args:
        inner = expr.args[0]
        if expr.name in ("list", "set", "map"):
            return (expr.name, _type_spec(inner))
        if expr.name == "tuple" and isinstance(inner, Tuple):
            return ("tuple", tuple(_type_spec(i) for i in inner.items))
        if expr.name == "object" and isinstance(inner, Object):
            attrs: dict[str, tuple[Any, bool, Expr | None]] = {}
            for key, value in inner.items:
                if not isinstance(key, Lit):
                    return ("any",)
                if isinstance(value, Call) and value.name == "optional" and value.args:
                    default = value.args[1] if len(value.args) > 1 else None
                    attrs[str(key.value)] = (_type_spec(value.args[0]), True, default)
                else:
                    attrs[str(key.value)] = (_type_spec(value), False, None)
            return ("object", attrs)
    return ("any",)


def _equal(left: Any, right: Any) -> bool | None:
    """Terraform ``==`` over values that may be unknown (None: cannot tell)."""
    for a, b in ((left, right), (right, left)):
        if isinstance(a, Ref):
            if isinstance(b, Ref) and a == b:
                return True
            if (b is None or b == "") and a.never_null:
                return False
            return None
        if isinstance(a, Unknown):
            return None
    if isinstance(left, bool) or isinstance(right, bool):
        return type(left) is type(right) and left == right
    if isinstance(left, ResourceObject | ModuleObject) or \
            isinstance(right, ResourceObject | ModuleObject):
        return left is right
    if is_list(left) and is_list(right):
        if len(left) != len(right):
            return False
        results = [_equal(a, b) for a, b in zip(left, right, strict=True)]
        if False in results:
            return False
        return None if None in results else True
    if isinstance(left, dict) and isinstance(right, dict):
        if set(left) != set(right):
            return False
        results = [_equal(left[k], right[k]) for k in left]
        if False in results:
            return False
        return None if None in results else True
    return bool(left == right)

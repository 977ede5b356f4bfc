"""Values of the symbolic evaluation (``readers/evaluate.py``) and Terraform's built-in
functions over them.

A value is a Python value as JSON has them (None, bool, int, float, str, list/tuple,
dict), a :class:`TfSet`, or an unknown: a :class:`Ref` names the resource instance
attribute it will be (an id is unknown at plan time, but *which* id is known), an
:class:`Unknown` says why nothing can be said. Functions follow Terraform's semantics on
known values and propagate unknowns; a Terraform error is an :class:`EvalError` (which
``try`` catches), never a guess.
"""

from __future__ import annotations

import ipaddress
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from tierform.network.ipv6 import parse_ipv6, symbolic_base

__all__ = [
    "FUNCTIONS",
    "EvalError",
    "InstanceLike",
    "NotModelled",
    "ObjectValue",
    "Ref",
    "TfSet",
    "Unknown",
    "is_list",
    "is_unknown",
    "to_string",
    "unknown_in",
    "vpc_ipv6_symbol",
]


class EvalError(Exception):
    """What Terraform would report as an error here (``try`` moves on to its next argument)."""


class NotModelled(Exception):
    """A valid construct the evaluation does not model: the value is unknown (not an error,
    so ``try`` must not move on)."""


class ObjectValue:
    """Base of the evaluator's resource and module objects (attributes read on access)."""

    __slots__ = ()


class InstanceLike(Protocol):
    """A planned resource instance (``readers.resolver.PlannedInstance``)."""

    @property
    def address(self) -> str: ...
    @property
    def module(self) -> str: ...
    @property
    def resource(self) -> str: ...
    @property
    def values(self) -> Mapping[str, Any]: ...


@dataclass(frozen=True)
class Ref:
    """The value of ``attribute`` of a resource instance, known only after apply."""

    instance: InstanceLike
    attribute: str

    def __str__(self) -> str:
        return f"{self.instance.address}.{self.attribute}"

    @property
    def never_null(self) -> bool:
        """Ids (and ARNs) of created resources are never null or empty."""
        return self.attribute in ("id", "arn")


@dataclass(frozen=True)
class Unknown:
    """A value that cannot be known from the plan and its configuration, and why."""

    reason: str


class TfSet(tuple[Any, ...]):
    """A Terraform set: unique elements, strings in lexical order."""

    @classmethod
    def of(cls, items: Iterable[Any]) -> TfSet:
        unique: list[Any] = []
        for item in items:
            if not any(_same(item, u) for u in unique):
                unique.append(item)
        if all(isinstance(u, str) for u in unique):
            unique.sort()
        return cls(unique)


def is_unknown(value: Any) -> bool:
    return isinstance(value, Ref | Unknown)


def is_list(value: Any) -> bool:
    return isinstance(value, list | tuple)


def unknown_in(value: Any) -> Ref | Unknown | None:
    """The first unknown inside a value (None: wholly known)."""
    if is_unknown(value):
        return value  # type: ignore[no-any-return]
    if is_list(value):
        for item in value:
            found = unknown_in(item)
            if found is not None:
                return found
    elif isinstance(value, dict):
        for item in value.values():
            found = unknown_in(item)
            if found is not None:
                return found
    return None


def _unknown_of(*values: Any) -> Unknown | None:
    """An Unknown standing for the first unknown argument, or None."""
    for value in values:
        if isinstance(value, Unknown):
            return value
        if isinstance(value, Ref):
            return Unknown(f"{value} is known only after apply")
    return None


def _same(a: Any, b: Any) -> bool:
    """Terraform equality on known values (no 1 == True)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and bool(a == b)
    if isinstance(a, Ref) or isinstance(b, Ref):
        return bool(a == b)
    if is_list(a) and is_list(b):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def to_string(value: Any) -> str:
    """A known primitive as Terraform writes it in a string."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, str):
        return value
    if value is None:
        raise EvalError("cannot use a null value in a string")
    raise EvalError(f"cannot convert {type(value).__name__} to a string")


def to_number(value: Any) -> int | float:
    if isinstance(value, bool):
        raise EvalError("a bool is not a number")
    if isinstance(value, int | float):
        return value
    if isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            raise EvalError(f"{value!r} is not a number") from None
        return int(number) if number.is_integer() else number
    raise EvalError(f"{type(value).__name__} is not a number")


def to_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if value in ("true", "false"):
        return bool(value == "true")
    raise EvalError(f"{value!r} is not a bool")


def _int(value: Any) -> int:
    number = to_number(value)
    if isinstance(number, float) and not number.is_integer():
        raise EvalError(f"{number} is not a whole number")
    return int(number)


def _items(value: Any, what: str) -> Sequence[Any]:
    if is_list(value):
        return value  # type: ignore[no-any-return]
    if isinstance(value, ObjectValue):
        raise NotModelled(f"{what}() over a whole resource or module object is not evaluated")
    raise EvalError(f"{what}: expected a list, got {type(value).__name__}")


def _map(value: Any, what: str) -> Mapping[str, Any]:
    if isinstance(value, dict):
        return value
    if isinstance(value, ObjectValue):
        raise NotModelled(f"{what}() over a whole resource or module object is not evaluated")
    raise EvalError(f"{what}: expected a map, got {type(value).__name__}")


Function = Callable[..., Any]


# ------------------------------------------------------------- collections

def _length(value: Any) -> Any:
    if (u := _unknown_of(value)) is not None:
        return u
    if is_list(value) or isinstance(value, dict | str):
        return len(value)
    if isinstance(value, ObjectValue):
        raise NotModelled("length() of a whole resource or module object is not evaluated")
    raise EvalError(f"length: cannot take the length of {type(value).__name__}")


def _element(items: Any, index: Any) -> Any:
    if (u := _unknown_of(items, index)) is not None:
        return u
    seq = _items(items, "element")
    if isinstance(items, TfSet):
        raise EvalError("element: a set has no order")
    if not seq:
        raise EvalError("element: cannot use element function with an empty list")
    position = _int(index)
    if position < 0:
        raise EvalError("element: the index must not be negative")
    return seq[position % len(seq)]


def _concat(*lists: Any) -> Any:
    if (u := _unknown_of(*lists)) is not None:
        return u
    out: list[Any] = []
    for each in lists:
        out += list(_items(each, "concat"))
    return tuple(out)


def _coalesce(*values: Any) -> Any:
    for value in values:
        if isinstance(value, Ref):
            if value.never_null:
                return value
            return Unknown(f"coalesce: whether {value} is null is known only after apply")
        if isinstance(value, Unknown):
            return value
        if value is not None and value != "":
            return value
    raise EvalError("coalesce: no non-null, non-empty argument")


def _coalescelist(*lists: Any) -> Any:
    for value in lists:
        if (u := _unknown_of(value)) is not None:
            return u
        if _items(value, "coalescelist"):
            return value
    raise EvalError("coalescelist: no non-empty list")


def _lookup(mapping: Any, key: Any, *default: Any) -> Any:
    if (u := _unknown_of(mapping, key)) is not None:
        return u
    found = _map(mapping, "lookup")
    name = to_string(key)
    if name in found:
        return found[name]
    if default:
        return default[0]
    raise EvalError(f"lookup: the map has no key {name!r} and no default is given")


def _one(items: Any) -> Any:
    if (u := _unknown_of(items)) is not None:
        return u
    seq = _items(items, "one")
    if len(seq) > 1:
        raise EvalError(f"one: the list has {len(seq)} elements")
    return seq[0] if seq else None


def _merge(*maps: Any) -> Any:
    if (u := _unknown_of(*maps)) is not None:
        return u
    out: dict[str, Any] = {}
    for each in maps:
        if each is not None:
            out.update(_map(each, "merge"))
    return out


def _keys(mapping: Any) -> Any:
    if (u := _unknown_of(mapping)) is not None:
        return u
    return tuple(sorted(_map(mapping, "keys")))


def _values(mapping: Any) -> Any:
    if (u := _unknown_of(mapping)) is not None:
        return u
    found = _map(mapping, "values")
    return tuple(found[k] for k in sorted(found))


def _contains(items: Any, value: Any) -> Any:
    if (u := _unknown_of(items, value)) is not None:
        return u
    seq = _items(items, "contains")
    if any(_same(item, value) for item in seq if not is_unknown(item)):
        return True
    if any(is_unknown(item) for item in seq):
        return Unknown("contains: the list holds values known only after apply")
    return False


def _compact(items: Any) -> Any:
    if (u := _unknown_of(items)) is not None:
        return u
    out = []
    for item in _items(items, "compact"):
        if isinstance(item, Ref) and item.never_null:
            out.append(item)
        elif is_unknown(item):
            return _unknown_of(item)
        elif item is not None and item != "":
            out.append(item)
    return tuple(out)


def _distinct(items: Any) -> Any:
    if (u := _unknown_of(items)) is not None:
        return u
    out: list[Any] = []
    for item in _items(items, "distinct"):
        if isinstance(item, Unknown):
            return item
        if not any(_same(item, seen) for seen in out):
            out.append(item)
    return tuple(out)


def _flatten(items: Any) -> Any:
    if (u := _unknown_of(items)) is not None:
        return u
    out: list[Any] = []

    def walk(value: Any) -> None:
        for item in value:
            if is_list(item):
                walk(item)
            elif isinstance(item, Unknown):
                raise _Propagate(item)
            else:
                out.append(item)

    try:
        walk(_items(items, "flatten"))
    except _Propagate as stop:
        return stop.value
    return tuple(out)


class _Propagate(Exception):
    def __init__(self, value: Unknown) -> None:
        super().__init__(value.reason)
        self.value = value


def _slice(items: Any, start: Any, end: Any) -> Any:
    if (u := _unknown_of(items, start, end)) is not None:
        return u
    seq = _items(items, "slice")
    low, high = _int(start), _int(end)
    if not 0 <= low <= high <= len(seq):
        raise EvalError(f"slice: indexes {low}..{high} out of range for {len(seq)} elements")
    return tuple(seq[low:high])


def _toset(items: Any) -> Any:
    if isinstance(items, Unknown):
        return items
    if isinstance(items, Ref):
        return _unknown_of(items)
    return TfSet.of(_items(items, "toset"))


def _tolist(items: Any) -> Any:
    if (u := _unknown_of(items)) is not None:
        return u
    return tuple(_items(items, "tolist"))


def _tomap(mapping: Any) -> Any:
    if (u := _unknown_of(mapping)) is not None:
        return u
    return dict(_map(mapping, "tomap"))


def _zipmap(keys: Any, values: Any) -> Any:
    if (u := _unknown_of(keys, values)) is not None:
        return u
    names, items = _items(keys, "zipmap"), _items(values, "zipmap")
    if len(names) != len(items):
        raise EvalError("zipmap: the lists differ in length")
    if (u := _unknown_of(*names)) is not None:
        return u
    return {to_string(k): v for k, v in zip(names, items, strict=True)}


def _index(items: Any, value: Any) -> Any:
    if (u := _unknown_of(items, value)) is not None:
        return u
    for position, item in enumerate(_items(items, "index")):
        if is_unknown(item):
            return Unknown("index: the list holds values known only after apply")
        if _same(item, value):
            return position
    raise EvalError(f"index: {value!r} is not in the list")


def _reverse(items: Any) -> Any:
    if (u := _unknown_of(items)) is not None:
        return u
    return tuple(reversed(_items(items, "reverse")))


def _sort(items: Any) -> Any:
    if (u := _unknown_of(items)) is not None:
        return u
    seq = _items(items, "sort")
    if (u := _unknown_of(*seq)) is not None:
        return u
    return tuple(sorted(to_string(i) for i in seq))


def _range(*args: Any) -> Any:
    if (u := _unknown_of(*args)) is not None:
        return u
    numbers = [to_number(a) for a in args]
    start, step = 0.0, 1.0
    if len(numbers) == 1:
        end = numbers[0]
    elif len(numbers) in (2, 3):
        start, end = numbers[0], numbers[1]
        step = numbers[2] if len(numbers) == 3 else (1 if end >= start else -1)
    else:
        raise EvalError("range: one to three arguments")
    if step == 0:
        raise EvalError("range: step must not be zero")
    out: list[int | float] = []
    value = start
    while (value < end) if step > 0 else (value > end):
        out.append(int(value) if float(value).is_integer() else value)
        value += step
        if len(out) > 1024:
            raise EvalError("range: more than 1024 elements")
    return tuple(out)


def _setop(kind: str) -> Function:
    def run(*sets: Any) -> Any:
        if (u := _unknown_of(*sets)) is not None:
            return u
        seqs = [list(_items(s, kind)) for s in sets]
        if not seqs:
            raise EvalError(f"{kind}: no arguments")
        if (u := _unknown_of(*(i for s in seqs for i in s))) is not None:
            return u
        result = seqs[0]
        for other in seqs[1:]:
            if kind == "setunion":
                result = result + other
            elif kind == "setintersection":
                result = [i for i in result if any(_same(i, o) for o in other)]
            else:
                result = [i for i in result if not any(_same(i, o) for o in other)]
        return TfSet.of(result)

    return run


# ------------------------------------------------------------------ strings

def _strings(name: str, fn: Callable[..., Any]) -> Function:
    def run(*args: Any) -> Any:
        if (u := _unknown_of(*args)) is not None:
            return u
        return fn(*args)

    run.__name__ = name
    return run


def _split(separator: Any, text: Any) -> Any:
    text = to_string(text)
    return tuple(text.split(to_string(separator))) if text else ("",)


def _join(separator: Any, items: Any) -> Any:
    seq = _items(items, "join")
    if (u := _unknown_of(*seq)) is not None:
        return u
    return to_string(separator).join(to_string(i) for i in seq)


def _replace(text: Any, old: Any, new: Any) -> Any:
    old_text = to_string(old)
    if len(old_text) > 1 and old_text.startswith("/") and old_text.endswith("/"):
        return Unknown("replace() with a regular expression is not evaluated")
    return to_string(text).replace(old_text, to_string(new))


def _format(spec: Any, *args: Any) -> Any:
    text = to_string(spec)
    out, position, i = [], 0, 0
    while i < len(text):
        char = text[i]
        if char != "%":
            out.append(char)
            i += 1
            continue
        verb = text[i + 1: i + 2]
        if verb == "%":
            out.append("%")
        elif verb in ("s", "d", "v"):
            if position >= len(args):
                raise EvalError("format: too few arguments")
            value = args[position]
            position += 1
            out.append(to_string(_int(value)) if verb == "d" else to_string(value))
        else:
            return Unknown(f"format() verb %{verb} is not evaluated")
        i += 2
    return "".join(out)


def _substr(text: Any, offset: Any, length: Any) -> Any:
    value, start, count = to_string(text), _int(offset), _int(length)
    if start < 0:
        start += len(value)
    return value[start:] if count < 0 else value[start:start + count]


# --------------------------------------------------------------- numbers/IP

def _minmax(pick: Callable[..., Any]) -> Function:
    def run(*numbers: Any) -> Any:
        if (u := _unknown_of(*numbers)) is not None:
            return u
        if not numbers:
            raise EvalError("needs at least one number")
        return pick(to_number(n) for n in numbers)

    return run


def _cidrsubnet(prefix: Any, newbits: Any, netnum: Any) -> Any:
    network = ipaddress.ip_network(to_string(prefix), strict=False)
    bits, number = _int(newbits), _int(netnum)
    new_prefix = network.prefixlen + bits
    if new_prefix > network.max_prefixlen or not 0 <= number < 2 ** bits:
        raise EvalError(f"cidrsubnet: {number} does not fit in {bits} new bits")
    size = 2 ** (network.max_prefixlen - new_prefix)
    address = int(network.network_address) + number * size
    return str(ipaddress.ip_network((address, new_prefix)))


def vpc_ipv6_symbol(value: Any) -> str | None:
    """The symbolic prefix (``network/ipv6.py``) a Ref to a VPC's unknown Amazon-provided
    IPv6 block stands for; None for any other value."""
    if isinstance(value, Ref) and value.attribute == "ipv6_cidr_block" \
            and value.instance.resource.startswith("aws_vpc."):
        return symbolic_base(str(value))
    return None


def _cidrsubnet_any(prefix: Any, newbits: Any, netnum: Any) -> Any:
    """cidrsubnet(); over a VPC's IPv6 block unknown at plan time, a symbolic prefix: which
    part of the block it is, decided by the configuration (the block itself by AWS)."""
    symbol = vpc_ipv6_symbol(prefix)
    symbolic = parse_ipv6(symbol if symbol is not None else prefix
                          if isinstance(prefix, str) else None)
    if symbolic is not None and symbolic.base is not None:
        if (u := _unknown_of(newbits, netnum)) is not None:
            return u
        try:
            return symbolic.subnet(_int(newbits), _int(netnum)).text
        except ValueError as exc:
            raise EvalError(str(exc)) from None
    if (u := _unknown_of(prefix, newbits, netnum)) is not None:
        return u
    return _cidrsubnet(prefix, newbits, netnum)


def _cidrhost(prefix: Any, hostnum: Any) -> Any:
    network = ipaddress.ip_network(to_string(prefix), strict=False)
    number = _int(hostnum)
    if number < 0:
        number += network.num_addresses
    if not 0 <= number < network.num_addresses:
        raise EvalError(f"cidrhost: host {number} is outside {network}")
    return str(network.network_address + number)


def _convert(kind: str) -> Function:
    def run(value: Any) -> Any:
        if (u := _unknown_of(value)) is not None:
            return u
        if value is None:
            return None
        if kind == "string":
            return to_string(value)
        if kind == "number":
            return to_number(value)
        return to_bool(value)

    return run


FUNCTIONS: dict[str, Function] = {
    "length": _length, "element": _element, "concat": _concat, "coalesce": _coalesce,
    "coalescelist": _coalescelist, "lookup": _lookup, "one": _one, "merge": _merge,
    "keys": _keys, "values": _values, "contains": _contains, "compact": _compact,
    "distinct": _distinct, "flatten": _flatten, "slice": _slice, "toset": _toset,
    "tolist": _tolist, "tomap": _tomap, "zipmap": _zipmap, "index": _index,
    "reverse": _reverse, "sort": _sort, "range": _range,
    "setunion": _setop("setunion"), "setintersection": _setop("setintersection"),
    "setsubtract": _setop("setsubtract"),
    "split": _strings("split", _split), "join": _join,
    "replace": _strings("replace", _replace), "format": _strings("format", _format),
    "lower": _strings("lower", lambda s: to_string(s).lower()),
    "upper": _strings("upper", lambda s: to_string(s).upper()),
    "trimspace": _strings("trimspace", lambda s: to_string(s).strip()),
    "trimprefix": _strings("trimprefix", lambda s, p: to_string(s).removeprefix(to_string(p))),
    "trimsuffix": _strings("trimsuffix", lambda s, p: to_string(s).removesuffix(to_string(p))),
    "startswith": _strings("startswith", lambda s, p: to_string(s).startswith(to_string(p))),
    "endswith": _strings("endswith", lambda s, p: to_string(s).endswith(to_string(p))),
    "strcontains": _strings("strcontains", lambda s, p: to_string(p) in to_string(s)),
    "substr": _strings("substr", _substr),
    "max": _minmax(max), "min": _minmax(min),
    "abs": _strings("abs", lambda n: abs(to_number(n))),
    "ceil": _strings("ceil", lambda n: math.ceil(to_number(n))),
    "floor": _strings("floor", lambda n: math.floor(to_number(n))),
    "cidrsubnet": _cidrsubnet_any,
    "cidrhost": _strings("cidrhost", _cidrhost),
    "tostring": _convert("string"), "tonumber": _convert("number"), "tobool": _convert("bool"),
}
"""Built-in functions evaluated on (partly) unknown values; ``try``/``can`` are the
evaluator's own (their arguments are evaluated lazily)."""

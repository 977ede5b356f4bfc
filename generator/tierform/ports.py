"""The one port syntax: sets of ports (0-65535) as merged inclusive intervals (never
enumerate ports), the parser of the ports a blueprint writes and the formatter of port text.

Port text is what a blueprint's ``ports`` list holds: a number (``443``), a range
(``"1024-2048"``) or ``all``, written with the ASCII digits 0-9 and no leading zero (YAML 1.1
reads ``0755`` as octal; a number means the same quoted or not). ``parse_ports`` is the only
reader of it (blueprint model, checks and JSON Schema use it); ``format_ports`` is the one
writer of port text for rule descriptions, reports and diagrams.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator

from tierform.aws import MAX_PORT

__all__ = [
    "MAX_PORT",
    "PORT_TEXT_PATTERN",
    "PortRange",
    "PortSet",
    "PortSyntaxError",
    "format_port_list",
    "format_ports",
    "parse_port",
    "parse_ports",
]

PortRange = tuple[int, int]


def _normalise(ranges: Iterable[PortRange]) -> tuple[PortRange, ...]:
    """Clip to 0-65535, drop empty ranges, sort and merge adjacent or overlapping ones."""
    clipped = sorted(
        (max(low, 0), min(high, MAX_PORT)) for low, high in ranges
        if low <= high and high >= 0 and low <= MAX_PORT
    )
    merged: list[PortRange] = []
    for low, high in clipped:
        if merged and low <= merged[-1][1] + 1:
            if high > merged[-1][1]:
                merged[-1] = (merged[-1][0], high)
        else:
            merged.append((low, high))
    return tuple(merged)


class PortSet:
    """A set of ports held as sorted, disjoint, non-adjacent inclusive ranges."""

    __slots__ = ("_ranges",)
    _ranges: tuple[PortRange, ...]

    def __init__(self, ranges: Iterable[PortRange] = ()) -> None:
        object.__setattr__(self, "_ranges", _normalise(ranges))

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("PortSet is immutable")

    @classmethod
    def _trusted(cls, ranges: tuple[PortRange, ...]) -> PortSet:
        """Wrap ranges already normalised (internal fast path)."""
        new = cls.__new__(cls)
        object.__setattr__(new, "_ranges", ranges)
        return new

    @classmethod
    def full(cls) -> PortSet:
        return _FULL

    @classmethod
    def empty(cls) -> PortSet:
        return _EMPTY

    @classmethod
    def range(cls, low: int, high: int) -> PortSet:
        return cls(((low, high),))

    @classmethod
    def of(cls, *ports: int) -> PortSet:
        return cls((p, p) for p in ports)

    @property
    def ranges(self) -> tuple[PortRange, ...]:
        return self._ranges

    def __iter__(self) -> Iterator[PortRange]:
        """Iterate the merged inclusive ranges (not single ports)."""
        return iter(self._ranges)

    def __bool__(self) -> bool:
        return bool(self._ranges)

    def __len__(self) -> int:
        """Number of ranges."""
        return len(self._ranges)

    @property
    def size(self) -> int:
        """Number of ports."""
        return sum(high - low + 1 for low, high in self._ranges)

    def is_full(self) -> bool:
        return self is _FULL or self._ranges == _FULL_RANGES

    def __contains__(self, port: object) -> bool:
        if not isinstance(port, int):
            return False
        return any(low <= port <= high for low, high in self._ranges)

    def first(self) -> int | None:
        return self._ranges[0][0] if self._ranges else None

    # The set operations below are the analyzer's inner loop (analyze/matrix.py): the
    # one-range cases, the commonest by far, are answered without a merge loop.

    def union(self, other: PortSet) -> PortSet:
        a, b = self._ranges, other._ranges
        if not b or other is self:
            return self
        if not a:
            return other
        if a == _FULL_RANGES or b == _FULL_RANGES:
            return _FULL
        if len(a) == 1 and len(b) == 1:
            (low, high), (low2, high2) = a[0], b[0]
            if low2 <= high + 1 and low <= high2 + 1:  # overlapping or adjacent
                if low <= low2 and high >= high2:
                    return self
                if low2 <= low and high2 >= high:
                    return other
                return PortSet._trusted(((min(low, low2), max(high, high2)),))
            return PortSet._trusted((a[0], b[0]) if low < low2 else (b[0], a[0]))
        # Linear merge of two sorted, merged range lists.
        out: list[PortRange] = []
        i = j = 0
        while i < len(a) or j < len(b):
            if j >= len(b) or (i < len(a) and a[i][0] <= b[j][0]):
                low, high = a[i]
                i += 1
            else:
                low, high = b[j]
                j += 1
            if out and low <= out[-1][1] + 1:
                if high > out[-1][1]:
                    out[-1] = (out[-1][0], high)
            else:
                out.append((low, high))
        return PortSet._trusted(tuple(out))

    def intersection(self, other: PortSet) -> PortSet:
        a, b = self._ranges, other._ranges
        if not a or b == _FULL_RANGES:
            return self
        if not b or a == _FULL_RANGES:
            return other
        if len(a) == 1 and len(b) == 1:
            (low, high), (low2, high2) = a[0], b[0]
            if low2 <= low and high <= high2:
                return self
            if low <= low2 and high2 <= high:
                return other
            low, high = max(low, low2), min(high, high2)
            return PortSet._trusted(((low, high),)) if low <= high else _EMPTY
        out: list[PortRange] = []
        i = j = 0
        while i < len(a) and j < len(b):
            low = max(a[i][0], b[j][0])
            high = min(a[i][1], b[j][1])
            if low <= high:
                out.append((low, high))
            if a[i][1] < b[j][1]:
                i += 1
            else:
                j += 1
        return PortSet._trusted(tuple(out)) if out else _EMPTY

    def complement(self) -> PortSet:
        out: list[PortRange] = []
        start = 0
        for low, high in self._ranges:
            if low > start:
                out.append((start, low - 1))
            start = high + 1
        if start <= MAX_PORT:
            out.append((start, MAX_PORT))
        return PortSet._trusted(tuple(out))

    def difference(self, other: PortSet) -> PortSet:
        a, b = self._ranges, other._ranges
        if not b or not a:
            return self
        if b == _FULL_RANGES or other is self:
            return _EMPTY
        if len(b) == 1:  # cut one range out of each of ours
            cut_low, cut_high = b[0]
            out: list[PortRange] = []
            for low, high in a:
                if high < cut_low or low > cut_high:
                    out.append((low, high))
                    continue
                if low < cut_low:
                    out.append((low, cut_low - 1))
                if high > cut_high:
                    out.append((cut_high + 1, high))
            return PortSet._trusted(tuple(out)) if out else _EMPTY
        return self.intersection(other.complement())

    def issubset(self, other: PortSet) -> bool:
        return not self.difference(other)

    __or__ = union
    __and__ = intersection
    __sub__ = difference

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PortSet) and self._ranges == other._ranges

    def __hash__(self) -> int:
        return hash(self._ranges)

    def __repr__(self) -> str:
        return f"PortSet({list(self._ranges)!r})"

    def __str__(self) -> str:
        """``80,443,1024-65535``; ``all`` for the full set; ``none`` when empty."""
        return format_port_list(self)

    def to_json(self) -> list[list[int]]:
        return [[low, high] for low, high in self._ranges]


_FULL_RANGES: tuple[PortRange, ...] = ((0, MAX_PORT),)
_FULL = PortSet(_FULL_RANGES)
_EMPTY = PortSet()


# --- parsing ---------------------------------------------------------------------------------

_NUMBER = r"(?:0|[1-9][0-9]{0,4})"
PORT_TEXT_PATTERN = rf"^[ \t]*(?:all|{_NUMBER}(?:[ \t]*-[ \t]*{_NUMBER})?)[ \t]*$"
"""Port text ``parse_port`` accepts, as a JSON Schema (ECMA) pattern: ``all``, ``443``,
``1024 - 2048``. The pattern cannot say 0-65535; the parser also checks the range."""

# Digits of any length (the range check reports 70000), so that the message can say what
# is wrong; the length is bounded before int() (Python refuses > 4,300 digits).
_ITEM = re.compile(r"[ \t]*(?:(all)|([0-9]+)(?:[ \t]*-[ \t]*([0-9]+))?)[ \t]*", re.ASCII)
_SHOWN = 40
"""At most this many characters of a bad port are echoed in a message."""


class PortSyntaxError(ValueError):
    """A port that is not a number 0-65535, a range "a-b" or ``all``: says what was read.

    ``code`` is the blueprint finding code (``port-invalid``, ``port-out-of-range``,
    ``port-range-reversed``), ``hint`` how to fix it, ``index`` the list position.
    """

    def __init__(self, code: str, message: str, hint: str, index: int | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.hint = hint
        self.index = index


def _shown(text: str) -> str:
    return text if len(text) <= _SHOWN else f"{text[:_SHOWN]}… ({len(text)} characters)"


def _number(digits: str, item: str) -> int:
    """The value of ASCII ``digits`` (one end of ``item``): no leading zero, at most 65535."""
    if len(digits) > 1 and digits.startswith("0"):
        meant = digits.lstrip("0") or "0"
        raise PortSyntaxError(
            "port-invalid", f"{_shown(item)!r} is not a port: a leading zero",
            f"write {meant} (YAML 1.1 reads an unquoted 0{meant} as an octal number)")
    if len(digits) > len(str(MAX_PORT)) or int(digits) > MAX_PORT:
        raise PortSyntaxError("port-out-of-range", f"port {_shown(item)} is outside 0-{MAX_PORT}",
                              f"use ports from 0 to {MAX_PORT}")
    return int(digits)


def _not_a_port(item: str) -> PortSyntaxError:
    odd = next((ch for ch in item if ch.isdigit() and not ("0" <= ch <= "9")), None)
    if odd is not None:
        name = unicodedata.name(odd, "a digit")
        return PortSyntaxError(
            "port-invalid", f"{_shown(item)!r} is not a port: {odd!r} (U+{ord(odd):04X} "
            f"{name}) is not one of the digits 0-9", "write ports with the ASCII digits 0-9")
    return PortSyntaxError("port-invalid", f"{_shown(item)!r} is not a port",
                           "a port is a number (443), a range '1024-2048' or 'all'")


def parse_port(item: object) -> PortRange:
    """One item of a ``ports`` list as an inclusive range; ``(0, 65535)`` for ``all``.

    Raises ``PortSyntaxError`` (never anything else) for any other value, booleans included.
    """
    if isinstance(item, bool) or not isinstance(item, int | str):
        shown = str(item).lower() if isinstance(item, bool) else _shown(repr(item))
        raise PortSyntaxError("port-invalid",
                              f"{shown} is not a port: a port is a number, a range or 'all'",
                              "a port is a number (443), a range '1024-2048' or 'all'")
    if isinstance(item, int):
        if not 0 <= item <= MAX_PORT:
            # str() of an int over 4,300 digits raises: do not echo one that long.
            shown = _shown(str(item)) if item.bit_length() < 128 else "(a number this long)"
            raise PortSyntaxError("port-out-of-range", f"port {shown} is outside 0-{MAX_PORT}",
                                  f"use ports from 0 to {MAX_PORT}")
        return item, item
    match = _ITEM.fullmatch(item)
    if match is None:
        raise _not_a_port(item)
    if match[1]:
        return 0, MAX_PORT
    low = _number(match[2], item)
    high = low if match[3] is None else _number(match[3], item)
    if low > high:
        raise PortSyntaxError("port-range-reversed", f"port range {_shown(item)!r} runs backwards",
                              f"write it as '{high}-{low}'")
    return low, high


def parse_ports(value: object) -> PortSet:
    """A blueprint's ``ports`` value: ``None`` or ``all`` (every port) or a list of items.

    Raises ``PortSyntaxError`` for the first bad item, with its ``index``; an empty list is
    the empty set (the blueprint checks report it).
    """
    if value is None or value == "all":
        return PortSet.full()
    if not isinstance(value, list | tuple):
        raise PortSyntaxError("port-invalid",
                              f"ports must be a list (e.g. [80, 443, \"1024-2048\"]) or 'all', "
                              f"got {_shown(repr(value))}",
                              "write ports as numbers, quoted ranges like \"1024-2048\", or 'all'")
    ranges = []
    for index, item in enumerate(value):
        try:
            ranges.append(parse_port(item))
        except PortSyntaxError as error:
            error.index = index
            raise
    return PortSet(ranges)


# --- formatting ------------------------------------------------------------------------------


def format_port_list(ranges: Iterable[PortRange], *, separator: str = ",",
                     full: str = "all") -> str:
    """``80,443,1024-65535``; ``full`` for every port (0-65535); ``none`` for no port."""
    merged = ranges if isinstance(ranges, PortSet) else PortSet(ranges)
    if merged.is_full():
        return full
    if not merged:
        return "none"
    return separator.join(str(lo) if lo == hi else f"{lo}-{hi}" for lo, hi in merged)


def format_ports(protocol: str, ranges: Iterable[PortRange], *, separator: str = ",",
                 full: str = "all", all_protocols: str = "all") -> str:
    """Protocol and ports as text: ``tcp 80,443``, ``udp all``, ``icmp``, ``all``.

    icmp and protocol ``all``/``-1`` carry no ports, so none are shown; ``all_protocols`` is
    the text for the latter (rule descriptions say ``all traffic``), ``full`` the text for
    every port (rule descriptions spell it ``0-65535``).
    """
    if protocol in ("all", "-1"):
        return all_protocols
    if protocol == "icmp":
        return "icmp"
    return f"{protocol} {format_port_list(ranges, separator=separator, full=full)}"

"""Immutable sets of ports (0-65535) as merged inclusive intervals: never enumerate ports."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

__all__ = ["MAX_PORT", "PortRange", "PortSet"]

MAX_PORT = 65535
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
        ranges = self._ranges
        return len(ranges) == 1 and ranges[0] == (0, MAX_PORT)

    def __contains__(self, port: object) -> bool:
        if not isinstance(port, int):
            return False
        return any(low <= port <= high for low, high in self._ranges)

    def first(self) -> int | None:
        return self._ranges[0][0] if self._ranges else None

    def union(self, other: PortSet) -> PortSet:
        if not other._ranges or other is self:
            return self
        if not self._ranges:
            return other
        if self.is_full() or other.is_full():
            return _FULL
        # Linear merge of two sorted, merged range lists.
        a, b = self._ranges, other._ranges
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
        if self.is_full():
            return other
        if other.is_full():
            return self
        out: list[PortRange] = []
        a, b = self._ranges, other._ranges
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
        return PortSet._trusted(tuple(out))

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
        if not other._ranges or not self._ranges:
            return self
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
        if self.is_full():
            return "all"
        if not self._ranges:
            return "none"
        return ",".join(str(lo) if lo == hi else f"{lo}-{hi}" for lo, hi in self._ranges)

    def to_json(self) -> list[list[int]]:
        return [[low, high] for low, high in self._ranges]


_FULL = PortSet(((0, MAX_PORT),))
_EMPTY = PortSet()

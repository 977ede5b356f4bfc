"""PortSet: interval algebra checked against Python sets on a small port domain."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tierform.ports import PortSet

SMALL = 40
ranges = st.lists(st.tuples(st.integers(0, SMALL), st.integers(0, SMALL)), max_size=5)


def as_set(ports: PortSet) -> set[int]:
    return {p for low, high in ports for p in range(low, high + 1)}


def make(pairs: list[tuple[int, int]]) -> tuple[PortSet, set[int]]:
    ports = PortSet((min(a, b), max(a, b)) for a, b in pairs)
    return ports, {p for a, b in pairs for p in range(min(a, b), max(a, b) + 1)}


@given(ranges, ranges)
def test_algebra_matches_sets(left: list[tuple[int, int]], right: list[tuple[int, int]]) -> None:
    a, sa = make(left)
    b, sb = make(right)
    assert as_set(a | b) == sa | sb
    assert as_set(a & b) == sa & sb
    assert as_set(a - b) == sa - sb
    assert all(p in a for p in sa)
    assert a.issubset(a | b)
    # canonical form: sorted, disjoint, not adjacent
    merged = list(a | b)
    assert all(merged[i][1] + 1 < merged[i + 1][0] for i in range(len(merged) - 1))


def test_full_empty_and_text() -> None:
    assert PortSet.full().is_full()
    assert not PortSet.empty()
    assert str(PortSet.of(80, 443) | PortSet.range(1024, 65535)) == "80,443,1024-65535"
    assert str(PortSet.full()) == "all"
    assert PortSet.full() - PortSet.range(0, 1023) == PortSet.range(1024, 65535)
    assert PortSet([(5, 1)]) == PortSet.empty()
    assert PortSet([(-5, 3), (65530, 70000)]).to_json() == [[0, 3], [65530, 65535]]
    assert PortSet.full().size == 65536
    assert PortSet.range(10, 20).first() == 10


def test_immutable() -> None:
    ports = PortSet.of(22)
    with pytest.raises(AttributeError):
        ports._ranges = ()  # type: ignore[misc]
    assert hash(ports) == hash(PortSet.of(22))

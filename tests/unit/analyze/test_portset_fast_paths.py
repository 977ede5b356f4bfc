"""PortSet's one-range fast paths (the analyzer's inner loop) against plain sets of ports,
with ranges at both ends of 0-65535, where the shortcuts for the full set, for adjacent
ranges and for cutting one range out of others decide."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tierform.ports import MAX_PORT, PortSet

EDGES = st.one_of(st.integers(0, 6), st.integers(MAX_PORT - 6, MAX_PORT),
                  st.sampled_from([1023, 1024, 1025]))
RANGES = st.lists(st.tuples(EDGES, EDGES).map(sorted).map(tuple), max_size=3)


def ports_of(ranges: PortSet) -> set[int]:
    return {p for low, high in ranges for p in range(low, high + 1)}


def canonical(ranges: PortSet) -> bool:
    items = ranges.ranges
    return (all(0 <= low <= high <= MAX_PORT for low, high in items)
            and all(items[i][1] + 1 < items[i + 1][0] for i in range(len(items) - 1))
            and PortSet(items) == ranges and hash(PortSet(items)) == hash(ranges))


@settings(max_examples=300, deadline=None)
@given(RANGES, RANGES)
def test_union_intersection_difference_match_sets(left: list[tuple[int, int]],
                                                  right: list[tuple[int, int]]) -> None:
    a, b = PortSet(left), PortSet(right)
    sa, sb = ports_of(a), ports_of(b)
    for got, expected in ((a | b, sa | sb), (a & b, sa & sb), (a - b, sa - sb),
                          (b - a, sb - sa), (a - a, set()), (a | a, sa), (a & a, sa)):
        assert ports_of(got) == expected
        assert canonical(got)
    assert (a | b).is_full() == (len(sa | sb) == MAX_PORT + 1)
    assert bool(a & b) == bool(sa & sb)


def test_full_and_empty_are_returned_as_such() -> None:
    full, empty, web = PortSet.full(), PortSet.empty(), PortSet.range(80, 443)
    assert (web | full) is full
    assert (full | web) is full
    assert (web & full) is web
    assert (full & web) is web
    assert (web & empty) is empty
    assert (web - full) is empty
    assert (web - web) is empty
    assert PortSet.range(0, 99) | PortSet.range(100, MAX_PORT) == full
    assert (PortSet.range(0, 99) | PortSet.range(100, MAX_PORT)).is_full()
    assert full - web == PortSet(((0, 79), (444, MAX_PORT)))

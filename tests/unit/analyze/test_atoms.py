"""atoms.py: IPv4 cut into atoms, each CIDR minus the CIDRs nested in it."""

from __future__ import annotations

from ipaddress import IPv4Network

from tierform.analyze.atoms import as_net, atoms, cidr_text


def net(cidr: str) -> tuple[int, int]:
    found = as_net(cidr)
    assert found is not None
    return found


def test_partial_overlap_leaves_an_atom_per_remainder() -> None:
    found = {cidr_text(a.node): [cidr_text(n) for n in a.chain]
             for a in atoms([net("10.0.0.0/16"), net("10.0.1.0/24"), net("10.0.1.0/25")])}
    # 10.0.1.0/24 keeps its upper half, so it is an atom; chains run most specific first.
    assert found == {
        "0.0.0.0/0": ["0.0.0.0/0"],
        "10.0.0.0/16": ["10.0.0.0/16", "0.0.0.0/0"],
        "10.0.1.0/24": ["10.0.1.0/24", "10.0.0.0/16", "0.0.0.0/0"],
        "10.0.1.0/25": ["10.0.1.0/25", "10.0.1.0/24", "10.0.0.0/16", "0.0.0.0/0"],
    }


def test_a_cidr_covered_by_its_children_is_no_atom() -> None:
    found = [cidr_text(a.node) for a in atoms([net("10.0.0.0/24"), net("10.0.0.0/25"),
                                               net("10.0.0.128/25")])]
    assert "10.0.0.0/24" not in found
    assert sorted(found) == ["0.0.0.0/0", "10.0.0.0/25", "10.0.0.128/25"]


def test_only_ipv4_cidrs_are_nets() -> None:
    assert as_net(IPv4Network("10.0.0.0/8")) == (10 << 24, 8)
    assert as_net("10.0.0.1/8") == (10 << 24, 8)  # host bits are dropped, as AWS does
    assert as_net("::/0") is None
    assert as_net("pl-63a5400a") is None
    assert as_net(None) is None

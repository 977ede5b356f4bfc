"""Name tags: the prefix alone as a bare reference, every other Name the prefix and its
parts joined by one separator; a NAT gateway and its EIP are named after their subnet."""

from __future__ import annotations

import re
from typing import Any

import hcl2


def _names(text: str) -> dict[str, str]:
    """Resource address -> its Name tag expression, as written."""
    out: dict[str, str] = {}
    for block in re.findall(r'^resource "(\w+)" "(\w+)" \{\n(.*?)^\}', text, re.S | re.M):
        kind, name, body = block
        found = re.search(r"^\s+Name = (.+)$", body, re.M)
        if found:
            out[f"{kind}.{name}"] = found.group(1)
    return out


def test_no_interpolation_only_name(case: Any) -> None:
    for path, text in case.files.items():
        assert '"${var.name_prefix}"' not in text, path
    assert _names(case.files["vpc.tf"])["aws_vpc.this"] == "var.name_prefix"


def test_nat_and_eip_are_named_like_their_subnet(case: Any) -> None:
    names = _names(case.files["nat.tf"])
    subnets = _names(case.files["subnets.tf"])
    assert len(names) == 2 * len(case.layout.nats)
    for nat in case.layout.nats:
        subnet = subnets[f"aws_subnet.{nat.subnet}"]
        expected = subnet.replace('"${var.name_prefix}-', '"${var.name_prefix}-nat-', 1)
        assert names[f"aws_nat_gateway.{nat.name}"] == expected
        assert names[f"aws_eip.{nat.name}"] == expected
        assert expected.endswith(f'-nat-{nat.tier}-{nat.suffix}"')


def test_name_tags_parse_as_the_prefix_and_a_suffix(case: Any) -> None:
    """Every Name reads back (python-hcl2) as ``${var.name_prefix}`` or ``...-suffix``."""
    for path, text in case.files.items():
        if not path.endswith(".tf"):
            continue
        for name in _names(text).values():
            value = hcl2.loads(f"x = {name}\n")["x"]
            assert value == "${var.name_prefix}" or re.fullmatch(
                r'"\$\{var\.name_prefix\}-[a-z0-9_-]+"', value), (path, name)

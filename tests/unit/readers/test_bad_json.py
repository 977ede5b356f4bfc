"""Corpus of bad plan/state JSON: each ends in exit 2 with a message naming what is wrong
(and, for an attribute, the resource and attribute), never a traceback and never a wrong
answer. An integer ``cidr_block`` used to be read as 10.0.0.0/32, dropping every flow with
exit 0; 100k-deep nesting, 5,000-digit integers and ``Infinity`` in ``rule_number`` or
``icmp_type`` were tracebacks."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from cli_support import failed, tierform
from tierform.errors import ReadError
from tierform.readers.files import network_from_json_file
from tierform.readers.terraform_json import load_document, whole_number

ROOT = Path(__file__).resolve().parents[3]
STATE = json.loads((ROOT / "tests" / "fixtures" / "handwritten" / "three-tier.state.json")
                   .read_text(encoding="utf-8"))
PLAN = json.loads((ROOT / "tests" / "plan" / "fixtures" / "tiny.plan.json")
                  .read_text(encoding="utf-8"))
_MARK = "__TIERFORM_TEST_VALUE__"


def _objects(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _objects(value)
    elif isinstance(node, list):
        for value in node:
            yield from _objects(value)


def _replaced(document: dict[str, Any], match: Callable[[dict[str, Any]], bool], key: str,
              raw: str) -> str:
    """The document with ``key`` of the first object ``match`` accepts set to the raw JSON
    text ``raw`` (which may be what json.dumps cannot write: Infinity, 5,000 digits)."""
    copied = copy.deepcopy(document)
    target = next(o for o in _objects(copied) if match(o))
    target[key] = _MARK
    return json.dumps(copied).replace(json.dumps(_MARK), raw)


def _subnet(obj: dict[str, Any]) -> bool:
    return isinstance(obj.get("cidr_block"), str) and "map_public_ip_on_launch" in obj


def _acl_rule(obj: dict[str, Any]) -> bool:
    return "rule_number" in obj


def _icmp(obj: dict[str, Any]) -> bool:
    return "icmp_type" in obj


CASES: dict[str, tuple[str, tuple[str, ...]]] = {
    "deep-nesting": ("[" * 100_000 + "]" * 100_000, ("nested deeper than can be read",)),
    "deep-values": ('{"values": ' + "[" * 100_000 + "]" * 100_000 + "}",
                    ("nested deeper than can be read",)),
    "huge-integer": (json.dumps(STATE).replace('"format_version"',
                                               f'"big": {"9" * 5000}, "format_version"', 1),
                     ("a number of 5000 digits",)),
    "rule-number-infinity": (_replaced(STATE, _acl_rule, "rule_number", "Infinity"),
                             ("Infinity is not a JSON number",)),
    "rule-number-nan": (_replaced(STATE, _acl_rule, "rule_number", "NaN"),
                        ("NaN is not a JSON number",)),
    "icmp-type-minus-infinity": (_replaced(STATE, _icmp, "icmp_type", "-Infinity"),
                                 ("-Infinity is not a JSON number",)),
    "rule-number-fraction": (_replaced(STATE, _acl_rule, "rule_number", "100.5"),
                             ("rule_number is 100.5, not a whole number",)),
    "rule-number-flag": (_replaced(STATE, _acl_rule, "rule_number", "true"),
                         ("rule_number is True, not a whole number",)),
    "state-cidr-integer": (_replaced(STATE, _subnet, "cidr_block", "167772160"),
                           ("aws_subnet.", "cidr_block is 167772160, not a CIDR")),
    "state-cidr-flag": (_replaced(STATE, _subnet, "cidr_block", "true"),
                        ("aws_subnet.", "cidr_block is True, not a CIDR")),
    "state-cidr-list": (_replaced(STATE, _subnet, "cidr_block", '["10.0.0.0/24"]'),
                        ("aws_subnet.", "cidr_block is ['10.0.0.0/24'], not a CIDR")),
    "state-cidr-malformed": (_replaced(STATE, _subnet, "cidr_block", '"10.0.0.0/33"'),
                             ("aws_subnet.", "cidr_block '10.0.0.0/33' is not a CIDR")),
    "state-cidr-host-bits": (_replaced(STATE, _subnet, "cidr_block", '"10.0.1.7/24"'),
                             ("aws_subnet.", "has host bits set")),
    "plan-cidr-integer": (_replaced(PLAN, _subnet, "cidr_block", "167772160"),
                          ("aws_subnet.", "cidr_block is 167772160, not a CIDR")),
    "acl-cidr-integer": (_replaced(STATE, lambda o: "rule_number" in o and "cidr_block" in o,
                                   "cidr_block", "167772160"),
                         ("aws_network_acl_rule.", "cidr_block is 167772160, not a CIDR")),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_json_is_a_read_error_naming_what(name: str, tmp_path: Path) -> None:
    text, needles = CASES[name]
    path = tmp_path / f"{name}.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ReadError) as caught:
        network_from_json_file(path)
    message = str(caught.value)
    assert message.startswith(str(path)), message
    for needle in needles:
        assert needle in message, message


@pytest.mark.parametrize("name", ["deep-nesting", "huge-integer", "rule-number-infinity",
                                  "state-cidr-integer"])
def test_reach_exits_2_without_traceback(name: str, tmp_path: Path) -> None:
    text, needles = CASES[name]
    (tmp_path / "doc.json").write_text(text, encoding="utf-8")
    failed(tierform("reach", "doc.json", cwd=tmp_path), 2, "doc.json", *needles, stdout="")


def test_the_unmodified_documents_read() -> None:
    """The corpus changes one value each: the documents it starts from are readable."""
    for document in (STATE, PLAN):
        load_document(json.dumps(document), "doc.json")


@pytest.mark.parametrize(("value", "expected"), [(100, 100), (100.0, 100), ("32767", 32767),
                                                 ("-1", -1)])
def test_whole_numbers_terraform_writes(value: object, expected: int) -> None:
    assert whole_number(value, "r", "rule_number") == expected


@pytest.mark.parametrize("value", [True, 1.5, float("inf"), "١٢", "1e3", None, 2**40, [1]])
def test_whole_numbers_terraform_never_writes(value: object) -> None:
    with pytest.raises(ReadError, match=r"r: rule_number is .* not a whole number"):
        whole_number(value, "r", "rule_number")

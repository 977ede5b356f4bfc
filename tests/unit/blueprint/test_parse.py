"""The text and YAML stages (tierform.blueprint.parse), seen through the loader: control
characters, alias bombs and nesting, duplicate keys, keys that are not text, and numbers
that are not plain decimal (YAML 1.1 reads 0755 as octal, 20:21 as base 60)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tierform.blueprint.load import load_blueprint_text
from tierform.errors import BlueprintError

THREE_TIER = Path(__file__).parent / "corpus_valid" / "three-tier.yaml"


def _error(text: str, file: str = "t.yaml") -> BlueprintError:
    with pytest.raises(BlueprintError) as caught:
        load_blueprint_text(text, file)
    return caught.value


def test_duplicate_keys_are_all_reported() -> None:
    error = _error("tierform: 1\nname: a\nname: b\nvpc: {cidr: 10.0.0.0/16, cidr: 10.1.0.0/16}\n")
    # The missing keys are reported in the same pass.
    assert {f.code for f in error.findings} == {"duplicate-key", "missing-key"}
    assert [(f.key_path, f.line, f.column) for f in error.findings
            if f.code == "duplicate-key"] == [
        ("name", 3, 1), ("vpc.cidr", 4, 26),
    ]


def test_alias_bomb_is_refused_quickly() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [*a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}, "
              f"*a{i-1}, *a{i-1}, *a{i-1}]" for i in range(1, 9)]
    error = _error("\n".join(lines) + "\n")
    assert error.findings[0].code == "yaml-too-large"


def test_recursive_alias_is_refused() -> None:
    error = _error("tierform: 1\nname: &loop [*loop]\n")
    assert error.findings[0].code == "yaml-recursive"
    assert (error.findings[0].line, error.findings[0].column) == (2, 7)  # the anchored node


def test_deep_nesting_is_refused() -> None:
    error = _error("a: " + "[" * 60 + "]" * 60 + "\n")
    assert error.findings[0].code == "yaml-too-deep"
    # Deeper than Python's recursion limit: PyYAML itself recurses; still one finding.
    error = _error("a: " + "[" * 1100 + "]" * 1100 + "\n")
    assert error.findings[0].code == "yaml-too-deep"


@pytest.mark.parametrize(("char", "name"), [
    ("\x00", "NUL"), ("\x1b", "ESC"), ("\x7f", "DEL"), ("\x9b", "a control character"),
    ("\ufffe", "a control character"),
])
def test_control_characters_are_findings_with_their_place(char: str, name: str) -> None:
    error = _error(f"tierform: 1\nname: a{char}b\n")
    assert [(f.code, f.line, f.column) for f in error.findings] == [("control-character", 2, 8)]
    assert f"U+{ord(char):04X} ({name})" in error.findings[0].message


def test_many_control_characters_are_counted_not_listed() -> None:
    error = _error("\x00" * 100_000)
    assert len(error.findings) == 21
    assert error.findings[-1].message == "99,980 more control characters after these"



# --------------------------------------------------------------------------- YAML 1.1 readings

NUMBERS = [
    # (value as written, code, part of the message)
    ("0755", "yaml-number", "0755 is read by YAML 1.1 as the octal number 493"),
    ("20:21", "yaml-number", "20:21 is read by YAML 1.1 as the base-60 number 1221"),
    ("0x50", "yaml-number", "the hexadecimal number 80"),
    ("0b1010", "yaml-number", "the binary number 10"),
    ("1_000", "yaml-number", "1_000 is read by YAML 1.1 as the number 1000"),
    ("+80", "yaml-number", "+80 is read by YAML 1.1 as the number 80"),
    ("1:30.5", "yaml-number", "the base-60 number 90.5"),
    ("1.0e+3", "yaml-number", "the number 1000.0"),
    (".inf", "yaml-number", "infinity"),
    (".NaN", "yaml-number", "not-a-number"),
    ("9" * 21, "yaml-number", "a number of 21 characters is too long"),
    ("9" * 5000, "yaml-number", "a number of 5,000 characters is too long"),
    ("1" * 5000 + ".5", "yaml-number", "a number of 5,002 characters is too long"),
    ("!!int abc", "yaml-number", "'abc' is not a number"),
    ("!!float x", "yaml-number", "'x' is not a number"),
    ("!!bool maybe", "yaml-number", "'maybe' is not true or false"),
    ("!!timestamp x", "yaml-date", "x is read by YAML as a date"),
    ("2024-01-01", "yaml-date", "2024-01-01 is read by YAML as a date"),
]


@pytest.mark.parametrize(("written", "code", "message"), NUMBERS,
                         ids=[n[0][:12] for n in NUMBERS])
@pytest.mark.parametrize("where", ["ports", "netmask", "description"])
def test_numbers_are_plain_decimal(written: str, code: str, message: str, where: str) -> None:
    text = THREE_TIER.read_text(encoding="utf-8")
    text = {"ports": text.replace("ports: [3306]", f"ports: [{written}]"),
            "netmask": text.replace("netmask: 24", f"netmask: {written}"),
            "description": text.replace("description: SEC05-BP01 reference network",
                                        f"description: {written}")}[where]
    error = _error(text)
    assert [(f.code, f.message) for f in error.findings if f.code == code]
    assert any(message in f.message for f in error.findings), str(error)
    # Said once, where it was written; not again by the shape check of the same value.
    assert len(error.findings) == 1, str(error)
    finding = error.findings[0]
    line = text.splitlines()[finding.line - 1]
    assert line[finding.column - 1:].startswith(written[:8])


def test_base_60_ports_hint_at_a_range() -> None:
    text = THREE_TIER.read_text(encoding="utf-8").replace("ports: [3306]", "ports: [20:21]")
    assert _error(text).findings[0].hint == 'for the ports 20 to 21 write "20-21"'


def test_plain_numbers_and_flags_still_load() -> None:
    text = THREE_TIER.read_text(encoding="utf-8")
    for edit in [("ports: [3306]", "ports: [0, 65535, -0]"), ("netmask: 24", "netmask: 24"),
                 ("vpc: {cidr: 10.0.0.0/16}",
                  "vpc: {cidr: 10.0.0.0/16, enable_dns_support: True}")]:
        load_blueprint_text(text.replace(*edit), "t.yaml")


@pytest.mark.parametrize(("written", "message", "hint"), [
    ("on", "key on is read by YAML 1.1 as the boolean true, not as a name", "quote it: 'on'"),
    ("No", "key No is read by YAML 1.1 as the boolean false", "quote it: 'No'"),
    ("null", "key null is read by YAML 1.1 as an empty value (null)", "quote it: 'null'"),
    ("~", "key ~ is read by YAML 1.1 as an empty value (null)", "quote it: '~'"),
    ("8080", "key 8080 is read by YAML 1.1 as a number", "quote it: '8080'"),
    ("2024-01-01", "key 2024-01-01 is read by YAML 1.1 as a date", "quote it: '2024-01-01'"),
    ("[a, b]", "a key is a list, not a name", "write a name before ':'"),
    ("{a: b}", "a key is a mapping, not a name", "write a name before ':'"),
])
def test_keys_that_are_not_text(written: str, message: str, hint: str) -> None:
    text = THREE_TIER.read_text(encoding="utf-8").replace(
        "tags: {Environment: Production}", f"tags:\n  Environment: Production\n  ? {written}\n"
                                           "  : x\n")
    error = _error(text)
    assert (error.findings[0].code, error.findings[0].line, error.findings[0].column) == (
        "key-not-text", 31, 5)
    # Other findings are about the same key once read as text ('~' is not a tag character).
    assert {(f.line, f.column) for f in error.findings} == {(31, 5)}
    assert message in error.findings[0].message
    assert error.findings[0].hint.startswith(hint)


def test_a_tier_named_on_is_checked_once_quoted() -> None:
    text = THREE_TIER.read_text(encoding="utf-8").replace("  db:  {", "  on:  {").replace(
        "to: db,", "to: 'on',")
    error = _error(text)
    assert [(f.code, f.key_path) for f in error.findings] == [("key-not-text", "tiers.on")]
    load_blueprint_text(text.replace("  on:  {", "  'on':  {"), "t.yaml")



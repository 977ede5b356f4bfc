"""HCL/Markdown filters: every escape the renderer relies on."""

from __future__ import annotations

import pytest

from tierform.render.filters import (
    hcl_identifier,
    hcl_key,
    hcl_string,
    hcl_value,
    md_cell,
    name_tag,
)
from tierform.render.hclfmt import align_equals, tidy


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("plain", '"plain"'),
        ('say "hi"', '"say \\"hi\\""'),
        ("back\\slash", '"back\\\\slash"'),
        ("${srcaddr}", '"$${srcaddr}"'),
        ("%{ if x }", '"%%{ if x }"'),
        ("$ and % alone", '"$ and % alone"'),
        ("$${already}", '"$$${already}"'),
        ("line\nbreak", '"line\\nbreak"'),
        ("cr\rtab\t", '"cr\\rtab\\t"'),
        ("bell\x07", '"bell\\u0007"'),
        ("del\x7f", '"del\\u007f"'),
        ("Zürich ✓", '"Zürich ✓"'),
        ("", '""'),
        (42, '"42"'),
    ],
)
def test_hcl_string_escapes(raw: object, expected: str) -> None:
    assert hcl_string(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("three-tier", "three_tier"), ("Web", "web"), ("9lives", "_9lives"), ("", "_"),
     ("a.b c", "a_b_c")],
)
def test_hcl_identifier(raw: str, expected: str) -> None:
    assert hcl_identifier(raw) == expected


def test_hcl_key_quotes_only_when_needed() -> None:
    assert hcl_key("Environment") == "Environment"
    assert hcl_key("aws:cost") == '"aws:cost"'
    assert hcl_key("us-east-1a") == "us-east-1a"
    assert hcl_key("has space") == '"has space"'


def test_hcl_value_sorts_maps_and_handles_scalars() -> None:
    assert hcl_value({"b": 1, "a": True}) == "{a = true, b = 1}"
    assert hcl_value(None) == "null"
    assert hcl_value(["x", 2]) == '["x", 2]'


def test_md_cell_escapes_pipes_and_newlines() -> None:
    assert md_cell("a | b\nc") == "a \\| b c"


def test_align_equals_follows_terraform_fmt_chains() -> None:
    text = 'a = 1\nlong_name = "x=y"\n\nb = 2\ntags = merge(x, {\n  K = "v"\n  Long = "w"\n})\n'
    assert align_equals(text) == (
        'a         = 1\nlong_name = "x=y"\n\nb = 2\ntags = merge(x, {\n  K    = "v"\n'
        '  Long = "w"\n})\n'
    )


def test_align_equals_ignores_comparisons_and_comments() -> None:
    text = "x = a == b\n# c = d\nyy = 1\n"
    assert align_equals(text) == "x = a == b\n# c = d\nyy = 1\n"


def test_tidy_collapses_blank_runs_and_ends_with_one_newline() -> None:
    assert tidy("\n\na  \n\n\n\nb\n\n\n") == "a\n\nb\n"


def test_a_trailing_newline_is_not_an_identifier() -> None:
    """Python's ``$`` matches before a final newline: ``web\\n`` must be quoted, not bare."""
    from tierform.render.filters import hcl_identifier, hcl_key

    assert hcl_key("A\n") == '"A\\n"'
    assert hcl_key("A") == "A"
    assert hcl_identifier("A\n") != "A\n"


def test_name_tag_is_the_prefix_alone_or_prefix_and_parts_with_one_separator() -> None:
    # The prefix alone is a bare reference: tflint flags an interpolation-only string.
    assert name_tag([]) == "var.name_prefix"
    assert name_tag(["igw"]) == '"${var.name_prefix}-igw"'
    assert name_tag(["nat", "web", "a"]) == '"${var.name_prefix}-nat-web-a"'
    assert name_tag(["a\"b", "${x}"]) == '"${var.name_prefix}-a\\"b-$${x}"'

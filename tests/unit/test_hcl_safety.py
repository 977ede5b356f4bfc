"""Hostile user text never breaks the rendered module (property tests, no terraform).

User text reaches the output in four places: tag keys and values (HCL, ``vpc.tf``),
and the blueprint, tier and flow descriptions (README tables). Names, regions, zones
and CIDRs are constrained by the schema and the checks, so they are not fuzzed here.

python-hcl2 keeps string literals raw (quotes and escapes included), so the comparison
decodes them with ``hcl_unquote`` below: HCL's escapes (``\\n``, ``\\uXXXX`` ...) and its
template escapes (``$${`` -> ``${``, ``%%{`` -> ``%{``), scanned left to right as
Terraform does (checked against terraform in tests/plan/test_hcl_safety_plan.py).

python-hcl2 (8.1) cannot parse an escaped template sequence whose braces do not balance
(``"$${"``, ``"%%{x"``), although Terraform reads them fine (``"${"``, ``"%{x"``).
``hcl2_loads`` therefore swaps ``$${``/``%%{`` for private-use sentinels before parsing
and ``hcl_unquote`` swaps them back; the fuzzed alphabet leaves the sentinel out.
"""

from __future__ import annotations

import copy
from typing import Any

import hcl2
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tierform.blueprint.load import LoadedBlueprint, load_blueprint_text
from tierform.errors import BlueprintError
from tierform.layout import plan_layout
from tierform.render.filters import hcl_key, hcl_string, md_cell, md_text
from tierform.render.module import render_module

# --------------------------------------------------------------------------- helpers

_SENTINEL = "\ue000"
_WORKAROUND = (("$${", _SENTINEL + "D"), ("%%{", _SENTINEL + "P"))


def hcl2_loads(text: str) -> dict[str, Any]:
    """``hcl2.loads`` around its unbalanced-brace limitation (see the module docstring)."""
    for escaped, stand_in in _WORKAROUND:
        text = text.replace(escaped, stand_in)  # leftmost first, as HCL's scanner reads
    parsed: dict[str, Any] = hcl2.loads(text)
    return parsed


_SIMPLE_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}


def hcl_unquote(raw: str) -> str:
    """The value of an HCL quoted string literal as python-hcl2 returns it (quotes kept).

    Raises ValueError on anything Terraform would read differently: an unescaped
    ``${``/``%{`` (interpolation), a bare quote or line break, an unknown escape.
    """
    if len(raw) < 2 or raw[0] != '"' or raw[-1] != '"':
        raise ValueError(f"not a quoted string literal: {raw!r}")
    for escaped, stand_in in _WORKAROUND:
        raw = raw.replace(stand_in, escaped)
    body, out, i = raw[1:-1], [], 0
    while i < len(body):
        ch = body[i]
        if ch == "\\":
            code = body[i + 1:i + 2]
            if code in _SIMPLE_ESCAPES:
                out.append(_SIMPLE_ESCAPES[code])
                i += 2
            elif code in ("u", "U"):
                width = 4 if code == "u" else 8
                out.append(chr(int(body[i + 2:i + 2 + width], 16)))
                i += 2 + width
            else:
                raise ValueError(f"unknown escape \\{code} in {raw!r}")
        elif body.startswith(("$${", "%%{"), i):
            out.append(ch + "{")
            i += 3
        elif body.startswith(("${", "%{"), i):
            raise ValueError(f"unescaped template sequence at {i} in {raw!r}")
        elif ch in '"\n\r':
            raise ValueError(f"bare {ch!r} inside {raw!r}")
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def hcl_unkey(raw: str) -> str:
    """An object key as python-hcl2 returns it: bare identifier, or a quoted literal."""
    return hcl_unquote(raw) if raw.startswith('"') else raw


def gfm_cells(row: str) -> list[str]:
    """Cells of a GitHub-flavoured Markdown table row, split as cmark-gfm does.

    A backslash escapes the next character (so ``\\|`` is not a separator, but in
    ``\\\\|`` the pipe is); every other ``|`` separates cells.
    """
    text = row.strip()
    assert text.startswith("|"), row
    assert text.endswith("|"), row
    cells, current, i = [], "", 1
    while i < len(text) - 1:
        ch = text[i]
        if ch == "\\" and i + 1 < len(text) - 1:
            current += text[i:i + 2]
            i += 2
            continue
        if ch == "|":
            cells.append(current)
            current = ""
        else:
            current += ch
        i += 1
    cells.append(current)
    return [c.strip() for c in cells]


BASE: dict[str, Any] = {
    "tierform": 1,
    "name": "hostile",
    "description": "plain",
    "region": "us-east-1",
    "vpc": {"cidr": "10.0.0.0/16"},
    "availability_zones": ["us-east-1a"],
    "tiers": {
        "web": {"exposure": "public", "cidrs": ["10.0.1.0/24"], "description": "plain"},
        "db": {"exposure": "isolated", "netmask": 24, "description": "plain"},
    },
    "flows": [
        {"from": "internet", "to": "web", "ports": [443], "description": "plain"},
        {"from": "web", "to": "db", "ports": [5432], "description": "plain"},
    ],
    "tags": {"Environment": "plain"},
}


def yaml_quote(text: str) -> str:
    """A YAML double-quoted scalar that reads back exactly (only ASCII, every other char escaped).

    ``yaml.safe_dump`` does not round-trip every string (it writes U+0085 as a line break,
    which reads back as a space), so the hostile values are spliced in by hand.
    """
    out = []
    for ch in text:
        code = ord(ch)
        if ch in '"\\':
            out.append("\\" + ch)
        elif 0x20 <= code < 0x7F:
            out.append(ch)
        else:
            out.append(f"\\x{code:02x}" if code < 0x100 else
                       f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}")
    return '"' + "".join(out) + '"'


def blueprint_yaml(description: str, tier_description: str, flow_description: str,
                   tags: dict[str, str]) -> str:
    """The BASE blueprint as YAML with the given text in place."""
    doc = copy.deepcopy(BASE)
    texts: list[str] = []

    def slot(text: str) -> str:
        texts.append(text)
        return f"SLOT{len(texts) - 1}END"

    doc["description"] = slot(description)
    doc["tiers"]["web"]["description"] = slot(tier_description)
    doc["flows"][1]["description"] = slot(flow_description)
    doc["tags"] = {slot(key): slot(value) for key, value in tags.items()}
    dumped = yaml.safe_dump(doc, sort_keys=False, width=10_000)
    for index, text in enumerate(texts):
        dumped = dumped.replace(f"SLOT{index}END", yaml_quote(text), 1)
    return dumped


def load(text: str) -> LoadedBlueprint:
    return load_blueprint_text(text, "hostile.yaml")


def parse_tf(files: dict[str, str]) -> dict[str, dict[str, Any]]:
    parsed = {}
    for path, text in files.items():
        if path.endswith(".tf"):
            try:
                parsed[path] = hcl2_loads(text)
            except Exception as exc:  # any parser error is the finding
                pytest.fail(f"{path} does not parse as HCL: {exc}\n{text}")
    return parsed


def blueprint_tags(parsed: dict[str, dict[str, Any]]) -> dict[str, str]:
    """``locals.blueprint_tags`` of vpc.tf, decoded."""
    raw = next(block["blueprint_tags"] for block in parsed["vpc.tf"]["locals"]
               if "blueprint_tags" in block)
    return {hcl_unkey(k): hcl_unquote(v) for k, v in raw.items() if k != "__is_block__"}


def table_rows(readme: str, header: str) -> list[str]:
    lines = readme.splitlines()
    start = lines.index(header)
    rows = []
    for line in lines[start + 2:]:
        if not line.startswith("|"):
            break
        rows.append(line)
    return rows


# --------------------------------------------------------------------------- strategies

# Pieces that have broken HCL or Markdown generators somewhere: quotes, escapes, template
# sigils (escaped and not), line breaks, control characters, bidi overrides, emoji, pipes.
_FRAGMENTS = ['"', "\\", "${", "%{", "$${", "%%{", "$$", "$", "%", "{", "}", "\n", "\r\n", "\t",
              "\x00", "\x01", "\x1b[31m", "\x7f", "\x85", "\u2028", "\ufeff", "\u202e",
              "\u200f", "שלום", "مرحبا", "😀", "👩‍💻", "|", "\\|", "`", "<br>", "*", "#",
              "\\n", "\\u0041", "${var.x}", "%{ if true }x%{ endif }", "EOT", "<<EOT", " "]

# Any Unicode scalar value: the utf-8 codec leaves out lone surrogates (tested apart below).
_ANY_CHAR = st.characters(codec="utf-8", exclude_characters=_SENTINEL)

hostile = st.lists(st.one_of(st.sampled_from(_FRAGMENTS), st.text(_ANY_CHAR, max_size=4)),
                   max_size=10).map("".join)

# AWS tag rules the checks enforce: key 1-128 characters, no "aws:" prefix; value <= 256.
tag_keys = st.one_of(
    st.sampled_from(["for", "in", "if", "null", "true", "false", "Name", "a-b", "_x", "9x",
                     "a:b", "a b", "${x}", "\\"]),
    hostile.filter(lambda k: 1 <= len(k) <= 128 and not k.lower().startswith("aws:")),
)
tag_values = hostile.filter(lambda v: len(v) <= 256)


# --------------------------------------------------------------------------- properties


@given(st.text(_ANY_CHAR) | hostile)
def test_hcl_string_reads_back_as_the_input(text: str) -> None:
    literal = hcl_string(text)
    assert hcl_unquote(literal) == text
    parsed = hcl2_loads(f"locals {{\n  x = {literal}\n}}\n")
    assert hcl_unquote(parsed["locals"][0]["x"]) == text


@given(tag_keys)
def test_hcl_key_reads_back_as_the_input(key: str) -> None:
    parsed = hcl2_loads(f"locals {{\n  m = {{\n    {hcl_key(key)} = \"v\"\n  }}\n}}\n")
    keys = [k for k in parsed["locals"][0]["m"] if k != "__is_block__"]
    assert [hcl_unkey(k) for k in keys] == [key]


@pytest.mark.parametrize("keyword", ["for", "in", "if", "null", "true", "false"])
def test_hcl_key_quotes_keywords(keyword: str) -> None:
    # `{ for = "x" }` is read by Terraform as the start of a `for` expression
    # ("Invalid 'for' expression"); python-hcl2 accepts it, so check the bytes.
    assert hcl_key(keyword) == f'"{keyword}"'


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(description=hostile, tier_description=hostile, flow_description=hostile,
       tags=st.dictionaries(tag_keys, tag_values, max_size=3))
def test_hostile_text_renders_a_module_that_parses(description: str, tier_description: str,
                                                   flow_description: str,
                                                   tags: dict[str, str]) -> None:
    loaded = load(blueprint_yaml(description, tier_description, flow_description, tags))
    bp = loaded.blueprint
    # The YAML round trip itself must be exact, or the property below tests nothing.
    assert (bp.description, bp.tiers["web"].description, bp.flows[1].description,
            dict(bp.tags)) == (description, tier_description, flow_description, tags)

    files = render_module(plan_layout(bp, loaded.allocation))
    parsed = parse_tf(files)
    assert blueprint_tags(parsed) == tags

    # Descriptions reach only the README: each must stay inside its one table cell.
    readme = files["README.md"]
    tiers = table_rows(readme, "| Tier | Exposure | Subnets | Default route | Description |")
    flows = table_rows(readme, "| Id | From | To | Protocol | Ports | Description |")
    assert [len(gfm_cells(r)) for r in tiers] == [5, 5]
    assert [len(gfm_cells(r)) for r in flows] == [6, 6]
    # Escaped as literal Markdown (md_text: HTML as entities, markers escaped).
    assert gfm_cells(tiers[0])[4] == md_text(tier_description)
    assert gfm_cells(flows[1])[5] == md_text(flow_description)
    # The same README with plain descriptions has as many lines from the tables on.
    plain = load(blueprint_yaml("plain", "plain", "plain", tags))
    plain_readme = render_module(plan_layout(plain.blueprint, plain.allocation))["README.md"]
    assert len(_from_tiers(readme)) == len(_from_tiers(plain_readme))
    if md_text(description):
        assert md_text(description) in readme.splitlines()


def _from_tiers(readme: str) -> list[str]:
    lines = readme.splitlines()
    return lines[lines.index("## Tiers"):]


@pytest.mark.parametrize("cell", ["a|b", "a\\|b", "a\\\\|b", "tail\\", "x\n|\ny", "|"])
def test_md_cell_leaves_no_unescaped_pipe(cell: str) -> None:
    assert len(gfm_cells(f"| {md_cell(cell)} |")) == 1


# --------------------------------------------------------------------------- rejected input


@pytest.mark.parametrize(
    ("tags", "needle"),
    [
        ({"k" * 129: "v"}, "1 to 128 characters"),
        ({"aws:owner": "v"}, "reserved prefix"),
        ({"AWS:owner": "v"}, "reserved prefix"),
        ({"k": "v" * 257}, "over 256 characters"),
    ],
)
def test_tags_aws_refuses_are_blueprint_errors(tags: dict[str, str], needle: str) -> None:
    with pytest.raises(BlueprintError) as caught:
        load(blueprint_yaml("d", "d", "d", tags))
    assert needle in str(caught.value)


@pytest.mark.parametrize("escape", ["\\uD800", "\\uDE00", "\\uD83D\\uDE00"])
def test_surrogate_escapes_do_not_reach_the_renderer(escape: str) -> None:
    """YAML's ``\\uD800`` escape yields a lone surrogate, which no UTF-8 file can hold.

    JSON encoders write emoji as such pairs (``\\uD83D\\uDE00``) and PyYAML does not
    join them. Either the loader joins the pair and the module renders, or it reports
    a finding; it must not hand the renderer a string that crashes the file writer.
    """
    text = blueprint_yaml("d", "d", "d", {"Owner": "x"}).replace('"x"', f'"{escape}"')
    try:
        loaded = load(text)
    except BlueprintError as error:
        message = str(error)
    else:
        for content in render_module(plan_layout(loaded.blueprint, loaded.allocation)).values():
            content.encode("utf-8")
        return
    assert "tags.Owner" in message

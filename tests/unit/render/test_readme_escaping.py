"""Descriptions reach the module README as text, never as Markdown or HTML: hostile
descriptions (raw HTML, links, images, emphasis, headings, autolinks, a table break-out)
render, through a CommonMark renderer, as the very characters written."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest

# markdown-it-py comes with rich (a runtime dependency): the CommonMark reference port.
from markdown_it import MarkdownIt

from tierform.render.filters import md_text
from tierform.render.module import render_module

HOSTILE = [
    '<img src=x onerror="alert(1)">',
    "[click me](https://evil.example/phish)",
    "</td></tr></table><script>alert(document.cookie)</script>",
    "![tracker](https://evil.example/pixel.png)",
    "# Not a heading",
    "1. not a list",
    "- not a list either",
    "**bold** _italic_ `code` ~~struck~~",
    "a | b | c",
    "<a href='javascript:alert(1)'>x</a>",
    "&lt;already escaped&gt; &amp; &#60;b&#62;",
    "back\\slash \\| and \\*",
    "line one\nline two",
    "<!-- comment --> <?php ?> <![CDATA[x]]>",
]
# "em": the README's own text emphasises a word; a description's "_italic_" stays literal
# (the text check below finds it as written).
_ALLOWED_TAGS = {"h1", "h2", "h3", "p", "table", "thead", "tbody", "tr", "th", "td", "code",
                 "ul", "li", "pre", "em"}


def _html(markdown: str) -> str:
    return MarkdownIt("commonmark").enable("table").render(markdown)


@pytest.mark.parametrize("text", HOSTILE)
def test_md_text_renders_as_written(text: str) -> None:
    rendered = _html(md_text(text))
    assert re.fullmatch(r"<p>(.*)</p>\n", rendered, re.S), rendered
    assert html.unescape(rendered[3:-5]) == " ".join(text.split())


@pytest.mark.parametrize(("text", "escaped"), [
    ("see https://evil.example/x", "see https\\://evil.example/x"),
    ("see www.evil.example", "see www\\.evil.example"),
    ("mail me@evil.example", "mail me\\@evil.example")])
def test_gfm_autolinks_are_broken_up(text: str, escaped: str) -> None:
    # GFM links bare URLs, www. names and e-mail addresses (CommonMark does not, so the
    # renderer here cannot show it): the marker is escaped, and reads back as written.
    assert md_text(text) == escaped
    assert html.unescape(_html(escaped))[3:-5] == text


def test_hostile_descriptions_stay_text_in_the_module_readme(
        four_tier: dict[str, Any], layout_of: Any) -> None:
    four_tier["description"] = HOSTILE[0] + " " + HOSTILE[3]
    for tier, text in zip(four_tier["tiers"], HOSTILE[1:], strict=False):
        four_tier["tiers"][tier]["description"] = text
    for flow, text in zip(four_tier["flows"], HOSTILE[4:], strict=False):
        flow["description"] = text
    readme = render_module(layout_of(four_tier))["README.md"]
    rendered = _html(readme)
    tags = set(re.findall(r"</?([a-zA-Z][a-zA-Z0-9]*)", rendered))
    assert tags <= _ALLOWED_TAGS, tags - _ALLOWED_TAGS
    text = html.unescape(re.sub(r"<[^>]+>", "", rendered))
    for tier, spec in four_tier["tiers"].items():
        assert " ".join(spec["description"].split()) in text, tier
    for flow in four_tier["flows"]:
        assert " ".join(flow["description"].split()) in text
    # No description adds a table cell: each row of the tiers and flows tables has as many
    # cells as its header.
    for table in re.findall(r"<table>.*?</table>", rendered, re.S):
        widths = {len(re.findall(r"<t[hd]", row)) for row in re.findall(r"<tr>.*?</tr>", table,
                                                                       re.S)}
        assert len(widths) == 1, table

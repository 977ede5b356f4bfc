"""Named Jinja filters that turn Python values into HCL: every value a template writes
goes through one of these, so escaping lives (and is tested) in one place."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from tierform.blueprint.model import FlowSpec
from tierform.ports import format_port_list

__all__ = [
    "FILTERS",
    "hcl_bool",
    "hcl_identifier",
    "hcl_key",
    "hcl_list",
    "hcl_string",
    "hcl_value",
    "md_cell",
    "md_text",
    "name_tag",
]

_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
# Bare words HCL reads as something else inside `{ ... }`: `{ for = 1 }` starts a for
# expression ("Invalid 'for' expression"); the literals and template keywords are quoted too.
_KEYWORDS = frozenset({"for", "in", "if", "else", "endif", "endfor", "null", "true", "false"})


def hcl_string(value: object) -> str:
    """A quoted HCL string literal that reads back as ``str(value)`` exactly.

    HCL templates interpolate ``${...}`` and ``%{...}``: both are escaped by doubling
    the sigil. Other control characters become ``\\uXXXX``; non-ASCII stays UTF-8.
    """
    text = str(value)
    out: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch in "$%" and text[i + 1:i + 2] == "{":
            out.append(ch + ch + "{")
            i += 2
            continue
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
        i += 1
    return '"' + "".join(out) + '"'


def hcl_identifier(value: object) -> str:
    """A valid HCL/Terraform identifier: lower case, ``[a-z0-9_]``, not starting with a digit."""
    text = re.sub(r"[^a-z0-9_]", "_", str(value).lower())
    if not text or not (text[0].isalpha() or text[0] == "_"):
        text = "_" + text
    return text


def hcl_key(value: object) -> str:
    """An object key: bare when it is an identifier, quoted otherwise (tag keys like ``a:b``)."""
    text = str(value)
    return text if _IDENT.fullmatch(text) and text not in _KEYWORDS else hcl_string(text)


def hcl_bool(value: object) -> str:
    return "true" if value else "false"


def hcl_list(values: Any) -> str:
    """A one-line list of string literals, in the given order."""
    return "[" + ", ".join(hcl_string(v) for v in values) + "]"


def hcl_value(value: object) -> str:
    """Any scalar (or a list/map of scalars) as an HCL literal; maps are sorted by key."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return hcl_bool(value)
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, Mapping):
        items = ", ".join(f"{hcl_key(k)} = {hcl_value(v)}" for k, v in sorted(value.items()))
        return "{" + items + "}" if items else "{}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(hcl_value(v) for v in value) + "]"
    return hcl_string(value)


def name_tag(parts: Iterable[str]) -> str:
    """The ``Name`` tag expression: ``var.name_prefix`` itself, or the prefix and the parts
    joined by one separator, ``-`` (``"${var.name_prefix}-nat-web-a"``).

    The bare reference for the prefix alone: ``"${var.name_prefix}"`` is an interpolation
    wrapping one reference, which tflint (terraform_deprecated_interpolation) reports.
    """
    words = [str(p) for p in parts]
    if not words:
        return "var.name_prefix"
    return '"${var.name_prefix}' + hcl_string("-" + "-".join(words))[1:]


def md_cell(value: object) -> str:
    """Text safe inside a Markdown table cell: pipes escaped, line breaks flattened.

    Backslashes are doubled first: GFM reads a backslash before an escaped pipe as
    escaping the backslash, and the pipe then splits the cell.
    """
    text = str(value).replace("\\", "\\\\").replace("|", "\\|")
    return " ".join(text.split())


# Markdown and HTML that free text must not become: emphasis, code, links and images,
# headings, strikethrough, raw HTML and entities. ASCII punctuation may be backslash-escaped
# in CommonMark; <, > and & are written as entities (an escaped "<" is still risky in
# renderers that pass HTML through).
_MD_ESCAPED = frozenset("\\`*_[]|!~#")
_HTML_ENTITIES = {"<": "&lt;", ">": "&gt;", "&": "&amp;"}
_AUTOLINK = re.compile(r"(?i)\b(https?|ftp|mailto|file|javascript|data)(:)|\b(www)(\.)|(@)")
_BLOCK_START = re.compile(r"^(\d{1,9})([.)])|^([-+=>])")


def md_text(value: object) -> str:
    """Free text (descriptions) as literal Markdown: it renders as the characters written,
    never as HTML, a link, an image, emphasis or a heading; one line, pipes escaped (safe
    in a table cell too). GFM's autolinks (``https:``, ``www.``, ``a@b``) are broken up."""
    text = " ".join(str(value).split())
    out = "".join(_HTML_ENTITIES.get(ch) or (f"\\{ch}" if ch in _MD_ESCAPED else ch)
                  for ch in text)
    out = _AUTOLINK.sub(lambda m: "".join(
        f"\\{part}" if part in (":", ".", "@") else part
        for part in m.groups() if part is not None), out)
    return _BLOCK_START.sub(lambda m: "".join(
        (f"\\{part}" if part in ".)-+=" else part) for part in m.groups() if part is not None),
        out, count=1)


def flow_ports(flow: FlowSpec) -> str:
    """A flow's ports for the module README: ``80, 443``; ``-`` where the protocol has none."""
    if flow.protocol in ("icmp", "all"):
        return "-"
    return format_port_list(flow.port_ranges(), separator=", ", full="0-65535")


FILTERS = {
    "flow_ports": flow_ports,
    "md_cell": md_cell,
    "md_text": md_text,
    "name_tag": name_tag,
    "hcl_string": hcl_string,
    "hcl_identifier": hcl_identifier,
    "hcl_key": hcl_key,
    "hcl_bool": hcl_bool,
    "hcl_list": hcl_list,
    "hcl_value": hcl_value,
}

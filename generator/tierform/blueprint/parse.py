"""The text and YAML stages of loading a blueprint: control characters, the safe parse, and
the checks that need the node tree (alias bombs, nesting, duplicate keys, keys that are not
text, numbers that are not plain decimal, broken surrogates).

Each problem is a ``Finding`` at its line:col; a path whose value is unusable is recorded so
that the later stages skip it instead of reporting it again (``tierform.blueprint.load``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from tierform.errors import Finding

__all__ = [
    "ITEM_SECTIONS",
    "MAX_DEPTH",
    "MAX_NODES",
    "MERGE_TAG",
    "Parsed",
    "PathKey",
    "control_findings",
    "parse_yaml",
    "position",
    "unit_of",
]

PathKey = tuple[str | int, ...]

MAX_NODES = 600_000
"""Upper bound on YAML nodes visited (aliases count each time): stops alias bombs. A 1 MiB
blueprint without aliases has fewer nodes than this."""
MAX_DEPTH = 40
"""A blueprint is about 5 levels deep; deeper nesting is refused before it can recurse."""
MERGE_TAG = "tag:yaml.org,2002:merge"
_STR_TAG = "tag:yaml.org,2002:str"
_INT_TAG = "tag:yaml.org,2002:int"
_FLOAT_TAG = "tag:yaml.org,2002:float"
_BOOL_TAG = "tag:yaml.org,2002:bool"
_NULL_TAG = "tag:yaml.org,2002:null"
_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"

ITEM_SECTIONS: dict[str, type] = {"tiers": dict, "networks": dict, "tags": dict, "flows": list}
"""Sections whose items are checked one by one: a broken item spares its siblings."""


def position(node: yaml.Node | None) -> tuple[int, int]:
    """1-based (line, column) of a node; (1, 1) when there is none."""
    if node is None:
        return 1, 1
    return node.start_mark.line + 1, node.start_mark.column + 1


def unit_of(path: PathKey) -> PathKey:
    """The part of the blueprint a broken path spoils (see ``ShapeErrors``)."""
    if len(path) >= 2 and path[0] in ITEM_SECTIONS:
        return path[:2]
    return path[:1]


# --- text ----------------------------------------------------------------------------------

# What the YAML reader refuses (YAML 1.1 printable set): C0 controls but tab, LF and CR,
# DEL, C1 controls but NEL, U+FFFE and U+FFFF. PyYAML raises on them before parsing.
_NOT_PRINTABLE = re.compile("[^\x09\x0A\x0D\x20-\x7E\x85\xA0-\uD7FF\uE000-\uFFFD"
                            "\U00010000-\U0010FFFF]")
_CONTROL_NAMES = {0x00: "NUL", 0x07: "BEL", 0x08: "BS", 0x0B: "VT", 0x0C: "FF", 0x1B: "ESC",
                  0x7F: "DEL"}
_MAX_CONTROL_FINDINGS = 20


def control_findings(text: str, file: str) -> list[Finding]:
    """A finding per control character (the first 20, then a count), with its line:col."""
    findings: list[Finding] = []
    matches = _NOT_PRINTABLE.finditer(text)
    for count, match in enumerate(matches):
        if count == _MAX_CONTROL_FINDINGS:
            rest = 1 + sum(1 for _ in matches)
            findings.append(Finding(
                path=(), message=f"{rest:,} more control characters after these",
                hint="the file may not be a text file: check that this is the blueprint",
                file=file, line=findings[-1].line, column=findings[-1].column,
                code="control-character"))
            break
        index = match.start()
        ch = match.group()
        line = text.count("\n", 0, index) + 1
        column = index - (text.rfind("\n", 0, index) + 1) + 1
        name = _CONTROL_NAMES.get(ord(ch), "a control character")
        findings.append(Finding(
            path=(), message=f"control character U+{ord(ch):04X} ({name}) in the text",
            hint="remove it; inside a double-quoted string it can be written as an escape "
                 f"(\\x{ord(ch):02x})" if ord(ch) < 0x100 else "remove it",
            file=file, line=line, column=column, code="control-character"))
    return findings


# --- parsing -------------------------------------------------------------------------------


@dataclass
class Parsed:
    """What parsing made of the text: the node tree, the data, and the findings so far."""

    root: yaml.Node | None = None
    data: Any = None
    findings: list[Finding] = field(default_factory=list)
    fatal: bool = False
    """The data cannot be used (a syntax error, an alias bomb): nothing else is checked."""
    units: set[PathKey] = field(default_factory=set)
    """Paths whose value is unusable (already reported): the semantic checks skip them."""
    ports: set[PathKey] = field(default_factory=set)
    """Port items (``flows[i].ports[j]``) that are unusable: only they are skipped."""
    quiet: set[PathKey] = field(default_factory=set)
    """Paths already reported: pydantic's errors at or under them would repeat the finding."""


def parse_yaml(text: str, file: str) -> Parsed:
    """Compose (for marks), check the structure, then construct (for data) with the safe loader."""
    loader = yaml.SafeLoader(text)
    parsed = Parsed()
    try:
        parsed.root = loader.get_single_node()
        if parsed.root is None:
            return parsed
        _Structure(parsed, file).check(parsed.root)
        if parsed.fatal:
            return parsed
        parsed.data = loader.construct_document(parsed.root)
    except yaml.MarkedYAMLError as error:
        parsed.findings, parsed.fatal = [_yaml_finding(error, file)], True
    except yaml.YAMLError as error:
        parsed.findings, parsed.fatal = [Finding(
            path=(), message=f"not valid YAML: {error}", hint="check the YAML syntax",
            file=file, line=1, column=1, code="yaml-syntax",
        )], True
    except (ValueError, TypeError, KeyError, AttributeError, OverflowError) as error:
        # A value YAML's own constructors cannot build (the structure check catches the
        # known ones with their place; this is the net under it).
        parsed.findings, parsed.fatal = [Finding(
            path=(), message=f"YAML cannot read a value: {error}",
            hint="remove explicit '!!' tags, or quote the value", file=file, line=1,
            column=1, code="yaml-value")], True
    finally:
        loader.dispose()
    return parsed


def _yaml_finding(error: yaml.MarkedYAMLError, file: str) -> Finding:
    mark = error.problem_mark or error.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
    problem = error.problem or "invalid YAML"
    context = f" ({error.context})" if error.context else ""
    hint = "check indentation, colons and quoting on this line and the one before"
    if "'\\t'" in problem or "\t" in problem:
        hint = "YAML indentation uses spaces, not tabs"
    elif isinstance(error, yaml.constructor.ConstructorError):
        hint = ("only plain YAML is accepted: remove the '!tag'" if "tag" in problem
                else "'<<' merges a mapping (an alias such as *base, or a list of them)"
                if "merg" in problem else "see the blueprint format in the README")
    elif "single document" in f"{problem} {error.context}":
        hint = "a blueprint file holds one document: remove the extra '---'"
    return Finding(path=(), message=f"YAML syntax error: {problem}{context}", hint=hint,
                   file=file, line=line, column=column, code="yaml-syntax")


_PLAIN_INT = re.compile(r"-?(?:0|[1-9][0-9]*)", re.ASCII)
_PLAIN_FLOAT = re.compile(r"-?[0-9]+\.[0-9]*", re.ASCII)
_MAX_DIGITS = 20
"""A number in a blueprint has at most this many characters (quotas, days, netmasks)."""
_CONSTRUCTOR = yaml.constructor.SafeConstructor()
"""Builds single scalars, to say what YAML reads (never a whole document)."""


class _Structure:
    """The checks that need the node tree: bombs and nesting (fatal), duplicate keys, keys
    that are not text, numbers that are not plain decimal, broken surrogates (reported, the
    rest of the document still checked)."""

    def __init__(self, parsed: Parsed, file: str) -> None:
        self.parsed = parsed
        self.file = file
        self.budget = MAX_NODES
        self.reported: set[tuple[int, str]] = set()

    def check(self, root: yaml.Node) -> None:
        stop = self._visit(root, (), frozenset())
        if stop is not None:
            self.parsed.findings, self.parsed.fatal = [stop], True

    def _add(self, node: yaml.Node, path: PathKey, message: str, hint: str, code: str, *,
             unit: PathKey | None = None) -> None:
        """Report once per node (an alias repeats it), mark ``unit`` (or ``path``) unusable."""
        where = path if unit is None else unit
        if len(where) == 4 and where[0] == "flows" and where[2] == "ports":
            self.parsed.ports.add(where)
        else:
            self.parsed.units.add(where)
        self.parsed.quiet.add(where)
        if (id(node), code) in self.reported:
            return
        self.reported.add((id(node), code))
        line, column = position(node)
        self.parsed.findings.append(Finding(path=path, message=message, hint=hint,
                                            file=self.file, line=line, column=column, code=code))

    def _visit(self, node: yaml.Node, path: PathKey, ancestors: frozenset[int]) -> Finding | None:
        self.budget -= 1
        if self.budget < 0:
            return _structure_finding(self.file, node, f"the document expands to more than "
                                      f"{MAX_NODES:,} nodes", "a blueprint is small: remove "
                                      "repeated aliases (*name)", "yaml-too-large")
        if id(node) in ancestors:
            return _structure_finding(self.file, node, "an alias refers to a node that contains "
                                      "it", "remove the recursive alias", "yaml-recursive")
        if len(path) > MAX_DEPTH:
            return _structure_finding(self.file, node, f"nested deeper than {MAX_DEPTH} levels",
                                      "a blueprint is a few levels deep; check the brackets",
                                      "yaml-too-deep")
        if isinstance(node, yaml.ScalarNode):
            self._surrogates(node, path)
            self._scalar(node, path)
            return None
        inner = ancestors | {id(node)}
        children: list[tuple[str | int, yaml.Node]] = []
        if isinstance(node, yaml.MappingNode):
            children = self._mapping(node, path)
        elif isinstance(node, yaml.SequenceNode):
            children = list(enumerate(node.value))
        for name, child in children:
            stop = self._visit(child, (*path, name), inner)
            if stop is not None:
                return stop
        return None

    def _mapping(self, node: yaml.MappingNode, path: PathKey) -> list[tuple[str | int, yaml.Node]]:
        children: list[tuple[str | int, yaml.Node]] = []
        seen: dict[str, yaml.Node] = {}
        kept: list[tuple[yaml.Node, yaml.Node]] = []
        for key, value in node.value:
            if not isinstance(key, yaml.ScalarNode):
                kind = "list" if isinstance(key, yaml.SequenceNode) else "mapping"
                self._add(key, path, f"a key is a {kind}, not a name",
                          "write a name before ':'; a list or mapping goes after it, as in "
                          "'key: [a, b]'", "key-not-text", unit=path)
                continue  # dropped: YAML cannot build a mapping with such a key
            kept.append((key, value))
            self._surrogates(key, path)
            if key.tag == MERGE_TAG:
                children.append((key.value, value))
                continue
            if key.tag != _STR_TAG:
                self._key_not_text(key, (*path, key.value))
            children.append((key.value, value))
            first = seen.setdefault(key.value, key)
            if first is not key:
                self._add(key, (*path, key.value),
                          f"duplicate key '{key.value}' (first given on line "
                          f"{first.start_mark.line + 1})",
                          "YAML would silently keep only the last one: merge them into one key",
                          "duplicate-key")
        node.value[:] = kept
        return children

    def _key_not_text(self, key: yaml.ScalarNode, path: PathKey) -> None:
        """A key YAML reads as something else than text: say what, then read it as text."""
        text = key.value
        if key.tag == _NULL_TAG and not text:
            message, hint = "a key is empty (nothing before ':')", "write a name before ':'"
            self.parsed.units.add(unit_of(path))  # no name was meant: nothing to check under it
            self.parsed.quiet.add(path)
        else:
            message = f"key {text} is read by YAML 1.1 as {_read_as(key)}, not as a name"
            hint = f"quote it: '{text}'"
        key.tag = _STR_TAG
        line, column = position(key)
        self.parsed.findings.append(Finding(path=path, message=message, hint=hint,
                                            file=self.file, line=line, column=column,
                                            code="key-not-text"))

    def _scalar(self, node: yaml.ScalarNode, path: PathKey) -> None:
        """Numbers are plain decimal; dates and malformed '!!' values are not read as such."""
        if node.tag not in (_INT_TAG, _FLOAT_TAG, _BOOL_TAG, _TIMESTAMP_TAG):
            return
        node_tag = node.tag
        problem = _number_problem(node, path)
        if problem is None:
            return
        message, hint = problem
        node.tag = _STR_TAG  # never built: 5,000 digits or a date would not survive
        self._add(node, path, message, hint,
                  "yaml-date" if node_tag == _TIMESTAMP_TAG else "yaml-number")

    def _surrogates(self, node: yaml.ScalarNode, path: PathKey) -> None:
        """Join escaped UTF-16 pairs ("\\uD83D\\uDE00", as json.dumps writes emoji); report
        lone ones. PyYAML keeps each \\uXXXX escape as its own code point: a lone surrogate
        cannot be written as UTF-8, so it must stop here, not crash the renderer later."""
        text = node.value
        if not isinstance(text, str) or not any("\ud800" <= ch <= "\udfff" for ch in text):
            return
        try:
            node.value = text.encode("utf-16", "surrogatepass").decode("utf-16")
        except UnicodeDecodeError:
            lone = next(ch for ch in text if "\ud800" <= ch <= "\udfff")
            self._add(node, path, f"not valid Unicode: unpaired surrogate \\u{ord(lone):04X}",
                      "write the character itself, or escape it as \\UXXXXXXXX (8 hex digits)",
                      "encoding")


def _read_as(node: yaml.ScalarNode) -> str:
    """What YAML makes of a scalar that is not text, in words."""
    if node.tag == _BOOL_TAG:
        return f"the boolean {str(_CONSTRUCTOR.construct_yaml_bool(node)).lower()}"
    if node.tag == _NULL_TAG:
        return "an empty value (null)"
    if node.tag in (_INT_TAG, _FLOAT_TAG):
        return "a number"
    if node.tag == _TIMESTAMP_TAG:
        return "a date"
    return f"a value of type {node.tag}"


def _number_problem(node: yaml.ScalarNode, path: PathKey) -> tuple[str, str] | None:
    """(message, hint) when a number, flag or date is not what a blueprint means by one."""
    text = node.value
    quote = f"quote it ('{text[:_MAX_DIGITS]}') if it is text"
    if node.tag == _TIMESTAMP_TAG:
        return (f"{text} is read by YAML as a date; no blueprint key takes a date",
                f"quote it: '{text}'")
    if node.tag == _BOOL_TAG:
        if text.lower() in _CONSTRUCTOR.bool_values:
            return None
        return f"{text!r} is not true or false", "write true or false"
    plain = _PLAIN_INT if node.tag == _INT_TAG else _PLAIN_FLOAT
    if len(text) > _MAX_DIGITS:
        return (f"a number of {len(text):,} characters is too long for a blueprint",
                f"numbers in a blueprint have at most {_MAX_DIGITS} digits; {quote}")
    if plain.fullmatch(text):
        return None
    try:
        value = (_CONSTRUCTOR.construct_yaml_int(node) if node.tag == _INT_TAG
                 else _CONSTRUCTOR.construct_yaml_float(node))
    except (ValueError, TypeError, OverflowError):
        return f"{text!r} is not a number", f"write a plain decimal number, or {quote}"
    digits = text.lstrip("+-")
    if ":" in digits:
        kind = "the base-60 number"
        parts = digits.split(":")
        if len(path) >= 2 and path[-2] == "ports" and len(parts) == 2:
            return (f"{text} is read by YAML 1.1 as the base-60 number {value}",
                    f"for the ports {parts[0]} to {parts[1]} write \"{parts[0]}-{parts[1]}\"")
    elif digits.lower().startswith("0x"):
        kind = "the hexadecimal number"
    elif digits.lower().startswith("0b"):
        kind = "the binary number"
    elif node.tag == _INT_TAG and digits.startswith("0") and len(digits) > 1:
        return (f"{text} is read by YAML 1.1 as the octal number {value}",
                f"numbers in a blueprint are plain decimal: write {digits.lstrip('0') or 0} or "
                f"{value}, whichever is meant; {quote}")
    elif digits.lower() in (".inf", ".nan"):
        what = "infinity" if "inf" in digits.lower() else "not-a-number (NaN)"
        return f"{text} is read by YAML as {what}", f"write a plain decimal number, or {quote}"
    else:
        kind = "the number"
    return (f"{text} is read by YAML 1.1 as {kind} {value}",
            f"numbers in a blueprint are plain decimal: write {value} if that is meant; {quote}")


def _structure_finding(file: str, node: yaml.Node, message: str, hint: str, code: str) -> Finding:
    line, column = position(node)
    return Finding(path=(), message=message, hint=hint, file=file, line=line, column=column,
                   code=code)

"""Load a blueprint from YAML: safe parsing, line/column for every problem, all problems at once.

Stages: read -> parse (safe YAML, duplicate keys) -> shape (pydantic) -> semantic checks ->
subnet allocation. Every problem of every stage that can run becomes a ``Finding`` with
file, line, column, key path, message and hint; they are raised together as one
``BlueprintError``. No input makes this module raise anything else.
"""

from __future__ import annotations

import difflib
import ipaddress
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from ipaddress import IPv4Network
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from tierform.blueprint.allocate import allocate_subnets
from tierform.blueprint.checks import check_blueprint
from tierform.blueprint.model import (
    Blueprint,
    FlowLogsSpec,
    FlowSpec,
    Limits,
    TierSpec,
    VpcSpec,
)
from tierform.errors import BlueprintError, Finding

__all__ = ["LoadedBlueprint", "SourceMap", "load_blueprint", "load_blueprint_text"]

PathKey = tuple[str | int, ...]

MAX_NODES = 100_000
"""Upper bound on YAML nodes visited (aliases count each time): stops alias bombs."""
MAX_DEPTH = 40
"""A blueprint is about 5 levels deep; deeper nesting is refused before it can recurse."""
_MERGE_TAG = "tag:yaml.org,2002:merge"


@dataclass(frozen=True, eq=False)
class SourceMap:
    """Positions of the YAML nodes, so that a key path can be shown as file:line:col."""

    root: yaml.Node | None = None

    def locate(self, path: Sequence[str | int]) -> tuple[int, int]:
        """1-based (line, column) of the value at ``path``, or of the deepest node that exists."""
        return _mark(self._walk(path)[0])

    def locate_key(self, path: Sequence[str | int]) -> tuple[int, int]:
        """Like ``locate``, but the position of the *key* when ``path`` ends at a mapping key."""
        value, key = self._walk(path)
        return _mark(key if key is not None else value)

    def _walk(self, path: Sequence[str | int]) -> tuple[yaml.Node | None, yaml.Node | None]:
        node = self.root
        key_node: yaml.Node | None = None
        for index, part in enumerate(path):
            found = _child(node, part)
            if found is None:
                return node, None
            key_node, node = found
            if index < len(path) - 1:
                key_node = None
        return node, key_node


def _child(node: yaml.Node | None, part: str | int) -> tuple[yaml.Node | None, yaml.Node] | None:
    """(key node, value node) of ``part`` under ``node``; merge keys (``<<``) are followed."""
    if isinstance(node, yaml.MappingNode):
        wanted = str(part).lower() if isinstance(part, bool) else str(part)
        merged: list[yaml.Node] = []
        for key, value in reversed(node.value):  # the last duplicate wins, as in construction
            if isinstance(key, yaml.ScalarNode):
                if key.value == wanted:
                    return key, value
                if key.tag == _MERGE_TAG:
                    merged.extend(value.value if isinstance(value, yaml.SequenceNode) else [value])
        for source in merged:
            found = _child(source, part)
            if found is not None:
                return found
        return None
    if isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part in range(
        len(node.value)
    ):
        return None, node.value[part]
    return None


def _mark(node: yaml.Node | None) -> tuple[int, int]:
    if node is None:
        return 1, 1
    return node.start_mark.line + 1, node.start_mark.column + 1


@dataclass(frozen=True)
class LoadedBlueprint:
    """A blueprint that passed every check, with where it came from and its subnets."""

    blueprint: Blueprint
    file: str
    source_map: SourceMap
    allocation: dict[str, dict[str, IPv4Network]]
    """tier -> availability zone -> subnet CIDR, for every tier (explicit or allocated)."""
    text: str = field(repr=False)


def load_blueprint(path: Path) -> LoadedBlueprint:
    """Read and check the blueprint at ``path``; raise ``BlueprintError`` with every finding."""
    file = str(path)
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        raise BlueprintError([_file_finding(file, "file not found", "check the path")]) from None
    except IsADirectoryError:
        raise BlueprintError(
            [_file_finding(file, "is a directory, not a blueprint file", "name a .yaml file")]
        ) from None
    except OSError as error:
        raise BlueprintError(
            [_file_finding(file, f"cannot read the file: {error.strerror or error}",
                           "check the file's permissions")]
        ) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        column = error.start - (raw.rfind(b"\n", 0, error.start) + 1) + 1
        raise BlueprintError([Finding(
            path=(), message=f"not UTF-8 text (byte 0x{raw[error.start]:02x})",
            hint="save the blueprint as UTF-8", file=file, line=line, column=column,
            code="encoding",
        )]) from None
    return load_blueprint_text(text, file)


def load_blueprint_text(text: str, filename: str) -> LoadedBlueprint:
    """Parse and check blueprint ``text`` (shown as ``filename``); raise ``BlueprintError``."""
    try:
        return _load(text, filename)
    except RecursionError:
        raise BlueprintError([Finding(
            path=(), message="the document is nested too deeply to read",
            hint="a blueprint is a few levels deep; check for runaway brackets or aliases",
            file=filename, line=1, column=1, code="yaml-too-deep",
        )]) from None


def _load(text: str, file: str) -> LoadedBlueprint:
    root, data, findings = _parse(text, file)
    source_map = SourceMap(root)
    if findings:
        raise BlueprintError(findings)
    if not isinstance(data, dict):
        kind = "empty" if data is None else f"a {_kind(data)}"
        raise BlueprintError([Finding(
            path=(),
            message=f"a blueprint is a mapping of keys (tierform, name, ...), this is {kind}",
            hint="start from the example in the README: 'tierform: 1', 'name: ...', ...",
            file=file, line=source_map.locate(())[0], column=source_map.locate(())[1],
            code="not-a-mapping",
        )])
    try:
        blueprint = Blueprint.model_validate(data)
    except ValidationError as error:
        raise BlueprintError(
            _sorted(_shape_findings(error.errors(), data, source_map, file))
        ) from None
    findings = check_blueprint(blueprint, source_map, file)
    if findings:
        raise BlueprintError(_sorted(findings))
    return LoadedBlueprint(
        blueprint=blueprint, file=file, source_map=source_map,
        allocation=allocate_subnets(blueprint), text=text,
    )


def _sorted(findings: list[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: (f.line or 0, f.column or 0, f.key_path, f.message))


def _file_finding(file: str, message: str, hint: str) -> Finding:
    return Finding(path=(), message=message, hint=hint, file=file, line=1, column=1,
                   code="file-unreadable")


# --- parsing -------------------------------------------------------------------------------


def _parse(text: str, file: str) -> tuple[yaml.Node | None, Any, list[Finding]]:
    """Compose (for marks) and construct (for data) with the safe loader."""
    loader = yaml.SafeLoader(text)
    try:
        root = loader.get_single_node()
        if root is None:
            return None, None, []
        findings = _structure_findings(root, file)
        if findings:
            return root, None, findings
        return root, loader.construct_document(root), []
    except yaml.MarkedYAMLError as error:
        return None, None, [_yaml_finding(error, file)]
    except yaml.YAMLError as error:
        return None, None, [Finding(
            path=(), message=f"not valid YAML: {error}", hint="check the YAML syntax",
            file=file, line=1, column=1, code="yaml-syntax",
        )]
    finally:
        loader.dispose()


def _yaml_finding(error: yaml.MarkedYAMLError, file: str) -> Finding:
    mark = error.problem_mark or error.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
    problem = error.problem or "invalid YAML"
    context = f" ({error.context})" if error.context else ""
    hint = "check indentation, colons and quoting on this line and the one before"
    if "'\\t'" in problem or "\t" in problem:
        hint = "YAML indentation uses spaces, not tabs"
    elif isinstance(error, yaml.constructor.ConstructorError):
        hint = "only plain YAML is accepted: remove the '!tag'"
    elif "single document" in f"{problem} {error.context}":
        hint = "a blueprint file holds one document: remove the extra '---'"
    return Finding(path=(), message=f"YAML syntax error: {problem}{context}", hint=hint,
                   file=file, line=line, column=column, code="yaml-syntax")


def _structure_findings(root: yaml.Node, file: str) -> list[Finding]:
    """Duplicate keys (YAML would silently keep the last), alias bombs and cycles, deep nesting."""
    findings: list[Finding] = []
    budget = [MAX_NODES]

    def visit(node: yaml.Node, path: PathKey, ancestors: frozenset[int]) -> Finding | None:
        budget[0] -= 1
        if budget[0] < 0:
            return _structure_finding(file, node, f"the document expands to more than "
                                      f"{MAX_NODES} nodes", "a blueprint is small: remove "
                                      "repeated aliases (*name)", "yaml-too-large")
        if id(node) in ancestors:
            return _structure_finding(file, node, "an alias refers to a node that contains it",
                                      "remove the recursive alias", "yaml-recursive")
        if len(path) > MAX_DEPTH:
            return _structure_finding(file, node, f"nested deeper than {MAX_DEPTH} levels",
                                      "a blueprint is a few levels deep; check the brackets",
                                      "yaml-too-deep")
        inner = ancestors | {id(node)}
        if isinstance(node, yaml.ScalarNode):
            unicode_problem = _fix_surrogates(node, path, file)
            if unicode_problem is not None:
                findings.append(unicode_problem)
            return None
        children: list[tuple[str | int, yaml.Node]] = []
        if isinstance(node, yaml.MappingNode):
            seen: dict[str, yaml.Node] = {}
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode):
                    key_problem = _fix_surrogates(key, path, file)
                    if key_problem is not None:
                        findings.append(key_problem)
                name = key.value if isinstance(key, yaml.ScalarNode) else "?"
                children.append((name, value))
                if not isinstance(key, yaml.ScalarNode) or key.tag == _MERGE_TAG:
                    continue
                first = seen.setdefault(key.value, key)
                if first is not key:
                    findings.append(Finding(
                        path=(*path, key.value),
                        message=f"duplicate key '{key.value}' (first given on line "
                                f"{first.start_mark.line + 1})",
                        hint="YAML would silently keep only the last one: merge them into one "
                             "key",
                        file=file, line=key.start_mark.line + 1,
                        column=key.start_mark.column + 1, code="duplicate-key",
                    ))
        elif isinstance(node, yaml.SequenceNode):
            children = list(enumerate(node.value))
        for name, child in children:
            stop = visit(child, (*path, name), inner)
            if stop is not None:
                return stop
        return None

    stop = visit(root, (), frozenset())
    return [stop] if stop is not None else findings


def _fix_surrogates(node: yaml.ScalarNode, path: PathKey, file: str) -> Finding | None:
    """Join escaped UTF-16 pairs ("\\uD83D\\uDE00", as json.dumps writes emoji); report lone ones.

    PyYAML keeps each \\uXXXX escape as its own code point: a lone surrogate cannot be
    written as UTF-8, so it must stop here, not crash the renderer later.
    """
    text = node.value
    if not isinstance(text, str) or not any("\ud800" <= ch <= "\udfff" for ch in text):
        return None
    try:
        node.value = text.encode("utf-16", "surrogatepass").decode("utf-16")
        return None
    except UnicodeDecodeError:
        lone = next(ch for ch in text if "\ud800" <= ch <= "\udfff")
        line, column = _mark(node)
        return Finding(path=path, message=f"not valid Unicode: unpaired surrogate "
                       f"\\u{ord(lone):04X}", hint="write the character itself, or escape it "
                       "as \\UXXXXXXXX (8 hex digits)", file=file, line=line, column=column,
                       code="encoding")


def _structure_finding(file: str, node: yaml.Node, message: str, hint: str, code: str) -> Finding:
    line, column = _mark(node)
    return Finding(path=(), message=message, hint=hint, file=file, line=line, column=column,
                   code=code)


# --- shape errors (pydantic) -> findings ---------------------------------------------------

_MODELS_BY_PATH: list[tuple[tuple[str, ...], type[BaseModel]]] = [
    ((), Blueprint),
    (("vpc",), VpcSpec),
    (("tiers", "*"), TierSpec),
    (("flows", "*"), FlowSpec),
    (("flow_logs",), FlowLogsSpec),
    (("limits",), Limits),
]

_EXAMPLES: dict[str, str] = {
    "tierform": "tierform: 1",
    "name": "name: three-tier",
    "region": "region: us-east-1",
    "vpc": "vpc: {cidr: 10.0.0.0/16}",
    "cidr": "cidr: 10.0.0.0/16",
    "availability_zones": "availability_zones: [us-east-1a, us-east-1b]",
    "tiers": "tiers: {web: {exposure: public, netmask: 24}}",
    "exposure": "exposure: public   # or private, isolated",
    "from": "from: web",
    "to": "to: app",
}

_PATTERN_HINTS: dict[str, str] = {
    "name": "lower-case letters, digits and '-', starting with a letter, at most 24 characters",
    "region": "an AWS region code such as us-east-1 or eu-west-2",
    "tiers": "tier names are lower-case letters, digits and '_', starting with a letter, "
             "at most 30 characters (they become Terraform resource names)",
}


def _model_at(path: PathKey) -> type[BaseModel] | None:
    for pattern, model in _MODELS_BY_PATH:
        if len(pattern) == len(path) and all(
            p in ("*", q) for p, q in zip(pattern, path, strict=True)
        ):
            return model
    return None


def _allowed_keys(model: type[BaseModel]) -> list[str]:
    return [info.alias or name for name, info in model.model_fields.items()]


def _clean_loc(loc: tuple[str | int, ...], data: Any, keep_last: bool) -> tuple[PathKey, bool]:
    """Drop pydantic's union/type tags from ``loc``; say whether the error is about a dict key."""
    out: list[str | int] = []
    current = data
    is_key = False
    for index, part in enumerate(loc):
        if part == "[key]":
            is_key = True
            continue
        in_dict = isinstance(current, dict) and part in current
        in_list = isinstance(current, list) and isinstance(part, int) and 0 <= part < len(current)
        if in_dict or in_list:
            current = current[part]
            out.append(part)
        elif index == len(loc) - 1 and keep_last:
            out.append(part)
        # otherwise a tag such as "list[union[int,str]]" or "literal['all']": not in the file
    return tuple(out), is_key


def _shape_findings(
    errors: list[ErrorDetails], data: Any, source_map: SourceMap, file: str
) -> list[Finding]:
    findings: list[Finding] = []
    seen: set[tuple[PathKey, bool]] = set()
    for error in errors:
        kind = error["type"]
        path, is_key = _clean_loc(tuple(error["loc"]), data, keep_last=kind == "missing")
        if (path, is_key) in seen:  # one finding per location (a union reports per branch)
            continue
        seen.add((path, is_key))
        message, hint, code = _describe(error, path, is_key)
        if kind == "missing":
            line, column = source_map.locate_key(path[:-1])
        elif kind == "extra_forbidden" or is_key:
            line, column = source_map.locate_key(path)
        else:
            line, column = source_map.locate(path)
        findings.append(Finding(path=path, message=message, hint=hint, file=file, line=line,
                                column=column, code=code))
    return findings


def _describe(error: ErrorDetails, path: PathKey, is_key: bool) -> tuple[str, str, str]:
    """(message, hint, code) for one pydantic error, in the blueprint's words."""
    kind = error["type"]
    value = error.get("input")
    ctx: Mapping[str, Any] = error.get("ctx") or {}
    field_name = str(path[-1]) if path else "blueprint"
    if kind == "extra_forbidden":
        model = _model_at(path[:-1])
        allowed = _allowed_keys(model) if model else []
        close = difflib.get_close_matches(field_name, allowed, n=1, cutoff=0.6)
        hint = (f"did you mean '{close[0]}'?" if close
                else f"allowed keys here: {', '.join(allowed)}" if allowed else "remove it")
        return f"unknown key '{field_name}'", hint, "unknown-key"
    if kind == "missing":
        example = _EXAMPLES.get(field_name, f"{field_name}: ...")
        where = _path_text(path[:-1]) or "the top level"
        return (f"missing required key '{field_name}'", f"add '{example}' under {where}",
                "missing-key")
    if kind == "literal_error":
        expected = str(ctx.get("expected", ""))
        choices = re.findall(r"'([^']*)'", expected) or re.findall(r"\d+", expected)
        close = difflib.get_close_matches(str(value), choices, n=1, cutoff=0.6)
        hint = f"did you mean '{close[0]}'?" if close else f"use one of: {', '.join(choices)}"
        if field_name == "tierform":
            hint = "this version of Tierform reads blueprint format 1: write 'tierform: 1'"
        return (f"{_show(value)} is not allowed for '{field_name}': expected {expected}", hint,
                "bad-value")
    if kind == "string_pattern_mismatch":
        topic = "tiers" if is_key and path[:1] == ("tiers",) else field_name
        hint = _PATTERN_HINTS.get(topic, f"must match {ctx.get('pattern', '')}")
        return f"{_show(value)} is not a valid {_noun(topic)}", hint, "bad-name"
    if kind.startswith(("ip_v4", "ip_any")):
        return (f"{_show(value)} is not a valid IPv4 CIDR block", _cidr_hint(value),
                "bad-cidr")
    if kind == "too_short":
        return f"'{field_name}' must not be empty", _empty_hint(field_name), "empty"
    if kind in ("dict_type", "model_type", "model_attributes_type", "mapping_type"):
        return (f"'{field_name}' must be a mapping (key: value), got {_kind_of(value)}",
                "indent the keys under it, or write it as {key: value}", "wrong-type")
    if kind == "list_type":
        return (f"'{field_name}' must be a list, got {_kind_of(value)}",
                "write it as [a, b] or as '- a' lines under the key", "wrong-type")
    if kind in ("string_type", "string_unicode"):
        return (f"'{field_name}' must be text, got {_kind_of(value)}",
                "quote the value", "wrong-type")
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return (f"'{field_name}' must be a whole number, got {_kind_of(value)}",
                "write a number without quotes or decimals", "wrong-type")
    if kind in ("bool_type", "bool_parsing"):
        return (f"'{field_name}' must be true or false, got {_kind_of(value)}",
                "write true or false", "wrong-type")
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        bounds = _bounds_text(ctx)
        return (f"'{field_name}' is {_show(value)}, {bounds}",
                f"use a value {bounds.removeprefix('it must be ')}", "out-of-range")
    if kind == "value_error":
        text = str(error.get("msg", "")).removeprefix("Value error, ")
        hint = ("write ports as numbers, quoted ranges like \"1024-2048\", or 'all'"
                if field_name == "ports" else "see the blueprint format in the README")
        return text, hint, "bad-value"
    return (f"'{field_name}': {error.get('msg', 'invalid value')} (got {_kind_of(value)})",
            "see the blueprint format in the README", "invalid")


def _noun(topic: str) -> str:
    return {"name": "module name", "region": "region", "tiers": "tier name"}.get(topic, "value")


def _bounds_text(ctx: Mapping[str, Any]) -> str:
    parts = []
    if "ge" in ctx:
        parts.append(f"at least {ctx['ge']}")
    if "gt" in ctx:
        parts.append(f"more than {ctx['gt']}")
    if "le" in ctx:
        parts.append(f"at most {ctx['le']}")
    if "lt" in ctx:
        parts.append(f"less than {ctx['lt']}")
    return "it must be " + " and ".join(parts)


def _empty_hint(field_name: str) -> str:
    return {
        "tiers": "declare at least one tier, e.g. 'web: {exposure: public, netmask: 24}'",
        "availability_zones": "list at least one zone of the region, e.g. [us-east-1a]",
    }.get(field_name, "give at least one item")


def _cidr_hint(value: object) -> str:
    if isinstance(value, str):
        try:
            loose = ipaddress.ip_network(value.strip(), strict=False)
        except ValueError:
            pass
        else:
            if loose.version == 4:
                return f"host bits are set: the network is {loose}"
            return "only IPv4 CIDR blocks are supported here"
    return "write an IPv4 network as a.b.c.d/n, e.g. 10.0.0.0/16"


def _path_text(path: PathKey) -> str:
    return Finding(path=path, message="").key_path if path else ""


def _show(value: object) -> str:
    return repr(value) if isinstance(value, str) else str(value)


def _kind(value: object) -> str:
    if isinstance(value, dict):
        return "mapping"
    if isinstance(value, list):
        return "list"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "text value"
    return type(value).__name__


def _kind_of(value: object) -> str:
    if value is None:
        return "nothing (an empty value)"
    if isinstance(value, dict | list):
        return f"a {_kind(value)}"
    return f"{_kind(value)} {_show(value)}"

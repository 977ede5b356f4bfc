"""Load a blueprint from YAML: safe parsing, line/column for every problem, all problems at once.

Stages: read (a regular file of at most ``MAX_BLUEPRINT_BYTES``) -> text (UTF-8, no control
characters) -> parse (safe YAML) -> structure (alias bombs, nesting, duplicate keys, keys that
are not text, numbers that are not plain decimal) -> shape (pydantic) -> semantic checks ->
subnet allocation. Every problem becomes a ``Finding`` with file, line, column, key path,
message and hint; they are raised together as one ``BlueprintError``. A part whose shape is
wrong is replaced by a placeholder that the semantic checks skip, so one run reports the
shape and the semantic problems together. No input makes this module raise anything else,
and time and memory are bounded by the size cap. The text and YAML stages are in
``tierform.blueprint.parse``.
"""

from __future__ import annotations

import difflib
import ipaddress
import os
import re
import stat
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from ipaddress import IPv4Network
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from tierform.aws import INTERNET
from tierform.blueprint.allocate import allocate
from tierform.blueprint.checks import ShapeErrors, check_blueprint
from tierform.blueprint.model import (
    TIER_NAME_PATTERN,
    AlarmsSpec,
    Blueprint,
    FlowLogsSpec,
    FlowSpec,
    Limits,
    MonitoringSpec,
    TierSpec,
    VpcSpec,
)
from tierform.blueprint.parse import (
    ITEM_SECTIONS,
    MERGE_TAG,
    PathKey,
    control_findings,
    parse_yaml,
    position,
    unit_of,
)
from tierform.errors import BlueprintError, Finding

__all__ = [
    "MAX_BLUEPRINT_BYTES",
    "LoadedBlueprint",
    "SourceMap",
    "load_blueprint",
    "load_blueprint_text",
]

MAX_BLUEPRINT_BYTES = 1024 * 1024
"""A blueprint is a few KB; the largest a VPC's quotas admit is far below 1 MiB. Bigger
files are refused before they are read: parsing YAML costs about 10 s and 200 MB per MiB."""
MAX_FINDINGS = 1000
"""Findings kept beyond this are counted in one last finding, not listed."""


@dataclass(frozen=True, eq=False)
class SourceMap:
    """Positions of the YAML nodes, so that a key path can be shown as file:line:col."""

    root: yaml.Node | None = None

    def locate(self, path: Sequence[str | int]) -> tuple[int, int]:
        """1-based (line, column) of the value at ``path``, or of the deepest node that exists."""
        return position(self._walk(path)[0])

    def locate_key(self, path: Sequence[str | int]) -> tuple[int, int]:
        """Like ``locate``, but the position of the *key* when ``path`` ends at a mapping key."""
        value, key = self._walk(path)
        return position(key if key is not None else value)

    def text(self, path: Sequence[str | int]) -> str | None:
        """The scalar at ``path`` as written (``yes`` where YAML read ``True``), or None."""
        node, _ = self._walk(path)
        found = len(path) == 0 or _child_exists(self.root, path)
        return node.value if found and isinstance(node, yaml.ScalarNode) else None

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


def _child_exists(root: yaml.Node | None, path: Sequence[str | int]) -> bool:
    node = root
    for part in path:
        found = _child(node, part)
        if found is None:
            return False
        node = found[1]
    return True


def _child(node: yaml.Node | None, part: str | int) -> tuple[yaml.Node | None, yaml.Node] | None:
    """(key node, value node) of ``part`` under ``node``; merge keys (``<<``) are followed."""
    if isinstance(node, yaml.MappingNode):
        wanted = str(part).lower() if isinstance(part, bool) else str(part)
        merged: list[yaml.Node] = []
        for key, value in reversed(node.value):  # the last duplicate wins, as in construction
            if isinstance(key, yaml.ScalarNode):
                if key.value == wanted:
                    return key, value
                if key.tag == MERGE_TAG:
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


@dataclass(frozen=True)
class LoadedBlueprint:
    """A blueprint that passed every check, with where it came from and its subnets."""

    blueprint: Blueprint
    file: str
    source_map: SourceMap
    allocation: dict[str, dict[str, IPv4Network]]
    """tier -> availability zone -> subnet CIDR, for every tier (explicit or allocated)."""
    text: str = field(repr=False)


# --- reading -------------------------------------------------------------------------------

_FILE_KINDS: list[tuple[Callable[[int], bool], str]] = [
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
]


def load_blueprint(path: Path) -> LoadedBlueprint:
    """Read and check the blueprint at ``path``; raise ``BlueprintError`` with every finding.

    Only a regular file of at most ``MAX_BLUEPRINT_BYTES`` is read: a FIFO would block,
    ``/dev/zero`` never ends, a huge file exhausts memory.
    """
    file = str(path)
    try:
        # O_NONBLOCK: opening a FIFO without a writer returns at once (then refused below).
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise BlueprintError([_file_finding(file, "file not found", "check the path")]) from None
    except IsADirectoryError:
        raise BlueprintError([_not_a_file(file, "a directory")]) from None
    except OSError as error:
        raise BlueprintError(
            [_file_finding(file, f"cannot read the file: {error.strerror or error}",
                           "check the file's permissions")]
        ) from None
    try:
        info = os.fstat(fd)
        problem = (_not_a_file(file, "a directory") if stat.S_ISDIR(info.st_mode)
                   else _not_a_file(file, next((name for test, name in _FILE_KINDS
                                                if test(info.st_mode)), "not a regular file"))
                   if not stat.S_ISREG(info.st_mode)
                   else _too_large(file, info.st_size) if info.st_size > MAX_BLUEPRINT_BYTES
                   else None)
        if problem is not None:
            os.close(fd)
            raise BlueprintError([problem])
        with os.fdopen(fd, "rb") as handle:
            raw = handle.read(MAX_BLUEPRINT_BYTES + 1)  # the file may grow while read
    except OSError as error:
        raise BlueprintError(
            [_file_finding(file, f"cannot read the file: {error.strerror or error}",
                           "check the file and the disk")]
        ) from None
    if len(raw) > MAX_BLUEPRINT_BYTES:
        raise BlueprintError([_too_large(file, None)])
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


def _not_a_file(file: str, kind: str) -> Finding:
    if kind == "a directory":
        return _file_finding(file, "is a directory, not a blueprint file", "name a .yaml file")
    return _file_finding(file, f"is {kind}, not a regular file: a blueprint is read only from "
                         "a file", "save the blueprint to a .yaml file and name that file")


def _too_large(file: str, size: int | None) -> Finding:
    what = f"{size:,} bytes" if size is not None else "more than that"
    return Finding(path=(), message=f"the file is too large for a blueprint ({what}); the "
                   f"limit is {MAX_BLUEPRINT_BYTES:,} bytes (1 MiB)",
                   hint="a blueprint is a few KB: check that this is the right file",
                   file=file, line=1, column=1, code="file-too-large")


def load_blueprint_text(text: str, filename: str) -> LoadedBlueprint:
    """Parse and check blueprint ``text`` (shown as ``filename``); raise ``BlueprintError``."""
    if len(text) > MAX_BLUEPRINT_BYTES or len(
            text.encode("utf-8", "surrogatepass")) > MAX_BLUEPRINT_BYTES:
        raise BlueprintError([_too_large(filename, len(text.encode("utf-8", "surrogatepass")))])
    try:
        return _load(text, filename)
    except RecursionError:
        raise BlueprintError([Finding(
            path=(), message="the document is nested too deeply to read",
            hint="a blueprint is a few levels deep; check for runaway brackets or aliases",
            file=filename, line=1, column=1, code="yaml-too-deep",
        )]) from None


def _load(text: str, file: str) -> LoadedBlueprint:
    control = control_findings(text, file)
    if control:
        raise BlueprintError(control)
    parsed = parse_yaml(text, file)
    source_map = SourceMap(parsed.root)
    if parsed.fatal:
        raise BlueprintError(_bounded(_sorted(parsed.findings)))
    data = parsed.data
    if not isinstance(data, dict):
        kind = "empty" if data is None else f"a {_kind(data)}"
        raise BlueprintError(_bounded(_sorted([*parsed.findings, Finding(
            path=(),
            message=f"a blueprint is a mapping of keys (tierform, name, ...), this is {kind}",
            hint="start from the example in the README: 'tierform: 1', 'name: ...', ...",
            file=file, line=source_map.locate(())[0], column=source_map.locate(())[1],
            code="not-a-mapping",
        )])))
    findings = list(parsed.findings)
    try:
        blueprint: Blueprint | None = Blueprint.model_validate(data)
        errors: list[ErrorDetails] = []
    except ValidationError as error:
        blueprint, errors = None, error.errors()
    shape = _shape_findings(errors, data, source_map, file, parsed.quiet)
    findings.extend(shape)
    broken = ShapeErrors()
    if blueprint is None or parsed.units or parsed.ports:
        salvaged = _salvage(data, errors, parsed.units, parsed.ports)
        blueprint, broken = salvaged if salvaged is not None else (None, broken)
    # The allocator runs once: its result serves the address checks and the loaded
    # blueprint (a blueprint with shape findings is not loaded, so needs none).
    allocation = allocate(blueprint) if blueprint is not None and not findings else None
    if blueprint is not None:
        findings.extend(check_blueprint(blueprint, source_map, file, broken, allocation))
    if findings or blueprint is None or allocation is None:
        raise BlueprintError(_bounded(_sorted(findings)))
    return LoadedBlueprint(
        blueprint=blueprint, file=file, source_map=source_map,
        allocation=allocation.subnets, text=text,
    )


def _sorted(findings: list[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: (f.line or 0, f.column or 0, f.key_path, f.message))


def _bounded(findings: list[Finding]) -> list[Finding]:
    """At most ``MAX_FINDINGS`` findings, the rest counted in one more (memory stays bounded)."""
    if len(findings) <= MAX_FINDINGS:
        return findings
    last = findings[MAX_FINDINGS - 1]
    rest = len(findings) - MAX_FINDINGS + 1
    return [*findings[:MAX_FINDINGS - 1], Finding(
        path=(), message=f"{rest:,} more problems after line {last.line} are not listed "
                         f"({len(findings):,} in all)",
        hint="fix the problems above (they often repeat) and validate again",
        file=last.file, line=last.line, column=last.column, code="too-many-findings")]


def _file_finding(file: str, message: str, hint: str) -> Finding:
    return Finding(path=(), message=message, hint=hint, file=file, line=1, column=1,
                   code="file-unreadable")


# --- shape errors (pydantic) -> findings ---------------------------------------------------

_MODELS_BY_PATH: list[tuple[tuple[str, ...], type[BaseModel]]] = [
    ((), Blueprint),
    (("vpc",), VpcSpec),
    (("tiers", "*"), TierSpec),
    (("flows", "*"), FlowSpec),
    (("flow_logs",), FlowLogsSpec),
    (("monitoring",), MonitoringSpec),
    (("monitoring", "alarms"), AlarmsSpec),
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
    "customer_gateway": "customer_gateway: {ip_address: 198.51.100.7, bgp_asn: 65000}",
    "ip_address": "ip_address: 198.51.100.7",
}

_PATTERN_HINTS: dict[str, str] = {
    "name": "lower-case letters, digits and '-', starting with a letter, at most 24 characters",
    "region": "an AWS region code such as us-east-1 or eu-west-2",
    "tiers": "tier names are lower-case letters, digits and '_', starting with a letter, "
             "at most 30 characters (they become Terraform resource names)",
    "ipam_pool_id": "write the IPAM pool's ID: 'ipam-pool-' and 8 to 17 hex digits",
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


def _scalar_branch_of_mapping(kind: str, path: PathKey, data: Any) -> bool:
    """The scalar branch of a union (``networks.<name>``: a CIDR; ``vpc.ipv6``:
    ``amazon``) refusing a mapping: the mapping's own branch reports what is wrong inside
    it, at its line, so this one would only repeat it wrongly."""
    union = (len(path) == 2 and path[0] == "networks") or path == ("vpc", "ipv6")
    return (union and kind.startswith(("ip_v4", "literal_error"))
            and isinstance(_value_at(data, path), dict))


def _value_at(data: Any, path: PathKey) -> Any:
    """The value at ``path`` (a cleaned ``loc``: every part is in ``data``)."""
    current = data
    for part in path:
        current = current[part]
    return current


def _under(path: PathKey, prefixes: set[PathKey]) -> bool:
    return any(path[:len(prefix)] == prefix for prefix in prefixes)


def _shape_findings(
    errors: list[ErrorDetails], data: Any, source_map: SourceMap, file: str,
    quiet: set[PathKey],
) -> list[Finding]:
    findings: list[Finding] = []
    seen: set[tuple[PathKey, bool]] = set()
    for error in errors:
        kind = error["type"]
        path, is_key = _clean_loc(tuple(error["loc"]), data, keep_last=kind == "missing")
        if (path, is_key) in seen:  # one finding per location (a union reports per branch)
            continue
        if _scalar_branch_of_mapping(kind, path, data):
            continue
        seen.add((path, is_key))
        if _under(path, quiet):  # the structure check said it already
            continue
        message, hint, code = _describe(error, path, is_key, source_map.text(path))
        if kind == "missing":
            line, column = source_map.locate_key(path[:-1])
        elif kind == "extra_forbidden" or is_key:
            line, column = source_map.locate_key(path)
        else:
            line, column = source_map.locate(path)
        findings.append(Finding(path=path, message=message, hint=hint, file=file, line=line,
                                column=column, code=code))
    return findings


# --- salvage: what the semantic checks can still read -------------------------------------

_TIER_NAME = re.compile(TIER_NAME_PATTERN)
_PLACEHOLDER_TIER = {"exposure": "isolated", "netmask": 28}
_PLACEHOLDERS: dict[str, Any] = {
    "tierform": 1, "name": "placeholder", "region": "us-east-1",
    "vpc": {"cidr": "10.0.0.0/16"}, "availability_zones": ["us-east-1a"],
    "tiers": {"placeholder": _PLACEHOLDER_TIER},
}
"""Stand-ins for required keys that are broken; the checks skip them (``ShapeErrors``)."""
_ITEM_PLACEHOLDERS: dict[str, Any] = {
    "tiers": _PLACEHOLDER_TIER, "networks": "192.0.2.0/32",
    "flows": {"from": INTERNET, "to": INTERNET},
}


def _salvage(data: dict[str, Any], errors: list[ErrorDetails], broken_paths: set[PathKey],
             broken_ports: set[PathKey]) -> tuple[Blueprint, ShapeErrors] | None:
    """The blueprint with broken parts replaced by placeholders, and which parts they are.

    Unknown keys are dropped (nothing reads them); a broken flow, tier or network becomes
    a placeholder that the checks skip; a broken top-level key takes its default or a
    placeholder. None when not even that validates (then only shape findings are known).
    """
    units = {unit_of(path) for path in broken_paths}
    extra: set[PathKey] = set()
    for _ in range(4):
        for error in errors:
            path, _is_key = _clean_loc(tuple(error["loc"]), data, keep_last=True)
            if error["type"] == "extra_forbidden" and path:
                # Dropped (nothing reads it); but it may be a misspelt key, so what it
                # would have said is unknown: its object, or at the top the key it is
                # close to ('nats' for 'nat'), is broken too.
                extra.add(path)
                if len(path) > 1:
                    units.add(unit_of(path[:-1]))
                else:
                    units.update((close,) for close in difflib.get_close_matches(
                        str(path[0]), _allowed_keys(Blueprint), n=1, cutoff=0.6))
            else:
                units.add(unit_of(path))
        if () in units:
            return None
        candidate, dropped, units = _patched(data, units, extra, broken_ports)
        try:
            return Blueprint.model_validate(candidate), ShapeErrors(
                frozenset(units), frozenset(dropped), frozenset(broken_ports))
        except ValidationError as error:
            errors = error.errors()
            data = candidate
    return None


def _patched(data: dict[str, Any], units: set[PathKey], extra: set[PathKey],
             ports: set[PathKey]) -> tuple[dict[str, Any], set[str], set[PathKey]]:
    out: dict[str, Any] = dict(data)
    for path in sorted(extra, key=len, reverse=True):
        out = _without(out, path)
    for path in ports:  # a valid stand-in; the checks skip this item
        out = _with(out, path, 0)
    dropped: set[str] = set()
    units = set(units)
    for unit in sorted(units, key=len, reverse=True):
        head = str(unit[0])
        if len(unit) == 2:
            found = out.get(head)
            if not isinstance(found, ITEM_SECTIONS[head]):
                units.add((head,))
                continue
            container: dict[Any, Any] | list[Any] = (
                dict(found) if isinstance(found, dict) else list(found))  # type: ignore[call-overload]
            key = unit[1]
            if isinstance(container, list):
                if isinstance(key, int) and 0 <= key < len(container):
                    container[key] = _ITEM_PLACEHOLDERS["flows"]
            elif head == "tags" or (head == "tiers" and not (
                    isinstance(key, str) and _TIER_NAME.fullmatch(key))):
                container.pop(key, None)
                if head == "tiers":
                    dropped.add(str(key))
            elif key in container:
                container[key] = _ITEM_PLACEHOLDERS[head]
            out[head] = container
    for unit in units:
        if len(unit) == 1:
            head = str(unit[0])
            if head in _PLACEHOLDERS:
                out[head] = _PLACEHOLDERS[head]
            else:
                out.pop(head, None)
    return out, dropped, units


def _with(data: Any, path: PathKey, value: Any) -> Any:
    """A copy of ``data`` with ``value`` at ``path`` if that exists (copies along the path)."""
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(data, dict) and head in data:
        return {**data, head: _with(data[head], rest, value)}
    if isinstance(data, list) and isinstance(head, int) and 0 <= head < len(data):
        return [*data[:head], _with(data[head], rest, value), *data[head + 1:]]
    return data


def _without(data: Any, path: PathKey) -> Any:
    """A copy of ``data`` without the key at ``path`` (copies only along the path)."""
    if not path:
        return data
    if isinstance(data, dict) and path[0] in data:
        copy = dict(data)
        if len(path) == 1:
            del copy[path[0]]
        else:
            copy[path[0]] = _without(copy[path[0]], path[1:])
        return copy
    if isinstance(data, list) and isinstance(path[0], int) and 0 <= path[0] < len(data):
        items = list(data)
        if len(path) > 1:
            items[path[0]] = _without(items[path[0]], path[1:])
        return items
    return data


def _describe(error: ErrorDetails, path: PathKey, is_key: bool,
              source: str | None = None) -> tuple[str, str, str]:
    """(message, hint, code) for one pydantic error, in the blueprint's words.

    ``source``: the value as written, to say what YAML made of it (``yes`` is true).
    """
    kind = error["type"]
    value = error.get("input")
    shown, kind_of = _show(value), _kind_of(value)
    if isinstance(value, bool) and source is not None and source.lower() != shown:
        shown = f"{source} (read by YAML 1.1 as {shown})"
        kind_of = f"{source}, which YAML 1.1 reads as the boolean {str(value).lower()}"
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
        if path == ("vpc", "ipv6"):
            hint += " (or an IPAM pool: {ipam_pool_id: ipam-pool-..., netmask_length: 56})"
        if field_name == "netmask_length":
            hint = ("write 56 (or leave it out): tiers' /64s are numbered within a /56, "
                    "so another length would move every subnet")
        return (f"{shown} is not allowed for '{field_name}': expected {expected}", hint,
                "bad-value")
    if kind == "string_pattern_mismatch":
        topic = "tiers" if is_key and path[:1] == ("tiers",) else field_name
        hint = _PATTERN_HINTS.get(topic, f"must match {ctx.get('pattern', '')}")
        return f"{_show(value)} is not a valid {_noun(topic)}", hint, "bad-name"
    if kind == "ip_v4_address":
        return (f"{_show(value)} is not a valid IPv4 address",
                "write the address as text, e.g. 198.51.100.7", "bad-address")
    if kind.startswith(("ip_v4", "ip_any")):
        return (f"{_show(value)} is not a valid IPv4 CIDR block", _cidr_hint(value),
                "bad-cidr")
    if kind == "too_short":
        return f"'{field_name}' must not be empty", _empty_hint(field_name), "empty"
    if kind in ("dict_type", "model_type", "model_attributes_type", "mapping_type"):
        return (f"'{field_name}' must be a mapping (key: value), got {kind_of}",
                "indent the keys under it, or write it as {key: value}", "wrong-type")
    if kind == "list_type":
        return (f"'{field_name}' must be a list, got {kind_of}",
                "write it as [a, b] or as '- a' lines under the key", "wrong-type")
    if kind in ("string_type", "string_unicode"):
        return (f"'{field_name}' must be text, got {kind_of}",
                f"quote it: '{source}'" if source else "quote the value", "wrong-type")
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return (f"'{field_name}' must be a whole number, got {kind_of}",
                "write a number without quotes or decimals", "wrong-type")
    if kind in ("bool_type", "bool_parsing"):
        return (f"'{field_name}' must be true or false, got {kind_of}",
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
    return (f"'{field_name}': {error.get('msg', 'invalid value')} (got {kind_of})",
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
    """A value as shown in a message: text quoted, at most 60 characters of it."""
    if isinstance(value, str):
        return repr(value) if len(value) <= 60 else f"{value[:60]!r}… ({len(value):,} characters)"
    if isinstance(value, bool):
        return str(value).lower()  # as YAML writes it
    if isinstance(value, int) and value.bit_length() > 64:
        return "(a number this long)"
    return str(value)


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

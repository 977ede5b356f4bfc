"""Flow-log record formats: AWS's field names and types, and what a source file is.

A file is recognised by its first bytes and first line: Parquet (``PAR1``), gzip (as S3
delivers, or a CloudWatch Logs export), a header line of field names (S3 text delivery
writes one), a CloudWatch Logs export line (``<ISO time> <record>``, CreateExportTask),
or bare records in the blueprint's custom format or AWS's default one.
"""

from __future__ import annotations

import gzip
import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from tierform.aws import DEFAULT_FLOW_LOG_FIELDS
from tierform.errors import TierformError

__all__ = [
    "COLUMNS",
    "DEFAULT_FIELDS",
    "EXACT_FIELDS",
    "FIELD_TYPES",
    "REQUIRED_FIELDS",
    "LogFormatError",
    "Source",
    "column",
    "inspect_source",
]

DEFAULT_FIELDS: tuple[str, ...] = DEFAULT_FLOW_LOG_FIELDS
"""AWS's default format (version 2, 14 fields)."""

_INT = ("version", "srcport", "dstport", "protocol", "tcp-flags", "pkt-src-aws-service",
        "traffic-path")
_BIG = ("packets", "bytes", "start", "end")
_TEXT = ("account-id", "interface-id", "srcaddr", "dstaddr", "action", "log-status",
         "vpc-id", "subnet-id", "instance-id", "type", "pkt-srcaddr", "pkt-dstaddr", "region",
         "az-id", "sublocation-type", "sublocation-id", "pkt-dst-aws-service",
         "flow-direction", "ecs-cluster-arn", "ecs-cluster-name", "ecs-container-instance-arn",
         "ecs-container-instance-id", "ecs-container-id", "ecs-second-container-id",
         "ecs-service-name", "ecs-task-definition-arn", "ecs-task-arn", "ecs-task-id",
         "reject-reason", "resource-id", "encryption-status")
FIELD_TYPES: dict[str, str] = {
    **dict.fromkeys(_TEXT, "VARCHAR"), **dict.fromkeys(_INT, "INTEGER"),
    **dict.fromkeys(_BIG, "BIGINT")}
# pkt-src-aws-service is a name in AWS's docs (S3, EC2...), not a number.
FIELD_TYPES["pkt-src-aws-service"] = "VARCHAR"
FIELD_TYPES["traffic-path"] = "INTEGER"

REQUIRED_FIELDS = ("srcaddr", "dstaddr", "srcport", "dstport", "protocol", "action")
"""Without these a record cannot be classified."""
EXACT_FIELDS = ("tcp-flags", "pkt-srcaddr", "pkt-dstaddr", "flow-direction")
"""What makes classification exact: request/reply from the TCP flags, the addresses
before NAT; ``flow-direction`` says at which end a record was captured."""

COLUMNS = ("srcaddr", "dstaddr", "srcport", "dstport", "protocol", "action", "packets",
           "bytes", "start", "end", "log_status", "tcp_flags", "pkt_srcaddr", "pkt_dstaddr",
           "flow_direction")
"""The columns every source is read into (a field a format lacks reads as NULL)."""

_ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")


class LogFormatError(TierformError):
    """A source that is not a flow log Tierform can read (exit 2)."""


def column(name: str) -> str:
    """A field's column name (as in AWS's Parquet and Athena tables): ``-`` becomes ``_``."""
    return name.replace("-", "_")


@dataclass(frozen=True)
class Source:
    """One file, as it will be read."""

    path: Path
    kind: Literal["text", "parquet"]
    fields: tuple[str, ...]
    header: bool = False
    gzip: bool = False
    cloudwatch: bool = False
    """Each line is ``<ISO time> <record>`` (a CloudWatch Logs export)."""

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(column(f) for f in self.fields)


def _first_line(path: Path, zipped: bool) -> str:
    try:
        if zipped:
            with gzip.open(path, "rb") as handle:
                raw = handle.readline(65536)
        else:
            with open(path, "rb") as handle:
                raw = handle.readline(65536)
    except (OSError, EOFError, zlib.error) as error:
        raise LogFormatError(f"{path}: cannot read it as {'gzip' if zipped else 'text'}: "
                             f"{error}; give a flow-log file as S3 or CloudWatch Logs "
                             "delivers it") from None
    try:
        return raw.decode("utf-8").rstrip("\r\n")
    except UnicodeDecodeError:
        raise LogFormatError(f"{path}: line 1 is not text (not UTF-8); give a flow-log "
                             "file (plain, gzip or Parquet)") from None


def _check_fields(path: Path, fields: Sequence[str], where: str) -> None:
    unknown = [f for f in fields if f not in FIELD_TYPES]
    if unknown:
        raise LogFormatError(f"{path}: {where}: unknown flow-log field(s) "
                             f"{', '.join(unknown)}; the fields are AWS's names "
                             "(https://docs.aws.amazon.com/vpc/latest/userguide/flow-log-records.html)")
    missing = [f for f in REQUIRED_FIELDS if f not in fields]
    if missing:
        raise LogFormatError(f"{path}: {where}: the format lacks {', '.join(missing)}, "
                             "without which a record cannot be classified; add them to "
                             "flow_logs.fields")


def inspect_source(path: Path, fields: Sequence[str] | None) -> Source:
    """What ``path`` holds; ``fields``: the blueprint's custom format (None: the default)."""
    expected = tuple(fields) if fields else DEFAULT_FIELDS
    try:
        with open(path, "rb") as handle:
            magic = handle.read(4)
    except OSError as error:
        raise LogFormatError(f"{path}: cannot read it: {error.strerror or error}") from None
    if magic == b"PAR1":
        return Source(path, "parquet", ())
    zipped = magic[:2] == b"\x1f\x8b"
    line = _first_line(path, zipped)
    if not line.strip():
        raise LogFormatError(f"{path}: line 1 is empty; a flow-log file starts with a header "
                             "line (S3) or a record")
    tokens = line.split()
    if all(t in FIELD_TYPES for t in tokens):
        _check_fields(path, tokens, "header line")
        return Source(path, "text", tuple(tokens), header=True, gzip=zipped)
    if any(t.isidentifier() and t.replace("_", "-") in FIELD_TYPES for t in tokens[:3]) and \
            not any(ch.isdigit() for ch in tokens[0]):
        unknown = [t for t in tokens if t not in FIELD_TYPES]
        raise LogFormatError(f"{path}: line 1 looks like a header but names unknown "
                             f"field(s) {', '.join(unknown[:5])}; use AWS's field names")
    cloudwatch = bool(_ISO.match(tokens[0]))
    count = len(tokens) - (1 if cloudwatch else 0)
    for candidate in (expected, DEFAULT_FIELDS):
        if count == len(candidate):
            _check_fields(path, candidate, "format")
            return Source(path, "text", candidate, gzip=zipped, cloudwatch=cloudwatch)
    raise LogFormatError(
        f"{path}: line 1 has {count} fields, but the blueprint's format has {len(expected)} "
        f"({' '.join(expected)}) and AWS's default has {len(DEFAULT_FIELDS)}; give files in "
        "one of these formats, or with a header line of field names")

"""``tierform logs check``: classify flow-log files on this machine with DuckDB.

Why DuckDB: it reads space-separated text, gzip and Parquet itself, in parallel, and runs
the classification (``tierform.logs.rules``) vectorized as one streaming aggregate, so
memory holds the result groups, not the records (a memory limit makes it spill instead
of growing). It is imported lazily: the CLI's start-up stays light.
"""

from __future__ import annotations

import os
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tierform.logs.formats import (
    COLUMNS,
    FIELD_TYPES,
    LogFormatError,
    Source,
    column,
    inspect_source,
)
from tierform.logs.rules import Dialect, Rules, aggregate_sql, classify_sql

if TYPE_CHECKING:
    import duckdb

__all__ = ["BadLine", "CheckResult", "check_sources", "classified_records", "connect",
           "records_relation", "tty_progress"]

_TYPES = {column(f): t for f, t in FIELD_TYPES.items()}
_TYPES["log_status"] = "VARCHAR"
MEMORY_LIMIT = os.environ.get("TIERFORM_LOGS_MEMORY", "1GB")
"""DuckDB's memory limit for a check: past it, the aggregate spills to a temporary file."""
AGGREGATE_COLUMNS = ("class", "client", "server", "protocol", "port", "flow_id", "reason",
                     "client_ip", "server_ip", "records", "by_ports", "packets", "bytes",
                     "first_seen", "last_seen")


@dataclass(frozen=True)
class BadLine:
    path: str
    line: int
    problem: str


@dataclass
class CheckResult:
    """The aggregate rows (``AGGREGATE_COLUMNS``) and what could not be read."""

    rows: list[dict[str, Any]]
    sources: list[Source]
    bad_lines: list[BadLine] = field(default_factory=list)
    bad_count: int = 0
    seconds: float = 0.0

    @property
    def records(self) -> int:
        return sum(int(r["records"]) for r in self.rows)


def connect() -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with a memory limit and a temporary directory to spill to."""
    import duckdb  # the `logs` extra; imported here so the CLI starts fast

    con = duckdb.connect(config={"memory_limit": MEMORY_LIMIT,
                                 "temp_directory": tempfile.gettempdir(),
                                 "preserve_insertion_order": "false"})
    # DuckDB would draw its own bar on stdout: progress is ours, on stderr (query_progress).
    con.execute("SET enable_progress_bar = true")
    con.execute("SET enable_progress_bar_print = false")
    return con


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _text_group(sources: Sequence[Source]) -> str:
    first = sources[0]
    names = (["cw_time"] if first.cloudwatch else []) + list(first.columns)
    columns = ", ".join(f"{_lit(n)}: {_lit('VARCHAR' if n == 'cw_time' else _TYPES[n])}"
                        for n in names)
    files = "[" + ", ".join(_lit(str(s.path)) for s in sources) + "]"
    return (f"read_csv({files}, delim=' ', header={'true' if first.header else 'false'}, "
            f"columns={{{columns}}}, nullstr='-', auto_detect=false, quote='', escape='', "
            f"compression={_lit('gzip' if first.gzip else 'none')}, store_rejects=true, "
            "strict_mode=true, null_padding=false)")


def _project(relation: str, have: Sequence[str], cast: bool) -> str:
    parts = []
    for name in COLUMNS:
        kind = _TYPES[name]
        if name in have:
            parts.append(f"CAST(\"{name}\" AS {kind}) AS \"{name}\"" if cast else f'"{name}"')
        elif name == "log_status":
            parts.append("'OK' AS \"log_status\"")
        else:
            parts.append(f"CAST(NULL AS {kind}) AS \"{name}\"")
    return f"SELECT {', '.join(parts)} FROM {relation}"


def records_relation(con: duckdb.DuckDBPyConnection, sources: Sequence[Source]) -> str:
    """One relation (SQL text) over every source, in ``COLUMNS``."""
    import duckdb

    groups: dict[tuple[object, ...], list[Source]] = {}
    parts = []
    for source in sources:
        if source.kind == "parquet":
            try:
                described = con.execute(
                    f"DESCRIBE SELECT * FROM read_parquet({_lit(str(source.path))})").fetchall()
            except duckdb.Error as error:
                raise LogFormatError(f"{source.path}: not a Parquet file DuckDB can read: "
                                     f"{str(error).splitlines()[0]}") from None
            have = [str(row[0]) for row in described]
            missing = [c for c in ("srcaddr", "dstaddr", "srcport", "dstport", "protocol",
                                   "action") if c not in have]
            if missing:
                raise LogFormatError(f"{source.path}: the Parquet file lacks the column(s) "
                                     f"{', '.join(missing)}; give flow logs with them")
            parts.append(_project(f"read_parquet({_lit(str(source.path))})", have, True))
        else:
            key = (source.fields, source.header, source.gzip, source.cloudwatch)
            groups.setdefault(key, []).append(source)
    for group in groups.values():
        parts.append(_project(_text_group(group), group[0].columns, False))
    return "(" + " UNION ALL ".join(parts) + ")"


def _bad_lines(con: duckdb.DuckDBPyConnection, limit: int) -> tuple[list[BadLine], int]:
    import duckdb

    try:
        (count,) = con.execute("SELECT count(DISTINCT (scan_id, file_id, line)) "
                               "FROM reject_errors").fetchone() or (0,)
        rows = con.execute(
            "SELECT s.file_path, e.line, min(e.error_type || ': ' || e.error_message) "
            "FROM reject_errors e JOIN reject_scans s USING (scan_id, file_id) "
            f"GROUP BY 1, 2 ORDER BY 1, 2 LIMIT {int(limit)}").fetchall()
    except duckdb.CatalogException:  # no text source was read
        return [], 0
    return [BadLine(str(p), int(n), str(m)) for p, n, m in rows], int(count)


def _run(con: duckdb.DuckDBPyConnection, sql: str,
         progress: Callable[[float], None] | None) -> list[tuple[Any, ...]]:
    """The query's rows; ``progress`` is called with the share done while it runs."""
    if progress is None:
        return con.execute(sql).fetchall()
    done: list[list[tuple[Any, ...]]] = []
    failed: list[BaseException] = []

    def work() -> None:
        try:
            done.append(con.execute(sql).fetchall())
        except BaseException as error:  # re-raised in the caller's thread
            failed.append(error)

    worker = threading.Thread(target=work, daemon=True)
    worker.start()
    while worker.is_alive():
        worker.join(0.25)
        share = con.query_progress()
        if share >= 0:
            progress(share / 100)
    if failed:
        raise failed[0]
    return done[0]


def _source_error(error: Exception, sources: Sequence[Source]) -> LogFormatError:
    text = str(error).splitlines()[0] if str(error) else type(error).__name__
    names = [str(s.path) for s in sources if str(s.path) in str(error)]
    where = names[0] if names else ", ".join(str(s.path) for s in sources[:3])
    return LogFormatError(f"{where}: cannot read the flow-log records: {text}; give files as "
                          "S3 or CloudWatch Logs delivers them (plain, gzip or Parquet)")


def check_sources(rules: Rules, paths: Sequence[Path], fields: Sequence[str] | None, *,
                  progress: Callable[[float], None] | None = None,
                  shown_bad_lines: int = 20, dialect: Dialect = "duckdb") -> CheckResult:
    """Classify every record of ``paths`` and aggregate in one pass (see ``rules``).
    ``dialect``: the rules' SQL spelling (``portable``: Athena's, for comparisons)."""
    import duckdb

    started = time.perf_counter()
    sources = [inspect_source(Path(p), fields) for p in paths]
    con = connect()
    try:
        relation = records_relation(con, sources)
        sql = aggregate_sql(classify_sql(rules, relation, COLUMNS, dialect=dialect))
        try:
            rows = _run(con, sql, progress)
        except (duckdb.Error, UnicodeDecodeError, OSError) as error:
            raise _source_error(error, sources) from None
        bad, bad_count = _bad_lines(con, shown_bad_lines)
    finally:
        con.close()
    result = CheckResult([dict(zip(AGGREGATE_COLUMNS, r, strict=True)) for r in rows],
                         sources, bad, bad_count, time.perf_counter() - started)
    if bad_count and not result.rows:
        first = bad[0]
        raise LogFormatError(f"{first.path}: no line could be read as a flow-log record "
                             f"({bad_count:,} bad, first at line {first.line}: "
                             f"{first.problem}); give files in the blueprint's format or "
                             "AWS's default one")
    return result


def classified_records(rules: Rules, paths: Sequence[Path],
                       fields: Sequence[str] | None) -> list[dict[str, Any]]:
    """Every record with its class (tests and ad-hoc looks; holds them all in memory)."""
    sources = [inspect_source(Path(p), fields) for p in paths]
    con = connect()
    try:
        cursor = con.execute(classify_sql(rules, records_relation(con, sources), COLUMNS,
                                          dialect="duckdb"))
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    finally:
        con.close()


def tty_progress() -> Callable[[float], None] | None:
    """A percentage on stderr when it is a terminal (and not quiet), else None."""
    if os.environ.get("TIERFORM_QUIET") or not sys.stderr.isatty():
        return None

    def show(share: float) -> None:
        sys.stderr.write(f"\rclassifying flow-log records: {share:4.0%}")
        sys.stderr.flush()

    return show


"""``tierform logs athena``: the same classification as Athena SQL over the flow-log table.

The DDL is an external table on the module's S3 layout,
``AWSLogs/{account}/vpcflowlogs/{region}/{yyyy}/{MM}/{dd}/``, with partition projection
on the day (no crawler, no ``MSCK REPAIR``). The view and the report query are the text
``tierform.logs.rules`` writes for the local check, over that table: one source of rules.
Dialects: the rules keep to what Trino and DuckDB share; the only difference is the DDL
(Hive DDL, backquoted names), which DuckDB never runs (the test builds the same table from
``athena_columns``).

``run_report`` runs the same three statements through boto3 (``logs athena --run``) and
returns the report's rows in the local check's columns, so one report prints both.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from typing import Any

from tierform.errors import ReadError
from tierform.logs.check import AGGREGATE_COLUMNS
from tierform.logs.formats import COLUMNS, DEFAULT_FIELDS, FIELD_TYPES, column
from tierform.logs.rules import Rules, aggregate_sql, classify_sql

__all__ = ["VIEW", "athena_columns", "athena_sql", "ddl", "report_query", "run_report",
           "view_sql"]

VIEW = "tierform_classified"
_HIVE = {"VARCHAR": "string", "INTEGER": "int", "BIGINT": "bigint"}


def athena_columns(fields: Sequence[str] | None) -> list[tuple[str, str]]:
    """The table's columns (name, DuckDB type), in the format's order."""
    return [(column(f), FIELD_TYPES[f]) for f in (fields or DEFAULT_FIELDS)]


def _table_relation(table: str, fields: Sequence[str] | None) -> str:
    """The table projected to ``COLUMNS`` (a field the format lacks is NULL, log-status OK)."""
    have = {name for name, _ in athena_columns(fields)}
    parts = []
    for name in COLUMNS:
        if name in have:
            parts.append(f'"{name}"')
        elif name == "log_status":
            parts.append("'OK' AS \"log_status\"")
        else:
            kind = "BIGINT" if name == "tcp_flags" else "VARCHAR"
            parts.append(f"CAST(NULL AS {kind}) AS \"{name}\"")
    return f"(SELECT {', '.join(parts)} FROM {table})"


def ddl(fields: Sequence[str] | None, *, bucket: str, account: str, region: str,
        table: str = "vpc_flow_logs", parquet: bool = False, since: str = "2024/01/01") -> str:
    """CREATE EXTERNAL TABLE with day partitions projected from ``since`` to now."""
    columns = ",\n".join(f"  `{name}` {_HIVE[kind]}" for name, kind in athena_columns(fields))
    location = f"s3://{bucket}/AWSLogs/{account}/vpcflowlogs/{region}/"
    storage = ("STORED AS PARQUET" if parquet else
               "ROW FORMAT DELIMITED FIELDS TERMINATED BY ' '")
    header = "" if parquet else '  "skip.header.line.count" = "1",\n'
    return (f"CREATE EXTERNAL TABLE IF NOT EXISTS `{table}` (\n{columns}\n)\n"
            "PARTITIONED BY (`day` string)\n"
            f"{storage}\nLOCATION '{location}'\nTBLPROPERTIES (\n{header}"
            '  "projection.enabled" = "true",\n'
            '  "projection.day.type" = "date",\n'
            f'  "projection.day.range" = "{since},NOW",\n'
            '  "projection.day.format" = "yyyy/MM/dd",\n'
            '  "projection.day.interval" = "1",\n'
            '  "projection.day.interval.unit" = "DAYS",\n'
            f'  "storage.location.template" = "{location}' + '${day}"\n)')


def view_sql(rules: Rules, fields: Sequence[str] | None, table: str = "vpc_flow_logs",
             where: str | None = None) -> str:
    """The classified records as a SELECT over ``table`` (``where``: e.g. a day range)."""
    relation = _table_relation(f"{table} WHERE {where}" if where else table, fields)
    return classify_sql(rules, relation, COLUMNS)


def report_query(view: str = VIEW) -> str:
    """The aggregate the report is made of (same columns as the local check's)."""
    return aggregate_sql(f"SELECT * FROM {view}")


def athena_sql(rules: Rules, fields: Sequence[str] | None, *, bucket: str, account: str,
               region: str, table: str = "vpc_flow_logs", parquet: bool = False,
               days: tuple[str, str] | None = None, notes: Sequence[str] = ()) -> str:
    """The whole recipe: DDL, the classified view, the report query; ``notes`` (what stands
    in for addresses not read, ``tierform.logs.intent.stand_ins``) as comments first."""
    table_ddl = ddl(fields, bucket=bucket, account=account, region=region, table=table,
                    parquet=parquet)
    where = f"\"day\" BETWEEN '{days[0]}' AND '{days[1]}'" if days else None
    head = "".join(f"-- note: {n}\n" for n in notes) + ("\n" if notes else "")
    return (f"{head}-- 1. The flow-log table (partition projection on the day).\n"
            f"{table_ddl};\n\n"
            f"-- 2. Every record with its class (the rules of `tierform logs check`).\n"
            f"CREATE OR REPLACE VIEW {VIEW} AS\n{view_sql(rules, fields, table, where)};\n\n"
            f"-- 3. The report: counts per class, connection and port; findings per address pair.\n"
            f"{report_query()};\n")


_NUMBERS = frozenset(("protocol", "port", "records", "by_ports", "packets", "bytes",
                      "first_seen", "last_seen"))


def _wait(athena: Any, execution: str, what: str, poll: float, timeout: float) -> None:
    """Until the query ``execution`` ends; a failed or cancelled one is a ReadError."""
    waited = 0.0
    while True:
        status = athena.get_query_execution(QueryExecutionId=execution)[
            "QueryExecution"]["Status"]
        state = status.get("State")
        if state == "SUCCEEDED":
            return
        if state in ("FAILED", "CANCELLED"):
            raise ReadError(f"Athena {what} ({execution}) {state.lower()}: "
                            f"{status.get('StateChangeReason', 'no reason given')}")
        if waited >= timeout:
            raise ReadError(f"Athena {what} ({execution}) still {state} after "
                            f"{timeout:.0f} s; see it in the Athena console")
        time.sleep(poll)
        waited += poll


def _cell(name: str, datum: Mapping[str, Any]) -> Any:
    value = datum.get("VarCharValue")
    if value is None or name not in _NUMBERS:
        return value
    return int(value)


def run_report(athena: Any, rules: Rules, fields: Sequence[str] | None, *, bucket: str,
               account: str, region: str, output_location: str, table: str = "vpc_flow_logs",
               parquet: bool = False, days: tuple[str, str] | None = None,
               database: str = "default", workgroup: str = "primary", poll: float = 1.0,
               timeout: float = 1800.0) -> list[dict[str, Any]]:
    """Run the recipe on Athena through ``athena`` (a boto3 client): the table DDL, the
    classified view, then the report query, each awaited (StartQueryExecution, then
    GetQueryExecution until it ends); the report's rows (GetQueryResults, every page) in
    ``AGGREGATE_COLUMNS``, as the local check gives them."""
    from botocore.exceptions import BotoCoreError, ClientError  # only --run needs it

    where = f"\"day\" BETWEEN '{days[0]}' AND '{days[1]}'" if days else None
    steps = (("table DDL", ddl(fields, bucket=bucket, account=account, region=region,
                               table=table, parquet=parquet)),
             ("view", f"CREATE OR REPLACE VIEW {VIEW} AS\n{view_sql(rules, fields, table, where)}"),
             ("report query", report_query()))
    execution = ""
    try:
        for what, sql in steps:
            execution = athena.start_query_execution(
                QueryString=sql, QueryExecutionContext={"Database": database},
                ResultConfiguration={"OutputLocation": output_location},
                WorkGroup=workgroup)["QueryExecutionId"]
            _wait(athena, execution, what, poll, timeout)
        rows: list[dict[str, Any]] = []
        header: list[str] | None = None
        for page in athena.get_paginator("get_query_results").paginate(
                QueryExecutionId=execution):
            for row in page.get("ResultSet", {}).get("Rows", []):
                data = row.get("Data", [])
                if header is None:  # the first row of the first page names the columns
                    header = [str(d.get("VarCharValue")) for d in data]
                    continue
                named = dict(zip(header, data, strict=False))
                rows.append({c: _cell(c, named.get(c, {})) for c in AGGREGATE_COLUMNS})
    except ClientError as error:
        raise ReadError(f"Athena refused the query: {error}") from None
    except BotoCoreError as error:
        raise ReadError(f"cannot reach Athena: {error}") from None
    if header is not None and [h for h in AGGREGATE_COLUMNS if h not in header]:
        raise ReadError("Athena's report lacks the columns "
                        f"{', '.join(h for h in AGGREGATE_COLUMNS if h not in header)}: "
                        "is the view the one this blueprint's recipe creates?")
    return rows

"""``tierform logs athena``: the same classification as Athena SQL over the flow-log table.

The DDL is an external table on the module's S3 layout,
``AWSLogs/{account}/vpcflowlogs/{region}/{yyyy}/{MM}/{dd}/``, with partition projection
on the day (no crawler, no ``MSCK REPAIR``). The view and the report query are the text
``tierform.logs.rules`` writes for the local check, over that table: one source of rules.
Dialects: the rules keep to what Trino and DuckDB share; the only difference is the DDL
(Hive DDL, backquoted names), which DuckDB never runs (the test builds the same table from
``athena_columns``).
"""

from __future__ import annotations

from collections.abc import Sequence

from tierform.logs.formats import COLUMNS, DEFAULT_FIELDS, FIELD_TYPES, column
from tierform.logs.rules import Rules, aggregate_sql, classify_sql

__all__ = ["VIEW", "athena_columns", "athena_sql", "ddl", "report_query", "view_sql"]

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

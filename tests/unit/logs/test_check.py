"""`logs check` on generated records finds exactly what the generator injected, in every
format AWS delivers; the Athena SQL, run on DuckDB, agrees record for record."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import duckdb
import pytest

from cli_support import failed, tierform
from tierform import workflow
from tierform.logs.athena import VIEW, athena_columns, athena_sql, report_query, view_sql
from tierform.logs.check import AGGREGATE_COLUMNS, check_sources, classified_records
from tierform.logs.formats import DEFAULT_FIELDS, EXACT_FIELDS
from tierform.logs.intent import rules_of
from tierform.logs.report import summarize
from tierform.logs.rules import FINDINGS
from tierform.logs.synthetic import generate, write_parquet, write_text
from unit.logs.logs_support import BLUEPRINTS, SHIPPED, checked, classified, labelled

FORMATS = ("custom-gzip", "default-plain", "cloudwatch-export", "parquet", "exact-gzip")


def _fields(name: str, variant: str) -> tuple[str, ...]:
    fl = checked(name).loaded.blueprint.flow_logs
    custom = tuple(fl.fields) if fl is not None and fl.fields else DEFAULT_FIELDS
    if variant == "default-plain":
        return DEFAULT_FIELDS
    if variant == "exact-gzip":
        return (*custom, *(f for f in EXACT_FIELDS if f not in custom))
    return custom


def _write(sample: object, tmp: Path, variant: str, fields: tuple[str, ...]) -> Path:
    if variant == "parquet":
        return write_parquet(sample, tmp / "records.parquet", fields)  # type: ignore[arg-type]
    if variant == "cloudwatch-export":
        return write_text(sample, tmp / "000000.gz", fields, cloudwatch=True)  # type: ignore[arg-type]
    suffix = ".log" if variant == "default-plain" else ".log.gz"
    return write_text(sample, tmp / f"records{suffix}", fields)  # type: ignore[arg-type]


def _findings(rows: list[dict[str, object]]) -> set[tuple[object, ...]]:
    return {(r["class"], r["client"], r["server"], r["protocol"], r["port"]) for r in rows
            if r["class"] in FINDINGS}


@pytest.mark.parametrize("variant", FORMATS)
@pytest.mark.parametrize("name", SHIPPED)
def test_every_record_gets_the_class_it_was_made_to_have(name: str, variant: str,
                                                         tmp_path: Path) -> None:
    layout = checked(name).layout
    sample = generate(layout, 1500, seed=3)
    fields = _fields(name, variant)
    path = _write(sample, tmp_path, variant, fields)
    rules = rules_of(layout, sample.nat_addresses)
    # The blueprint's own format is what the reader is told; the files say the rest.
    told = checked(name).loaded.blueprint.flow_logs
    told_fields = told.fields if told is not None else None
    assert classified(classified_records(rules, [path], told_fields)) == labelled(sample)
    result = check_sources(rules, [path], told_fields)
    assert result.records == 1500
    assert result.bad_count == 0
    injected = {(c.klass, c.client, c.server, c.protocol, c.port) for c in sample.injected}
    assert len(injected) == 2
    assert _findings(result.rows) == injected


def test_a_clean_sample_has_no_findings(tmp_path: Path) -> None:
    layout = checked("three-tier").layout
    sample = generate(layout, 2000, seed=5, misconfigured=False, broken=False)
    path = write_text(sample, tmp_path / "clean.log.gz", _fields("three-tier", "custom-gzip"))
    result = check_sources(rules_of(layout, sample.nat_addresses), [path], None)
    assert _findings(result.rows) == set()
    assert summarize(result.rows)["classes"]["intended_accept"] > 1000


def test_the_athena_sql_on_duckdb_agrees_record_for_record(tmp_path: Path) -> None:
    """The printed view and report query, over a table typed as the DDL types it."""
    layout = checked("four-tier").layout
    sample = generate(layout, 3000, seed=11)
    fields = _fields("four-tier", "exact-gzip")
    path = write_text(sample, tmp_path / "sample.log.gz", fields)
    rules = rules_of(layout, sample.nat_addresses)
    con = duckdb.connect()
    # Athena's text SerDe reads a number it cannot parse ('-') as NULL and keeps strings
    # as written ('-'): read every column as text, then cast the numbers the same way.
    text = ", ".join(f"'{n}': 'VARCHAR'" for n, _ in athena_columns(fields))
    typed = ", ".join(f'"{n}"' if t == "VARCHAR" else f'TRY_CAST("{n}" AS {t}) AS "{n}"'
                      for n, t in athena_columns(fields))
    con.execute(f"CREATE TABLE vpc_flow_logs AS SELECT {typed} FROM read_csv('{path}', "
                f"delim=' ', header=true, auto_detect=false, columns={{{text}}})")
    con.execute(f"CREATE VIEW {VIEW} AS {view_sql(rules, fields)}")
    cursor = con.execute(f"SELECT * FROM {VIEW}")
    names = [d[0] for d in cursor.description]
    athena_records = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    local = classified_records(rules, [path], fields)
    assert classified(athena_records) == classified(local) == labelled(sample)
    athena_rows = [dict(zip(AGGREGATE_COLUMNS, r, strict=True))
                   for r in con.execute(report_query()).fetchall()]
    local_rows = check_sources(rules, [path], fields).rows

    def canon(rows: list[dict[str, object]]) -> Counter[tuple[object, ...]]:
        return Counter(tuple(r[c] for c in AGGREGATE_COLUMNS) for r in rows)

    assert canon(athena_rows) == canon(local_rows)
    assert summarize(athena_rows) == summarize(local_rows)
    # The whole recipe is what the view and query above were cut from.
    recipe = athena_sql(rules, fields, bucket="b", account="123456789012", region="us-west-2")
    assert view_sql(rules, fields) in recipe
    assert report_query() in recipe


def test_tcp_flags_decide_request_or_reply_where_ports_would_guess(tmp_path: Path) -> None:
    """db opening a connection from port 3306 to app: by ports a reply of app->db 3306;
    with tcp-flags SYN (2) a request no flow allows."""
    layout = checked("three-tier").layout
    rules = rules_of(layout)
    line = "10.0.21.10 10.0.11.10 3306 40000 6 5 300 1000 1060 ACCEPT OK {flags}\n"
    header = "srcaddr dstaddr srcport dstport protocol packets bytes start end action " \
             "log-status tcp-flags\n"
    for flags, expected in (("2", "unintended_accept"), ("18", "intended_accept"),
                            ("0", "intended_accept"), ("-", "intended_accept")):
        path = tmp_path / f"flags-{flags}.log"
        path.write_text(header + line.format(flags=flags))
        (record,) = classified_records(rules, [path], None)
        assert record["class"] == expected, flags


def test_nat_addresses_turn_the_translated_leg_into_the_private_tiers_flow(
        tmp_path: Path) -> None:
    layout = checked("four-tier").layout
    sample = generate(layout, 2000, seed=2, misconfigured=False, broken=False)
    path = write_text(sample, tmp_path / "nat.log.gz", DEFAULT_FIELDS)
    without = check_sources(rules_of(layout), [path], None)
    assert ("unintended_accept", "web", "internet", 6, 443) in _findings(without.rows)
    with_nat = check_sources(rules_of(layout, sample.nat_addresses), [path], None)
    assert _findings(with_nat.rows) == set()


def test_addresses_the_blueprint_cannot_place_are_unmapped_never_blocked(
        tmp_path: Path) -> None:
    rules = rules_of(checked("three-tier").layout)
    path = tmp_path / "odd.log"
    path.write_text(
        "srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status\n"
        "2600:1f18::1 10.0.1.10 40000 443 6 1 60 1 2 ACCEPT OK\n"
        "10.0.1.300 10.0.1.10 40000 443 6 1 60 1 2 ACCEPT OK\n"
        "10.0.200.9 10.0.1.10 40000 22 6 1 60 1 2 REJECT OK\n"
        "198.51.100.7 203.0.113.9 40000 443 6 1 60 1 2 ACCEPT OK\n"
        "- - - - - - - 1 2 - SKIPDATA\n")
    reasons = [(r["class"], r["reason"]) for r in classified_records(rules, [path], None)]
    assert sorted(reasons) == sorted([
        ("unmapped", "IPv6, the VPC's IPv6 blocks not known (give --state or --live)"),
        ("unmapped", "not an IPv4 address"),
        ("unmapped", "in the VPC, in no tier subnet"), ("unmapped", "neither end in the VPC"),
        ("unmapped", "log-status SKIPDATA")])


# --------------------------------------------------------------------------- the command


@pytest.fixture(scope="module")
def three_tier_sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("logs") / "three.log.gz"
    sample = generate(checked("three-tier").layout, 3000, seed=1)
    return write_text(sample, path, _fields("three-tier", "custom-gzip"))


def test_the_command_reports_findings_and_exits_1(three_tier_sample: Path) -> None:
    bp = str(BLUEPRINTS / "three-tier.yaml")
    text = tierform("logs", "check", bp, str(three_tier_sample), quiet=True)
    assert text.returncode == 1, text.stderr
    assert "web -> db tcp/3306: ACCEPTED, but the blueprint allows no such flow" in text.stdout
    assert "web -> app tcp/8080: REJECTED, but flow web_to_app_tcp allows it" in text.stdout
    assert "requests told from replies by ports" in text.stdout
    js = tierform("logs", "check", bp, str(three_tier_sample), "--format", "json", quiet=True)
    doc = json.loads(js.stdout)
    assert {(f["class"], f["client"], f["server"], f["port"]) for f in doc["findings"]} == {
        ("unintended_accept", "web", "db", 3306), ("rejected_intended", "web", "app", 8080)}
    assert all(f["top_talkers"] and f["first_seen"] for f in doc["findings"])
    sarif = json.loads(tierform("logs", "check", bp, str(three_tier_sample), "--format",
                                "sarif", quiet=True).stdout)
    results = sarif["runs"][0]["results"]
    assert sorted(r["ruleId"] for r in results) == ["logs/rejected-intended",
                                                    "logs/unintended-accept"]
    lines = {r["ruleId"]: r["locations"][0]["physicalLocation"]["region"]["startLine"]
             for r in results}
    source = (BLUEPRINTS / "three-tier.yaml").read_text().splitlines()
    assert "from: web, to: app" in source[lines["logs/rejected-intended"] - 1]


def test_records_without_ports_or_protocol_are_reported_not_a_traceback(
        tmp_path: Path) -> None:
    """An OK record with '-' for a port or the protocol (hand-made or cut files): its
    port is None; the report used to sort None against numbers and crash."""
    path = tmp_path / "no-ports.log"
    path.write_text(
        "srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status\n"
        "198.51.100.7 10.0.1.10 - - 6 1 60 1 2 ACCEPT OK\n"
        "198.51.100.7 10.0.1.10 40000 443 6 1 60 1 2 ACCEPT OK\n"
        "10.0.1.10 10.0.21.10 40000 - 6 1 60 1 2 ACCEPT OK\n"
        "10.0.1.10 10.0.21.10 40000 3306 6 1 60 1 2 ACCEPT OK\n"
        "10.0.1.10 10.0.21.10 - - - 1 60 1 2 REJECT OK\n")
    bp = str(BLUEPRINTS / "three-tier.yaml")
    text = tierform("logs", "check", bp, str(path), quiet=True)
    assert text.returncode == 1, text.stderr
    assert "Traceback" not in text.stderr
    assert "web -> db tcp/-: ACCEPTED, but the blueprint allows no such flow" in text.stdout
    assert "web -> db tcp/3306: ACCEPTED" in text.stdout
    doc = json.loads(tierform("logs", "check", bp, str(path), "--format", "json",
                              quiet=True).stdout)
    assert [(f["client"], f["server"], f["port"]) for f in doc["findings"]] == [
        ("internet", "web", None), ("web", "db", None), ("web", "db", 3306)]
    assert doc["classes"]["expected_reject"] == 1
    sarif = tierform("logs", "check", bp, str(path), "--format", "sarif", quiet=True)
    assert sarif.returncode == 1
    assert "tcp/-" in sarif.stdout


def test_athena_prints_projection_ddl_for_the_module_layout() -> None:
    done = tierform("logs", "athena", str(BLUEPRINTS / "four-tier.yaml"), "--bucket", "logs-b",
                    "--account", "123456789012", "--days", "2026/11/01", "2026/11/30",
                    quiet=True)
    assert done.returncode == 0, done.stderr
    assert "LOCATION 's3://logs-b/AWSLogs/123456789012/vpcflowlogs/us-west-2/'" in done.stdout
    assert '"projection.day.format" = "yyyy/MM/dd"' in done.stdout
    assert "\"day\" BETWEEN '2026/11/01' AND '2026/11/30'" in done.stdout
    assert f"CREATE OR REPLACE VIEW {VIEW} AS" in done.stdout


# --------------------------------------------------------------------------- bad input

_HEADER = ("srcaddr dstaddr srcport dstport protocol packets bytes start end action "
           "log-status subnet-id instance-id\n")
_GOOD = "10.0.1.10 10.0.11.10 40000 8080 6 5 300 1000 1060 ACCEPT OK subnet-1 i-1\n"


def _corpus(tmp: Path) -> dict[str, tuple[Path, str]]:
    """Malformed files and the words of the message each must give (exit 2)."""
    def put(name: str, data: bytes) -> Path:
        path = tmp / name
        path.write_bytes(data)
        return path

    import gzip as gz

    return {
        "binary": (put("binary.log", b"\x00\xff\xfe garbage \x81\n"), "not text"),
        "empty": (put("empty.log", b""), "line 1 is empty"),
        "fields": (put("fields.log", b"10.0.1.10 10.0.11.10 40000\n"),
                   "line 1 has 3 fields"),
        "header": (put("header.log", b"srcaddr dstaddr srcport bogus-field\n"),
                   "unknown field(s) bogus-field"),
        "required": (put("required.log", b"srcaddr dstaddr start end\n1 2 3 4\n"),
                     "lacks srcport, dstport, protocol, action"),
        "gzip": (put("broken.log.gz", gz.compress((_HEADER + _GOOD * 50).encode())[:40]),
                 "cannot read"),
        "parquet": (put("broken.parquet", b"PAR1 not really parquet"), "not a Parquet file"),
        "all-bad": (put("allbad.log", (_HEADER + "a b c d e f g h i j k l m\n" * 3).encode()),
                    "no line could be read"),
    }


@pytest.mark.parametrize("case", ["binary", "empty", "fields", "header", "required", "gzip",
                                  "parquet", "all-bad"])
def test_a_malformed_file_is_exit_2_with_its_name(case: str, tmp_path: Path) -> None:
    path, words = _corpus(tmp_path)[case]
    done = tierform("logs", "check", str(BLUEPRINTS / "three-tier.yaml"), str(path),
                    quiet=True)
    failed(done, 2, str(path), words)
    assert done.stdout == ""


def test_bad_lines_are_counted_with_their_line_numbers(tmp_path: Path) -> None:
    path = tmp_path / "some-bad.log"
    path.write_text(_HEADER + _GOOD * 3 + "10.0.1.10 10.0.11.10 http 8080 6 5 300 1000 1060 "
                    "ACCEPT OK s i\n" + _GOOD + "10.0.1.10 10.0.11.10 40000\n" + _GOOD)
    done = tierform("logs", "check", str(BLUEPRINTS / "three-tier.yaml"), str(path),
                    "--format", "json", quiet=True)
    # No finding, but two lines unread: the answer is incomplete (exit 3), not clean.
    assert done.returncode == 3, done.stderr
    doc = json.loads(done.stdout)
    assert doc["records"] == 5
    assert doc["bad_lines"]["count"] == 2
    assert [(b["line"], b["path"]) for b in doc["bad_lines"]["shown"]] == [
        (5, str(path)), (7, str(path))]
    text = tierform("logs", "check", str(BLUEPRINTS / "three-tier.yaml"), str(path),
                    quiet=True)
    assert f"{path}:5: CAST" in text.stdout


def test_a_missing_source_or_bad_nat_address_is_exit_2(tmp_path: Path) -> None:
    bp = str(BLUEPRINTS / "three-tier.yaml")
    failed(tierform("logs", "check", bp, str(tmp_path / "nope.log"), quiet=True), 2,
           "nope.log: no such file")
    path = tmp_path / "ok.log"
    path.write_text(_HEADER + _GOOD)
    failed(tierform("logs", "check", bp, str(path), "--nat-address", "10.0.1", quiet=True), 2,
           "'10.0.1' is not an IPv4 address")


def test_duckdb_never_draws_its_progress_bar_on_stdout() -> None:
    """Its bar would land in `--format json` output on a long check (ours is on stderr)."""
    from tierform.logs.check import connect

    con = connect()
    assert con.execute("SELECT current_setting('enable_progress_bar_print')").fetchone() == (
        False,)


def test_sample_writes_a_new_file_and_never_overwrites(tmp_path: Path) -> None:
    bp = str(BLUEPRINTS / "three-tier.yaml")
    target = tmp_path / "s.log.gz"
    done = tierform("logs", "sample", bp, "-o", str(target), "--records", "500",
                    "--fields", "exact")
    assert done.returncode == 0, done.stderr
    assert "injected: rejected_intended web->app:8080, unintended_accept web->db:3306" in \
        done.stderr
    import gzip as gz

    assert gz.decompress(target.read_bytes()).decode().split("\n", 1)[0].endswith(
        "tcp-flags pkt-srcaddr pkt-dstaddr flow-direction")
    before = target.read_bytes()
    failed(tierform("logs", "sample", bp, "-o", str(target), quiet=True), 2, "exists")
    assert target.read_bytes() == before


_MIXED = """\
tierform: 1
name: mixed
region: eu-west-1
vpc: {cidr: 10.40.0.0/16}
availability_zones: [eu-west-1a, eu-west-1b]
networks: {corp: 172.16.0.0/12}
tiers:
  edge: {exposure: public, cidrs: [10.40.0.0/25, 10.40.0.128/25]}
  svc: {exposure: private, cidrs: [10.40.8.0/22, 10.40.12.0/22]}
  data: {exposure: isolated, netmask: 26}
nat: single
flows:
  - {from: internet, to: edge, ports: [443, "8000-8010"]}
  - {from: edge, to: svc, protocol: udp, ports: [5000]}
  - {from: edge, to: svc, protocol: icmp}
  - {from: corp, to: svc, protocol: all}
  - {from: svc, to: data, ports: ["6379-6380"]}
  - {from: svc, to: internet, ports: [443]}
"""


def test_udp_icmp_all_ranges_named_networks_and_small_subnets(tmp_path: Path) -> None:
    from tierform import workflow

    bp = tmp_path / "mixed.yaml"
    bp.write_text(_MIXED)
    layout = workflow.check(workflow.load(bp)).layout
    sample = generate(layout, 4000, seed=9)
    for fields in (DEFAULT_FIELDS, (*DEFAULT_FIELDS, *EXACT_FIELDS)):
        path = write_text(sample, tmp_path / f"m{len(fields)}.log.gz", fields)
        rules = rules_of(layout, sample.nat_addresses)
        assert classified(classified_records(rules, [path], None)) == labelled(sample)
    protocols = {r["protocol"] for r in sample.records if "protocol" in r}
    assert {"1", "6", "17"} <= protocols


@pytest.mark.parametrize("fixture", ["transit", "growth"])
def test_named_networks_via_tgw_and_secondary_blocks_classify(fixture: str,
                                                              tmp_path: Path) -> None:
    # A named network written {cidr, via: tgw} is a CIDR to the logs too, and no
    # "internet" address is drawn from a secondary VPC block.
    path = Path(__file__).resolve().parents[2] / "plan" / "fixtures" / f"{fixture}.yaml"
    layout = workflow.check(workflow.load(path)).layout
    sample = generate(layout, 600, seed=7)
    log = write_text(sample, tmp_path / "s.log.gz", _fields("three-tier", "custom-gzip"))
    rules = rules_of(layout, sample.nat_addresses)
    assert classified(classified_records(rules, [log], None)) == labelled(sample)

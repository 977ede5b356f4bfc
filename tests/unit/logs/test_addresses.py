"""`logs check --state`: the NAT gateways' private addresses come from the applied state
(``terraform show -json`` or the raw .tfstate), as if given with ``--nat-address``."""

from __future__ import annotations

import json
from ipaddress import IPv4Address
from pathlib import Path
from typing import Any

import duckdb
import pytest

from cli_support import failed, tierform
from tierform.errors import ReadError
from tierform.logs.addresses import state_built
from tierform.logs.athena import athena_columns, view_sql
from tierform.logs.check import classified_records
from tierform.logs.formats import DEFAULT_FIELDS
from tierform.logs.intent import rules_of
from tierform.logs.synthetic import generate, write_text
from unit.logs.logs_support import BLUEPRINTS, checked, classified

BP = str(BLUEPRINTS / "four-tier.yaml")
VPC = checked("four-tier").loaded.blueprint.vpc.cidr


def _nat(address: str, ident: str) -> dict[str, Any]:
    return {"address": f"module.net.aws_nat_gateway.this[\"{ident}\"]", "mode": "managed",
            "type": "aws_nat_gateway", "name": "this",
            "values": {"id": ident, "private_ip": address, "subnet_id": "subnet-1"}}


def _show_json(addresses: list[str]) -> dict[str, Any]:
    """`terraform show -json` after apply: the gateways in a child module."""
    return {"format_version": "1.0", "terraform_version": "1.11.4", "values": {
        "root_module": {"resources": [], "child_modules": [{
            "address": "module.net",
            "resources": [_nat(a, f"nat-{i}") for i, a in enumerate(addresses)]}]}}}


def _raw_tfstate(addresses: list[str]) -> dict[str, Any]:
    """The .tfstate file itself: resources, instances, attributes."""
    return {"version": 4, "terraform_version": "1.11.4", "serial": 3, "lineage": "x",
            "outputs": {}, "resources": [
                {"mode": "data", "type": "aws_nat_gateway", "name": "looked_up",
                 "instances": [{"attributes": {"private_ip": "10.99.0.1"}}]},
                {"module": "module.net", "mode": "managed", "type": "aws_nat_gateway",
                 "name": "this", "provider": "provider[\"registry.terraform.io/hashicorp/aws\"]",
                 "instances": [{"index_key": f"nat-{i}", "attributes": {
                     "id": f"nat-{i}", "private_ip": a,
                     "secondary_private_ip_addresses": []}}
                               for i, a in enumerate(addresses)]}]}


@pytest.fixture(scope="module")
def sample_file(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    sample = generate(checked("four-tier").layout, 3000, seed=1)
    assert sample.nat_addresses, "the four-tier sample has NAT legs"
    fl = checked("four-tier").loaded.blueprint.flow_logs
    fields = tuple(fl.fields) if fl is not None and fl.fields else DEFAULT_FIELDS
    path = tmp_path_factory.mktemp("nat") / "four.log.gz"
    write_text(sample, path, fields)
    return path, [str(a) for a in sample.nat_addresses]


@pytest.mark.parametrize("form", [_show_json, _raw_tfstate])
def test_the_state_gives_the_nat_addresses(form: Any, tmp_path: Path,
                                           sample_file: tuple[Path, list[str]]) -> None:
    records, addresses = sample_file
    state = tmp_path / "state.json"
    state.write_text(json.dumps(form(addresses)))
    assert [str(a) for a in state_built(state, vpc_cidr=VPC).nat_addresses] == addresses

    def check(*extra: str) -> dict[str, Any]:
        done = tierform("logs", "check", BP, str(records), "--format", "json", *extra,
                        quiet=True)
        assert done.returncode in (0, 1), done.stderr
        return dict(json.loads(done.stdout))

    by_state = check("--state", str(state))
    by_hand = check(*(w for a in addresses for w in ("--nat-address", a)))
    without = check()
    assert by_state == by_hand
    # Without the addresses the NAT legs are misplaced and the note says so.
    assert by_state != without
    assert any("--state" in n for n in without["notes"])
    assert not any("--state" in n for n in by_state["notes"])


def test_a_state_without_nat_gateways_adds_nothing(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    state.write_text(json.dumps(_show_json([])))
    assert state_built(state, vpc_cidr=VPC).nat_addresses == ()
    empty = tmp_path / "empty.json"
    empty.write_text(json.dumps({"format_version": "1.0", "terraform_version": "1.11.4"}))
    assert state_built(empty, vpc_cidr=VPC).nat_addresses == ()


@pytest.mark.parametrize(("text", "words"), [
    ("{not json", "not JSON"),
    ("[1, 2]", "expected a JSON object"),
    ('{"format_version": "1.2", "planned_values": {}}', "this is a plan, not a state"),
    ('{"hello": 1}', "not a Terraform state"),
    (json.dumps(_show_json(["10.0.0.300"])), "is not an IPv4 address"),
])
def test_a_bad_state_is_a_read_error(text: str, words: str, tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    state.write_text(text)
    with pytest.raises(ReadError, match=words):
        state_built(state, vpc_cidr=VPC)


def test_a_bad_state_on_the_command_line_is_exit_2(tmp_path: Path,
                                                   sample_file: tuple[Path, list[str]]) -> None:
    records, _ = sample_file
    failed(tierform("logs", "check", BP, str(records), "--state",
                    str(tmp_path / "nope.json"), quiet=True), 2, "nope.json", "no such file")
    failed(tierform("logs", "check", BP, str(records), "--endpoint", "http://127.0.0.1:5",
                    quiet=True), 2, "add --live")


# --------------------------------------------------------------------------- IPv6 blocks

VPC6 = "2600:1f18:4a2:e300::/56"
SUBNETS6 = {"web": ("2600:1f18:4a2:e301::/64", "2600:1f18:4a2:e302::/64"),
            "app": ("2600:1f18:4a2:e30b::/64", "2600:1f18:4a2:e30c::/64"),
            "db": ("2600:1f18:4a2:e315::/64", "2600:1f18:4a2:e316::/64")}
DUAL = checked("dual-stack").loaded.blueprint


def _dual_state() -> dict[str, Any]:
    """A dual-stack apply as `terraform show -json` records it (the values logs reads)."""
    resources: list[dict[str, Any]] = [
        {"address": "aws_vpc.other", "mode": "managed", "type": "aws_vpc", "name": "other",
         "values": {"id": "vpc-other", "cidr_block": "10.9.0.0/16",
                    "ipv6_cidr_block": "2600:1f18:4a2:e300::/60"}},
        {"address": "aws_vpc.this", "mode": "managed", "type": "aws_vpc", "name": "this",
         "values": {"id": "vpc-1", "cidr_block": str(DUAL.vpc.cidr), "ipv6_cidr_block": VPC6}}]
    for tier, blocks in SUBNETS6.items():
        resources += [{"address": f'aws_subnet.{tier}["{i}"]', "mode": "managed",
                       "type": "aws_subnet", "name": tier,
                       "values": {"id": f"subnet-{tier}{i}", "vpc_id": "vpc-1",
                                  "ipv6_cidr_block": block,
                                  "tags_all": {"Name": f"{tier}-{i}", "Tier": tier}}}
                      for i, block in enumerate(blocks)]
    resources.append({"address": "aws_subnet.spare", "mode": "managed", "type": "aws_subnet",
                      "name": "spare", "values": {"id": "subnet-spare", "vpc_id": "vpc-1",
                                                  "ipv6_cidr_block": "2600:1f18:4a2:e3f0::/64",
                                                  "tags_all": {"Tier": "not-a-tier"}}})
    resources.append(_nat("10.0.1.37", "nat-a"))
    return {"format_version": "1.0", "terraform_version": "1.11.4",
            "values": {"root_module": {"resources": resources}}}


_RECORDS6 = [  # (src, dst, srcport, dstport, action, the class it must get)
    ("2001:db8:1::7", "2600:1f18:4a2:e301::10", 50000, 443, "ACCEPT", "intended_accept"),
    ("2600:1f18:4a2:e301::10", "2001:db8:1::7", 443, 50000, "ACCEPT", "intended_accept"),
    ("2600:1f18:4a2:e302:0:0:0:10", "2600:1F18:4A2:E30C::20", 41000, 8080, "ACCEPT",
     "intended_accept"),
    ("2600:1f18:4a2:e30b::20", "2600:1f18:4a2:e316::30", 42000, 3306, "ACCEPT",
     "intended_accept"),
    ("2600:1f18:4a2:e30b::20", "2606:4700::1111", 43000, 443, "ACCEPT", "intended_accept"),
    ("2001:db8::5", "2600:1f18:4a2:e315::30", 44000, 3306, "ACCEPT", "unintended_accept"),
    ("2001:db8::5", "2600:1f18:4a2:e30b::20", 44001, 22, "REJECT", "expected_reject"),
    ("2001:db8::5", "2600:1f18:4a2:e3f0::9", 44002, 22, "REJECT", "unmapped"),
    ("2001:db8::5", "2600:1f18:4a2:e3a0::9", 44003, 22, "REJECT", "unmapped"),
]


def test_the_state_places_ipv6_records_by_tier(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    state.write_text(json.dumps(_dual_state()))
    built = state_built(state, vpc_cidr=DUAL.vpc.cidr)
    assert built.nat_addresses == (IPv4Address("10.0.1.37"),)
    assert {(str(b.network), b.endpoint) for b in built.blocks6} == {
        (VPC6, None), ("2600:1f18:4a2:e3f0::/64", "not-a-tier"),
        *((b, t) for t, blocks in SUBNETS6.items() for b in blocks)}
    fields = DUAL.flow_logs.fields if DUAL.flow_logs is not None else None
    assert fields is not None
    lines = [" ".join(fields)]
    for n, (src, dst, sport, dport, action, _) in enumerate(_RECORDS6):
        values = {"srcaddr": src, "dstaddr": dst, "srcport": sport, "dstport": dport,
                  "protocol": 6, "packets": 3, "bytes": 300, "start": 1000 + n,
                  "end": 1060 + n, "action": action, "log-status": "OK"}
        lines.append(" ".join(str(values.get(f, "-")) for f in fields))
    records = tmp_path / "six.log"
    records.write_text("\n".join(lines) + "\n")
    rules = rules_of(checked("dual-stack").layout, built.nat_addresses, built.blocks6)
    got = {(r["srcaddr"], r["dstaddr"]): (r["class"], r["reason"])
           for r in classified_records(rules, [records], fields)}
    assert {k: c for k, (c, _) in got.items()} == {(s, d): c for s, d, *_, c in _RECORDS6}
    # The tag names no tier and the /56 has space no subnet holds: in the VPC, not placed.
    assert {r for c, r in got.values() if c == "unmapped"} == {"in the VPC, in no tier subnet"}

    def check(code: int, *extra: str) -> dict[str, Any]:
        done = tierform("logs", "check", str(BLUEPRINTS / "dual-stack.yaml"), str(records),
                        "--format", "json", *extra, quiet=True)
        assert done.returncode == code, done.stderr
        return dict(json.loads(done.stdout))

    assert check(1, "--state", str(state))["classes"] == {
        "intended_accept": 5, "unintended_accept": 1, "rejected_intended": 0,
        "expected_reject": 1, "unmapped": 2}
    # Without the state no IPv6 record can be placed, and none is called a finding.
    assert check(0)["classes"]["unmapped"] == len(_RECORDS6)


def test_logs_athena_state_feeds_the_same_rules_into_the_sql(tmp_path: Path) -> None:
    """`logs athena --state`: the printed view is the one of the state's rules (NAT address
    and IPv6 blocks placed), and on DuckDB it answers as the local check with that state,
    record for record."""
    state = tmp_path / "state.json"
    state.write_text(json.dumps(_dual_state()))
    bp = str(BLUEPRINTS / "dual-stack.yaml")
    done = tierform("logs", "athena", bp, "--account", "123456789012", "--bucket", "b",
                    "--state", str(state), quiet=True)
    assert done.returncode == 0, done.stderr
    built = state_built(state, vpc_cidr=DUAL.vpc.cidr)
    rules = rules_of(checked("dual-stack").layout, built.nat_addresses, built.blocks6)
    fields = DUAL.flow_logs.fields if DUAL.flow_logs is not None else None
    view = view_sql(rules, fields)
    assert view in done.stdout
    assert view_sql(rules_of(checked("dual-stack").layout), fields) not in done.stdout
    sample = generate(checked("dual-stack").layout, 2000, seed=5)
    lines = [" ".join(fields or DEFAULT_FIELDS)]
    lines += [" ".join(str(r.get(f, "-")) for f in fields or DEFAULT_FIELDS)
              for r in sample.records]
    for n, (src, dst, sport, dport, action, _) in enumerate(_RECORDS6):
        values = {"srcaddr": src, "dstaddr": dst, "srcport": sport, "dstport": dport,
                  "protocol": 6, "packets": 3, "bytes": 300, "start": 1000 + n,
                  "end": 1060 + n, "action": action, "log-status": "OK"}
        lines.append(" ".join(str(values.get(f, "-")) for f in fields or DEFAULT_FIELDS))
    lines.append(" ".join({"srcaddr": "10.0.11.9", "dstaddr": "10.0.1.37", "srcport": "41000",
                           "dstport": "443", "protocol": "6", "action": "ACCEPT",
                           "log-status": "OK"}.get(f, "1") for f in fields or DEFAULT_FIELDS))
    records = tmp_path / "records.log"
    records.write_text("\n".join(lines) + "\n")
    con = duckdb.connect()
    columns = athena_columns(fields)
    text = ", ".join(f"'{n}': 'VARCHAR'" for n, _ in columns)
    typed = ", ".join(f'"{n}"' if t == "VARCHAR" else f'TRY_CAST("{n}" AS {t}) AS "{n}"'
                      for n, t in columns)
    con.execute(f"CREATE TABLE vpc_flow_logs AS SELECT {typed} FROM read_csv('{records}', "
                f"delim=' ', header=true, auto_detect=false, columns={{{text}}})")
    cursor = con.execute(view)
    names = [d[0] for d in cursor.description]
    athena = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    con.close()
    local = classified_records(rules, [records], fields)
    assert classified(athena) == classified(local)
    placed = {r["dst"] for r in local}
    assert "nat" in placed  # the state's NAT address
    assert {"web", "app"} <= {r["dst"] for r in local if ":" in str(r["dstaddr"])}

"""The local check's faster SQL (``dialect="duckdb"``) gives exactly the answers of the
portable SQL Athena runs, on records made to hit every edge: odd address texts (IPv6,
``-``, too few or many dots, octets past 255, signs, empty parts), NODATA/SKIPDATA,
tcp-flags and pkt-* addresses, IPv6 addresses placed by the VPC's and subnets' blocks
(compressed, expanded, upper case, outside, in the VPC in no subnet), every format (custom
gzip, default plain, CloudWatch export), and several blueprints."""

from __future__ import annotations

import gzip
import random
from collections import Counter
from ipaddress import IPv4Address, IPv6Address, IPv6Network
from pathlib import Path
from typing import Any

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tierform import workflow
from tierform.aws import INTERNET
from tierform.logs.check import (
    AGGREGATE_COLUMNS,
    check_sources,
    classified_records,
    connect,
    records_relation,
)
from tierform.logs.formats import COLUMNS, DEFAULT_FIELDS, EXACT_FIELDS, inspect_source
from tierform.logs.intent import Interface, rules_of
from tierform.logs.report import summarize
from tierform.logs.rules import DIALECTS, Block6, Rules, classify_sql
from unit.logs.logs_support import BLUEPRINTS, ROOT, SHIPPED, checked

ODD_ADDRESSES = ("2600:1f18::1", "::ffff:10.0.1.5", "-", "10.0.1", "10.0.1.5.6", "10.0.1.256",
                 "10.0..5", "+10.0.1.5", "10.0.1.05", "010.0.1.5", ".10.0.1", "10.0.1.",
                 "0.0.0.0", "255.255.255.255", "10.0.1.-1", "1e1.0.1.5", "10.0.1.x")


VPC6 = IPv6Network("2600:1f18:ab:c00::/56")


def _blocks6(layout: Any) -> list[Block6]:
    """The VPC's /56 and a /64 per subnet, as a state of a dual-stack apply records them."""
    subnets = list(VPC6.subnets(new_prefix=64))
    return [Block6(VPC6, None), *(Block6(subnets[i + 1], s.tier)
                                  for i, s in enumerate(layout.subnets))]


def _addresses6(blocks: list[Block6]) -> list[str]:
    """In every block (compressed, expanded, upper case, last), the VPC's /56 in no subnet,
    and outside it."""
    picks = []
    for block in blocks[1:]:
        net = block.network
        picks += [str(net[1]), net[1].exploded, str(net[0x1234_0000_0000_00AB]).upper(),
                  str(net[-1])]
    picks += [str(VPC6[-1]), str(VPC6.network_address - 1), str(VPC6.broadcast_address + 1),
              "2a05:d018::1"]
    return picks


def _addresses(layout: Any, nat: list[str]) -> list[str]:
    """Addresses in every subnet (first, last, middle), just outside, the NAT's own, the
    VPC's space in no subnet, the internet, IPv6 in and out of the blocks, and odd texts."""
    picks = list(nat) + _addresses6(_blocks6(layout))
    for subnet in layout.subnets:
        net = subnet.cidr
        picks += [str(net.network_address), str(net.broadcast_address),
                  str(net[net.num_addresses // 2]), str(net.network_address - 1),
                  str(net.broadcast_address + 1)]
    picks += [str(layout.blueprint.vpc.cidr[-2]), "198.51.100.7", "203.0.113.9", "8.8.8.8"]
    return [*picks, *ODD_ADDRESSES]


def _ports(rules: Rules) -> list[str]:
    ports = {str(p) for f in rules.flows for lo, hi in f.ports for p in (lo, hi, lo - 1, hi + 1)}
    return sorted(ports | {"0", "22", "1023", "1024", "40000", "65535", "-"})


def _value(rng: random.Random, field: str, addresses: list[str], ports: list[str]) -> str:
    if field in ("srcaddr", "dstaddr", "pkt-srcaddr", "pkt-dstaddr"):
        return rng.choice(addresses if field[0] != "p" or rng.random() < 0.7 else ["-"])
    if field in ("srcport", "dstport"):
        return rng.choice(ports)
    if field == "protocol":
        return rng.choice(["6", "17", "1", "58", "-"])
    if field == "action":
        return rng.choice(["ACCEPT", "REJECT", "ACCEPT", "REJECT", "-"])
    if field == "log-status":
        return rng.choice(["OK"] * 8 + ["NODATA", "SKIPDATA"])
    if field == "tcp-flags":
        return rng.choice(["0", "1", "2", "3", "16", "18", "19", "24", "-"])
    if field in ("packets", "bytes"):
        return rng.choice([str(rng.randrange(1, 10_000)), "-"])
    if field in ("start", "end"):
        return str(rng.randrange(1_700_000_000, 1_700_100_000))
    if field == "flow-direction":
        return rng.choice(["ingress", "egress", "-"])
    return rng.choice(["x-1", "-", "123456789012", "2"])


def _write(tmp: Path, name: str, fields: tuple[str, ...], rng: random.Random,
           addresses: list[str], ports: list[str], count: int, *, zipped: bool,
           header: bool, cloudwatch: bool = False) -> Path:
    lines = [" ".join(fields)] if header else []
    for _ in range(count):
        line = " ".join(_value(rng, f, addresses, ports) for f in fields)
        lines.append(("2024-05-01T10:00:00.000Z " + line) if cloudwatch else line)
    data = ("\n".join(lines) + "\n").encode()
    path = tmp / name
    path.write_bytes(gzip.compress(data, mtime=0) if zipped else data)
    return path


def _both(rules: Rules, paths: list[Path], fields: tuple[str, ...] | None,
          ) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """Every classified record, by the portable SQL and by the local (DuckDB) SQL."""
    sources = [inspect_source(p, fields) for p in paths]
    con = connect()
    try:
        relation = records_relation(con, sources)
        answers = []
        for dialect in DIALECTS:
            sql = classify_sql(rules, relation, COLUMNS, dialect=dialect)
            answers.append(con.execute(sql).fetchall())
    finally:
        con.close()
    return answers[0], answers[1]


@pytest.mark.parametrize("name", SHIPPED)
def test_the_local_sql_answers_as_the_portable_one_record_for_record(
        name: str, tmp_path: Path) -> None:
    layout = checked(name).layout
    rng = random.Random(f"dialects-{name}")
    nat = [str(s.cidr[4]) for s in layout.subnets if s.default_route != "nat"][:2]
    rules = rules_of(layout, [IPv4Address(a) for a in nat], _blocks6(layout))
    addresses, ports = _addresses(layout, nat), _ports(rules)
    fl = checked(name).loaded.blueprint.flow_logs
    custom = tuple(fl.fields) if fl is not None and fl.fields else DEFAULT_FIELDS
    exact = (*custom, *(f for f in EXACT_FIELDS if f not in custom))
    paths = [
        _write(tmp_path, "custom.log.gz", custom, rng, addresses, ports, 3000, zipped=True,
               header=True),
        _write(tmp_path, "default.log", DEFAULT_FIELDS, rng, addresses, ports, 3000,
               zipped=False, header=False),
        _write(tmp_path, "exact.log.gz", exact, rng, addresses, ports, 3000, zipped=True,
               header=True),
        _write(tmp_path, "000000.gz", custom, rng, addresses, ports, 1000, zipped=True,
               header=False, cloudwatch=True),
    ]
    for path in paths:
        portable, local = _both(rules, [path], custom)
        assert len(portable) == len(local) > 900
        assert Counter(portable) == Counter(local), path.name
    # The aggregate the report is built from: the same rows either way.
    portable_check = check_sources(rules, paths, custom, dialect="portable")
    local_check = check_sources(rules, paths, custom)
    expected = Counter(tuple(r[c] for c in AGGREGATE_COLUMNS) for r in portable_check.rows)
    assert Counter(tuple(r[c] for c in AGGREGATE_COLUMNS) for r in local_check.rows) == expected
    assert summarize(local_check.rows) == summarize(portable_check.rows)
    # The records reach every class (else the comparison would prove less than it says).
    reached = {r[0] for r in expected}
    assert reached == {"intended_accept", "unintended_accept", "rejected_intended",
                       "expected_reject", "unmapped"}
    # IPv6 records were placed by tier, and only the VPC's space outside subnets is unmapped.
    placed = Counter(r["src"] for r in classified_records(rules, paths[:1], custom)
                     if r["src_ip"] in _addresses6(_blocks6(layout)))
    assert set(placed) == {*(s.tier for s in layout.subnets), "-vpc", INTERNET}


def test_an_ipv6_text_lands_in_the_block_python_puts_it_in() -> None:
    """The IPv6 placement on its own, against ``ipaddress``: any address (compressed or
    not, any case), a block of any length (nibble-aligned or not), both dialects.

    The 100 drawn cases are checked in a few queries, not two each: the drawn blocks are
    packed into groups of disjoint ones, each group one set of rules (a tier per block),
    and every drawn text is placed by every group (the placement is row by row; planning
    the SQL was nearly all of the time)."""
    texts: list[str] = []
    blocks: list[IPv6Network] = []

    @settings(max_examples=100, deadline=None)
    @given(st.lists(st.integers(0, 2 ** 128 - 1).map(IPv6Address).flatmap(
        lambda a: st.sampled_from([str(a), a.exploded, str(a).upper()])), min_size=1,
        max_size=20), st.integers(0, 2 ** 64 - 1), st.integers(40, 64))
    def draw(drawn: list[str], net: int, length: int) -> None:
        block = IPv6Network((net << 64, 64)).supernet(new_prefix=length)
        blocks.append(block)
        texts.extend([*drawn, *(str(block[i]) for i in (0, 1, -1))])

    draw()
    groups: list[list[IPv6Network]] = []
    for block in dict.fromkeys(blocks):
        group = next((g for g in groups if not any(block.overlaps(b) for b in g)), None)
        if group is None:
            groups.append([block])
        else:
            group.append(block)
    assert sum(map(len, groups)) == len(set(blocks)) > 1
    assert {b.prefixlen % 4 for b in blocks} == {0, 1, 2, 3}  # nibble-aligned and not
    vpc = checked("three-tier").loaded.blueprint.vpc.cidr
    con = duckdb.connect()
    con.execute("CREATE TABLE r (srcaddr VARCHAR, dstaddr VARCHAR, srcport INTEGER, "
                "dstport INTEGER, protocol INTEGER, action VARCHAR, log_status VARCHAR)")
    con.execute("INSERT INTO r SELECT t, '10.0.0.1', 40000, 443, 6, 'ACCEPT', 'OK' "
                "FROM unnest(?::VARCHAR[]) AS u(t)", [texts])
    have = ("srcaddr", "dstaddr", "srcport", "dstport", "protocol", "action", "log_status")
    for group in groups:
        names = {block: f"b{n}" for n, block in enumerate(group)}
        rules = Rules.build(vpc=vpc, tiers={}, networks={}, flows=[],
                            blocks6=[Block6(block, name) for block, name in names.items()])
        expected = sorted((t, next((name for block, name in names.items()
                                    if IPv6Address(t) in block), "internet")) for t in texts)
        for dialect in DIALECTS:
            sql = classify_sql(rules, "r", have, dialect=dialect)
            got = con.execute(f"SELECT srcaddr, src FROM ({sql}) c").fetchall()
            assert sorted(got) == expected, dialect
    con.close()


_ADDRESS_TEXTS = st.lists(st.one_of(
    st.sampled_from(ODD_ADDRESSES),
    st.tuples(*[st.integers(-1, 300)] * 4).map(lambda t: ".".join(map(str, t))),
    st.text(alphabet="0123456789.:-+ex", max_size=18),
    st.none()), min_size=1, max_size=30)


def test_an_address_text_becomes_the_same_number_either_way() -> None:
    """The octet cut on its own, over any text: the integer (or NULL) is the same.

    The 300 lists hypothesis draws (plus every odd text) are classified in one query per
    dialect, not two per list: the cut is row by row, so the batch proves what 600 queries
    did (those took minutes under load, nearly all of it DuckDB planning the SQL), and a
    row that differs names its own text, which is what shrinking would have found."""
    batch: list[str | None] = [*ODD_ADDRESSES, None, "", "::", "10.0.1.5"]

    @settings(max_examples=300, deadline=None)
    @given(_ADDRESS_TEXTS)
    def draw(texts: list[str | None]) -> None:
        batch.extend(texts)

    draw()
    assert len(batch) > 300 + len(ODD_ADDRESSES)
    rules = rules_of(checked("three-tier").layout)
    con = duckdb.connect()
    con.execute("CREATE TABLE r (srcaddr VARCHAR, dstaddr VARCHAR, srcport INTEGER, "
                "dstport INTEGER, protocol INTEGER, action VARCHAR, log_status VARCHAR)")
    con.execute("INSERT INTO r SELECT t, t, 40000, 443, 6, 'ACCEPT', 'OK' "
                "FROM unnest(?::VARCHAR[]) AS u(t)", [batch])
    have = ("srcaddr", "dstaddr", "srcport", "dstport", "protocol", "action", "log_status")
    answers = [Counter(con.execute(
        f"SELECT srcaddr, src_n, dst_n, src, dst, class, reason FROM "
        f"({classify_sql(rules, 'r', have, dialect=d)}) c").fetchall()) for d in DIALECTS]
    con.close()
    differ = sorted({row[0] for row in (answers[0] - answers[1]) + (answers[1] - answers[0])},
                    key=str)
    assert not differ, f"the dialects cut these texts differently: {differ[:10]}"
    assert answers[0].total() == len(batch)


@pytest.mark.parametrize("read", [False, True], ids=["stand-ins", "interfaces"])
@pytest.mark.parametrize("blueprint", [ROOT / "tests/plan/fixtures/load-balanced.yaml",
                                       BLUEPRINTS / "hybrid.yaml"], ids=lambda p: p.stem)
def test_load_balancers_and_endpoints_answer_the_same_either_way(
        blueprint: Path, read: bool, tmp_path: Path) -> None:
    """The LB's and endpoints' edges (their own addresses, IPv4 and IPv6, or their tier
    standing in): the same classes in both dialects, and their labels are reached."""
    layout = workflow.check(workflow.load(blueprint)).layout
    interfaces: list[Interface] = []
    if read:
        owners = [*(f"lb_{lb.tier}" for lb in layout.load_balancers),
                  *(f"aws:{e.service}" for e in layout.interface_endpoints)]
        for n, owner in enumerate(owners):
            tier = next(s for s in layout.subnets if s.tier == (
                owner[3:] if owner.startswith("lb_") else layout.interface_endpoints[0].tier))
            interfaces += [(owner, tier.cidr[10 + n]), (owner, VPC6[0x100 + n])]
    rules = rules_of(layout, (), _blocks6(layout), interfaces)
    addresses = [*(str(a) for _, a in interfaces), *_addresses(layout, [])]
    rng = random.Random(f"stand-ins-{blueprint.stem}-{read}")
    path = _write(tmp_path, "records.log.gz", DEFAULT_FIELDS, rng, addresses, _ports(rules),
                  4000, zipped=True, header=False)
    # And one request and its reply of every edge of theirs, so that each label is reached.
    own = [f for f in rules.flows if f.flow_id.startswith("lb_") or " or " in f.flow_id
           or (read and f.dst.startswith("aws:"))]
    assert own
    where = {**{s.tier: str(s.cidr[5]) for s in layout.subnets}, INTERNET: "198.51.100.7",
             **{owner: str(a) for owner, a in interfaces}}
    edges = [line for n, f in enumerate(own) for line in (
        f"{where[f.src]} {where[f.dst]} {40000 + n} {f.ports[0][0]} 6 ACCEPT",
        f"{where[f.dst]} {where[f.src]} {f.ports[0][0]} {40000 + n} 6 ACCEPT")]
    edge_file = tmp_path / "edges.log"
    edge_file.write_text("srcaddr dstaddr srcport dstport protocol action\n" +
                         "\n".join(edges) + "\n")
    for records in (path, edge_file):
        portable, local = _both(rules, [records], None)
        assert Counter(portable) == Counter(local)
    labels = [r["flow_id"] for r in classified_records(rules, [edge_file], None)]
    assert labels == [f.flow_id for f in own for _ in (1, 2)]

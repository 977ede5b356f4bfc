"""The alarms' metric-filter patterns, evaluated by our own evaluator of the pattern
subset Tierform emits (the emulator stores patterns but never evaluates them): over
records from the flow-log generator, in the blueprint's custom format and AWS's default
one, every injected finding is counted and no intended record is; where a tier is not
octet-aligned the count may grow (neighbours), never miss."""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Callable, Sequence
from ipaddress import IPv4Address, IPv4Network
from pathlib import Path
from typing import Any

import pytest
import yaml

from cli_support import failed, tierform
from tierform import workflow
from tierform.aws import DEFAULT_FLOW_LOG_FIELDS, INTERNET
from tierform.layout import Layout
from tierform.layout.monitoring import (
    BROKEN,
    MAX_FILTERS,
    UNINTENDED,
    MonitoringPlan,
    monitoring_of,
    monitoring_warnings,
    pattern_text,
)
from tierform.logs.synthetic import generate
from unit.logs.logs_support import BLUEPRINTS, SHIPPED

# --- the evaluator: CloudWatch Logs space-delimited patterns, the subset we write ----------
# As AWS documents them (FilterAndPatternSyntax): every field named, so the record has as
# many tokens as the pattern has fields; `||` and `&&` inside one field's condition; `=`
# and `!=` with a `*` wildcard on strings, numeric operators on numbers. Inferred, not
# shown in the guide: a quoted space-delimited string keeps its wildcard (the guide quotes
# one only in JSON patterns, `$.eventType = "*"`); see README, "How it is tested".

_TERM = re.compile(r'^([a-z_]+)(=|!=|>=|<=)("([^"]*)"|-?\d+)$')


@functools.cache
def _parsed_term(term: str) -> tuple[str, str, str, str | None]:
    """A term's name, operator, operand and string text (None: a number); parsed once, as
    the same few patterns are evaluated over thousands of records."""
    match = _TERM.match(term)
    assert match, f"not in the emitted subset: {term!r}"
    name, op, operand, text = match.groups()
    return name, op, operand, text


def _term(term: str, values: dict[str, str]) -> bool:
    name, op, operand, text = _parsed_term(term)
    value = values[name]
    if text is not None:  # a string, with * as a wildcard (we only write it last)
        hit = value.startswith(text[:-1]) if text.endswith("*") else value == text
        assert op in ("=", "!="), term
        return hit if op == "=" else not hit
    number = int(operand)
    if not re.fullmatch(r"-?\d+", value):
        return False  # a numeric test never matches a field that is not a number ('-')
    got = int(value)
    return {"=": got == number, "!=": got != number, ">=": got >= number,
            "<=": got <= number}[op]


def _slot(slot: str, values: dict[str, str]) -> bool:
    if re.fullmatch(r"[a-z_]+", slot):
        return True
    assert not ("&&" in slot and "||" in slot), f"mixed && and || in {slot!r}"
    if "||" in slot:
        return any(_term(t, values) for t in slot.split("||"))
    return all(_term(t, values) for t in slot.split("&&"))


@functools.cache
def _slots(pattern: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """A pattern's slots and their field names (parsed once per pattern)."""
    assert pattern.startswith("[")
    assert pattern.endswith("]")
    slots = tuple(pattern[1:-1].split(", "))
    names = tuple(re.match(r"[a-z_]+", s).group(0) for s in slots)  # type: ignore[union-attr]
    return slots, names


def matches(pattern: str, line: str) -> bool:
    """Whether a space-delimited pattern ``[f1, f2=..., ...]`` matches a log line: the line
    has as many tokens as the pattern has slots, and every slot's condition holds."""
    slots, names = _slots(pattern)
    tokens = line.split()
    if len(tokens) != len(slots):
        return False
    values = dict(zip(names, tokens, strict=True))
    return all(_slot(s, values) for s in slots)


def test_the_evaluator_knows_the_semantics_it_checks() -> None:
    pattern = '[a="10.0.1.*"||a="10.0.2.*", b!="10.0.*", p>=1024&&p<=2000, q=6, r]'
    assert matches(pattern, "10.0.2.9 8.8.8.8 1500 6 x")
    assert not matches(pattern, "10.0.12.9 8.8.8.8 1500 6 x")  # 10.0.1* is not 10.0.1.*
    assert not matches(pattern, "10.0.1.9 10.0.9.9 1500 6 x")
    assert not matches(pattern, "10.0.1.9 8.8.8.8 - 6 x")
    assert not matches(pattern, "10.0.1.9 8.8.8.8 1500 6")  # one token short


# --- blueprints with alarms -------------------------------------------------------------


def _with_alarms(tmp: Path, name: str, *, default_format: bool,
                 edit: Callable[[dict[str, Any]], None] | None = None) -> Layout:
    document = yaml.safe_load((BLUEPRINTS / f"{name}.yaml").read_text())
    logs = document.setdefault("flow_logs", {})
    logs["destination"] = "cloudwatch"
    logs.pop("bucket_arn", None)
    if default_format:
        logs.pop("fields", None)
    document["monitoring"] = {"alarms": {"create_topic": True}}
    if edit is not None:
        edit(document)
    path = tmp / f"{name}.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    return workflow.check(workflow.load(path)).layout


def _nat_address(layout: Layout) -> Callable[[str], str]:
    """A NAT gateway's address as the generator places it (the subnet's offset 4)."""
    by_name = {s.name: s for s in layout.subnets}
    return lambda nat: str(by_name[nat].cidr.network_address + 4)


def _counted(plan: MonitoringPlan, layout: Layout, sample: Any,
             fields: Sequence[str]) -> dict[str, set[int]]:
    nat = _nat_address(layout)
    patterns = {m: [pattern_text(f, fields, nat) for f in plan.of(m)]
                for m in (BROKEN, UNINTENDED)}
    counted: dict[str, set[int]] = {BROKEN: set(), UNINTENDED: set()}
    for index, record in enumerate(sample.records):
        line = " ".join(record.get(f, "-") for f in fields)
        for metric, texts in patterns.items():
            if any(matches(p, line) for p in texts):
                counted[metric].add(index)
    return counted


def _tier_of(layout: Layout) -> Callable[[str], str | None]:
    subnets = [(s.cidr, s.tier) for s in layout.subnets]

    def tier(address: str) -> str | None:
        try:
            ip = IPv4Address(address)
        except ValueError:
            return None
        return next((t for c, t in subnets if ip in c), None)

    return tier


def _expected(layout: Layout, sample: Any) -> dict[str, set[int]]:
    """Records the metrics are meant to count: rejects of intended flows, and unintended
    accepts whose ends are both tiers (and neither a NAT gateway's own address)."""
    tier = _tier_of(layout)
    nats = {str(a) for a in sample.nat_addresses}
    broken, unintended = set(), set()
    for index, (record, label) in enumerate(zip(sample.records, sample.labels, strict=True)):
        src, dst = record.get("srcaddr", "-"), record.get("dstaddr", "-")
        if label == "rejected_intended":
            broken.add(index)
        ends = (tier(src), tier(dst))
        if label == "unintended_accept" and None not in ends and ends[0] != ends[1] \
                and not {src, dst} & nats:
            unintended.add(index)
    return {BROKEN: broken, UNINTENDED: unintended}


@pytest.mark.parametrize("default_format", [False, True], ids=["custom", "default"])
@pytest.mark.parametrize("name", SHIPPED)
def test_patterns_count_every_injected_finding_and_no_intended_record(
        name: str, default_format: bool, tmp_path: Path) -> None:
    layout = _with_alarms(tmp_path, name, default_format=default_format)
    plan = monitoring_of(layout)
    assert plan is not None
    assert len(plan.filters) <= MAX_FILTERS
    fields = plan.fields
    assert (fields == DEFAULT_FLOW_LOG_FIELDS) == (default_format or name != "three-tier")
    sample = generate(layout, 2000, seed=5)
    counted, expected = _counted(plan, layout, sample, fields), _expected(layout, sample)
    assert expected[BROKEN], "the sample injects a broken flow"
    assert expected[UNINTENDED], "the sample injects a misconfiguration"
    intended = {i for i, label in enumerate(sample.labels) if label == "intended_accept"}
    # Never a miss; exact (both ways) where every tier is octet-aligned.
    assert expected[BROKEN] <= counted[BROKEN]
    assert expected[UNINTENDED] <= counted[UNINTENDED]
    over = (counted[BROKEN] - expected[BROKEN]) | (counted[UNINTENDED] - expected[UNINTENDED])
    if not plan.approximate:
        assert not monitoring_warnings(layout)
        assert not over
        assert not intended & (counted[BROKEN] | counted[UNINTENDED])
        return
    # four-tier's mgmt tier is three /26 in one /24: its side reads as 10.30.30.*, and
    # validate says so; what is over-counted touches that prefix and nothing else.
    assert plan.approximate == ("mgmt",)
    assert any("mgmt is not octet-aligned" in w for w in monitoring_warnings(layout))
    mgmt = [s.cidr.supernet(new_prefix=24) for s in layout.subnets if s.tier == "mgmt"]
    for index in over:
        record = sample.records[index]
        assert any(IPv4Address(record[end]) in net for end in ("srcaddr", "dstaddr")
                   for net in mgmt), record


def test_a_misconfiguration_the_patterns_miss_would_fail_this_test(tmp_path: Path) -> None:
    """The comparison above can fail: drop one filter and a finding goes uncounted.

    Each filter's own matches are found in one pass; the filter whose records no other
    filter counts is then dropped from the plan for real and the count checked again."""
    layout = _with_alarms(tmp_path, "three-tier", default_format=False)
    plan = monitoring_of(layout)
    assert plan is not None
    sample = generate(layout, 3000, seed=5)
    expected = _expected(layout, sample)[UNINTENDED]
    nat = _nat_address(layout)
    filters = plan.of(UNINTENDED)
    lines = [" ".join(r.get(f, "-") for f in plan.fields) for r in sample.records]
    own = [{i for i, line in enumerate(lines) if matches(pattern_text(f, plan.fields, nat), line)}
           for f in filters]
    for n, dropped in enumerate(filters):
        if set().union(*own[:n], *own[n + 1:]) == expected:
            continue
        fewer = dataclasses.replace(plan, filters=tuple(f for f in plan.filters
                                                        if f is not dropped))
        assert _counted(fewer, layout, sample, plan.fields)[UNINTENDED] != expected
        return
    pytest.fail("no single unintended-accept filter matters to the sample")


def _small_subnets(document: dict[str, Any]) -> None:
    document["tiers"]["web"]["cidrs"] = ["10.0.1.0/26", "10.0.1.64/26"]
    document["tiers"]["app"]["cidrs"] = ["10.0.1.128/26", "10.0.1.192/26"]


def test_tiers_that_are_not_octet_aligned_over_match_never_miss(tmp_path: Path) -> None:
    layout = _with_alarms(tmp_path, "three-tier", default_format=True, edit=_small_subnets)
    plan = monitoring_of(layout)
    assert plan is not None
    assert set(plan.approximate) == {"web", "app"}
    warnings = monitoring_warnings(layout)
    assert any("web is not octet-aligned" in w and "logs check" in w for w in warnings)
    sample = generate(layout, 3000, seed=7)
    counted, expected = _counted(plan, layout, sample, plan.fields), _expected(layout, sample)
    assert expected[BROKEN] <= counted[BROKEN]
    assert expected[UNINTENDED] <= counted[UNINTENDED]


def test_a_22_is_four_exact_prefixes(tmp_path: Path) -> None:
    def wide(document: dict[str, Any]) -> None:
        document["tiers"]["db"]["cidrs"] = ["10.0.20.0/22", "10.0.24.0/22"]

    layout = _with_alarms(tmp_path, "three-tier", default_format=True, edit=wide)
    plan = monitoring_of(layout)
    assert plan is not None
    assert not plan.approximate
    text = pattern_text(plan.of(BROKEN)[-1], plan.fields, str)
    assert all(f'"10.0.{n}.*"' in text for n in range(20, 28))
    sample = generate(layout, 2000, seed=2)
    assert _counted(plan, layout, sample, plan.fields) == _expected(layout, sample)


# --- validate ---------------------------------------------------------------------------


def _write(tmp: Path, edit: Callable[[dict[str, Any]], None]) -> Path:
    document = yaml.safe_load((BLUEPRINTS / "three-tier.yaml").read_text())
    document["monitoring"] = {"alarms": {"create_topic": True}}
    edit(document)
    path = tmp / "bp.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    return path


def _s3(document: dict[str, Any]) -> None:
    document["flow_logs"]["destination"] = "s3"


def _both(document: dict[str, Any]) -> None:
    document["monitoring"]["alarms"]["sns_topic_arn"] = "arn:aws:sns:us-east-1:123456789012:ops"


def _neither(document: dict[str, Any]) -> None:
    document["monitoring"]["alarms"] = {"period": 300}


def _fifo(document: dict[str, Any]) -> None:
    document["monitoring"]["alarms"] = {
        "sns_topic_arn": "arn:aws:sns:us-east-1:123456789012:ops.fifo"}


def _many_ranges(document: dict[str, Any]) -> None:
    document["flows"][1]["ports"] = [8080, 8082, 8084, 8086, 8088, 8090, 8092, 8094]
    document["flows"].append({"from": "app", "to": "web", "ports": [9000, 9002, 9004, 9006]})


def _no_ports_field(document: dict[str, Any]) -> None:
    document["flow_logs"]["fields"] = ["srcaddr", "dstaddr", "action", "protocol"]


@pytest.mark.parametrize(("edit", "says"), [
    (_s3, "logs athena"),
    (_both, "both an existing topic"),
    (_neither, "needs somewhere to notify"),
    (_fifo, "FIFO"),
    (_many_ranges, "metric filters on the flow-log group"),
    (_no_ports_field, "srcport, dstport"),
])
def test_validate_refuses_what_the_alarms_cannot_be(edit: Callable[[dict[str, Any]], None],
                                                    says: str, tmp_path: Path) -> None:
    result = tierform("validate", str(_write(tmp_path, edit)))
    failed(result, 2)
    assert says in result.stderr, result.stderr
    assert "Traceback" not in result.stderr


def test_validate_warns_where_alarms_are_approximate(tmp_path: Path) -> None:
    result = tierform("validate", str(_write(tmp_path, _small_subnets)))
    assert result.returncode == 0, result.stderr
    assert "warning: monitoring.alarms: web is not octet-aligned" in result.stderr
    json_result = tierform("validate", str(_write(tmp_path, _small_subnets)),
                           "--format", "json")
    assert "app is not octet-aligned" in json_result.stdout


def _dual_stack(document: dict[str, Any]) -> None:
    document["vpc"]["ipv6"] = "amazon"


def test_validate_warns_that_alarms_do_not_watch_ipv6(tmp_path: Path) -> None:
    """The filters are IPv4 only: a dual-stack VPC's IPv6 records are not counted, say so."""
    says = "IPv6 traffic of this dual-stack VPC (vpc.ipv6) is not counted by the alarms"
    result = tierform("validate", str(_write(tmp_path, _dual_stack)))
    assert result.returncode == 0, result.stderr
    assert says in result.stderr
    plain = tierform("validate", str(_write(tmp_path, lambda document: None)))
    assert plain.returncode == 0, plain.stderr
    assert "IPv6" not in plain.stderr


def test_internet_end_is_everything_outside_the_vpc_and_named_networks(tmp_path: Path) -> None:
    layout = _with_alarms(tmp_path, "three-tier", default_format=True)
    plan = monitoring_of(layout)
    assert plan is not None
    request = next(f for f in plan.of(BROKEN) if f.src.label == INTERNET)
    assert request.src.negate
    assert request.src.networks == (IPv4Network("10.0.0.0/16"),)
    assert 'srcaddr!="10.0.*"' in pattern_text(request, plan.fields, str)


def test_filters_are_named_by_what_they_match_never_by_flow_position(tmp_path: Path) -> None:
    def reordered(document: dict[str, Any]) -> None:
        document["flows"].reverse()

    one = monitoring_of(_with_alarms(tmp_path, "three-tier", default_format=False))
    (tmp_path / "b").mkdir()
    other = monitoring_of(_with_alarms(tmp_path / "b", "three-tier", default_format=False,
                                       edit=reordered))
    assert one is not None
    assert other is not None
    texts = {f.key: pattern_text(f, one.fields, str) for f in one.filters}
    assert texts == {f.key: pattern_text(f, other.fields, str) for f in other.filters}
    assert len(texts) == len(one.filters)  # keys are unique

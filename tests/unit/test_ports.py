"""tierform.ports: PortSet algebra against Python sets, the one parser of port text, and the
one formatter, which reproduces every text the consumers write today byte for byte."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tierform import verify
from tierform.blueprint.load import load_blueprint_text
from tierform.layout import plan as layout_plan
from tierform.ports import (
    MAX_PORT,
    PORT_TEXT_PATTERN,
    PortSet,
    PortSyntaxError,
    format_port_list,
    format_ports,
    parse_port,
    parse_ports,
)
from tierform.render.diagram import diagram_of_layout, mermaid
from tierform.render.module import render_module

SMALL = 40
ranges = st.lists(st.tuples(st.integers(0, SMALL), st.integers(0, SMALL)), max_size=5)


def as_set(ports: PortSet) -> set[int]:
    return {p for low, high in ports for p in range(low, high + 1)}


def make(pairs: list[tuple[int, int]]) -> tuple[PortSet, set[int]]:
    ports = PortSet((min(a, b), max(a, b)) for a, b in pairs)
    return ports, {p for a, b in pairs for p in range(min(a, b), max(a, b) + 1)}


@given(ranges, ranges)
def test_algebra_matches_sets(left: list[tuple[int, int]], right: list[tuple[int, int]]) -> None:
    a, sa = make(left)
    b, sb = make(right)
    assert as_set(a | b) == sa | sb
    assert as_set(a & b) == sa & sb
    assert as_set(a - b) == sa - sb
    assert all(p in a for p in sa)
    assert a.issubset(a | b)
    # canonical form: sorted, disjoint, not adjacent
    merged = list(a | b)
    assert all(merged[i][1] + 1 < merged[i + 1][0] for i in range(len(merged) - 1))


def test_full_empty_and_text() -> None:
    assert PortSet.full().is_full()
    assert not PortSet.empty()
    assert str(PortSet.of(80, 443) | PortSet.range(1024, 65535)) == "80,443,1024-65535"
    assert str(PortSet.full()) == "all"
    assert str(PortSet.empty()) == "none"
    assert PortSet.full() - PortSet.range(0, 1023) == PortSet.range(1024, 65535)
    assert PortSet([(5, 1)]) == PortSet.empty()
    assert PortSet([(-5, 3), (65530, 70000)]).to_json() == [[0, 3], [65530, 65535]]
    assert PortSet.full().size == 65536
    assert PortSet.range(10, 20).first() == 10


def test_immutable() -> None:
    ports = PortSet.of(22)
    with pytest.raises(AttributeError):
        ports._ranges = ()  # type: ignore[misc]
    assert hash(ports) == hash(PortSet.of(22))


# --------------------------------------------------------------------------- parsing


@pytest.mark.parametrize(("item", "expected"), [
    (0, (0, 0)), (443, (443, 443)), (MAX_PORT, (MAX_PORT, MAX_PORT)),
    ("443", (443, 443)), (" 80 ", (80, 80)), ("1024-2048", (1024, 2048)),
    ("1024 - 2048", (1024, 2048)), ("\t7-7", (7, 7)), ("all", (0, MAX_PORT)),
    (" all ", (0, MAX_PORT)),
    ("0", (0, 0)), ("0-0", (0, 0)),
])
def test_parse_port_accepts(item: int | str, expected: tuple[int, int]) -> None:
    assert parse_port(item) == expected


@pytest.mark.parametrize(("item", "code", "message"), [
    ("3306¹", "port-invalid", "'¹' (U+00B9 SUPERSCRIPT ONE) is not one of the digits 0-9"),
    ("\uff13\uff13\uff10\uff16", "port-invalid", "U+FF13 FULLWIDTH DIGIT THREE"),
    ("٣٣٠٦", "port-invalid", "ARABIC-INDIC DIGIT THREE"),
    ("0755", "port-invalid", "a leading zero"),
    ("08-09", "port-invalid", "a leading zero"),
    ("http", "port-invalid", "'http' is not a port"),
    ("1e3", "port-invalid", "is not a port"),
    ("-5", "port-invalid", "is not a port"),
    ("", "port-invalid", "is not a port"),
    ("80,443", "port-invalid", "is not a port"),
    ("70000", "port-out-of-range", "port 70000 is outside 0-65535"),
    ("1" * 5000, "port-out-of-range", "(5000 characters) is outside"),
    (70000, "port-out-of-range", "port 70000 is outside 0-65535"),
    (-1, "port-out-of-range", "port -1 is outside"),
    (10 ** 5000, "port-out-of-range", "port (a number this long) is outside"),
    ("2048-1024", "port-range-reversed", "port range '2048-1024' runs backwards"),
    (True, "port-invalid", "true is not a port"),
    (80.5, "port-invalid", "80.5 is not a port"),
    (None, "port-invalid", "None is not a port"),
], ids=lambda value: "huge" if isinstance(value, int) and value.bit_length() > 64
   else ascii(value)[:20])
def test_parse_port_says_what_was_read(item: object, code: str, message: str) -> None:
    with pytest.raises(PortSyntaxError) as caught:
        parse_port(item)
    assert caught.value.code == code
    assert message in caught.value.message
    assert caught.value.hint
    assert len(caught.value.message) < 200


def test_parse_ports_whole_value() -> None:
    assert parse_ports(None).is_full()
    assert parse_ports("all").is_full()
    assert parse_ports([443, "80", "8000-8999", 8080]) == PortSet([(80, 80), (443, 443),
                                                                    (8000, 8999)])
    assert parse_ports([80, "all"]).is_full()
    assert parse_ports([]) == PortSet.empty()
    with pytest.raises(PortSyntaxError) as caught:
        parse_ports([80, 443, "x"])
    assert caught.value.index == 2
    with pytest.raises(PortSyntaxError, match="ports must be a list"):
        parse_ports(80)


port_text = st.one_of(
    st.text(st.sampled_from("0123456789 -\talxyz\u00b9\uff13\u0663"), max_size=12),
    st.integers(0, MAX_PORT).map(str),
    st.tuples(st.integers(0, MAX_PORT), st.integers(0, MAX_PORT)).map(lambda r: f"{r[0]}-{r[1]}"),
)


@given(port_text)
def test_schema_pattern_and_parser_agree(text: str) -> None:
    """What the JSON Schema's pattern admits, the parser accepts, up to the 0-65535 check."""
    admitted = re.fullmatch(PORT_TEXT_PATTERN.strip("^$"), text) is not None
    code = ""
    try:
        low, high = parse_port(text)
    except PortSyntaxError as error:
        code = error.code
    if code:
        assert not admitted or code in ("port-out-of-range", "port-range-reversed"), text
    else:
        assert admitted, text
        assert 0 <= low <= high <= MAX_PORT


# --------------------------------------------------------------------------- formatting

PROTOCOLS = ("tcp", "udp", "icmp", "all")
port_range = st.tuples(st.integers(0, MAX_PORT), st.integers(0, MAX_PORT)).map(
    lambda r: (min(r), max(r)))
port_sets = st.one_of(st.just(PortSet.full()), st.just(PortSet.empty()),
                      st.lists(port_range, max_size=4).map(PortSet))


@given(st.sampled_from((*PROTOCOLS, "-1")), st.one_of(port_range, st.just((0, MAX_PORT))))
def test_format_ports_reproduces_rule_descriptions(protocol: str, ports: tuple[int, int]) -> None:
    """layout.plan._ports_text (NACL/SG rule descriptions in rendered modules)."""
    assert format_ports(protocol, [ports], full="0-65535",
                        all_protocols="all traffic") == layout_plan._ports_text(protocol, ports)


def test_verify_labels_use_the_one_formatter() -> None:
    """verify's intent labels (finding texts) print ports with format_ports."""
    from tierform import workflow

    loaded = workflow.load(Path(__file__).resolve().parents[2] / "blueprints" / "three-tier.yaml")
    labels = [i.label for i in verify.intents_from_blueprint(loaded.blueprint)]
    assert labels[:2] == ["internet_to_web_tcp (internet -> web tcp 80,443)",
                          "web_to_app_tcp (web -> app tcp 8080)"]


def test_format_port_list() -> None:
    assert format_port_list([(443, 443), (80, 80), (81, 90)]) == "80-90,443"
    assert format_port_list([(80, 80), (443, 443)], separator=", ") == "80, 443"
    assert format_port_list([(0, MAX_PORT)]) == "all"
    assert format_port_list([(0, MAX_PORT)], full="0-65535") == "0-65535"
    assert format_port_list([]) == "none"
    assert format_ports("udp", PortSet.of(53)) == "udp 53"


_BASE = """tierform: 1
name: fmt
region: us-east-1
vpc: {cidr: 10.0.0.0/16}
availability_zones: [us-east-1a]
tiers:
  web: {exposure: public, netmask: 24}
  app: {exposure: isolated, netmask: 24}
flows:
"""
port_item = st.one_of(st.integers(0, MAX_PORT), port_range.map(lambda r: f"{r[0]}-{r[1]}"),
                      st.just("all"))
flow_ports = st.lists(port_item, min_size=1, max_size=4)


@settings(max_examples=15)
@given(st.lists(st.tuples(st.sampled_from(PROTOCOLS), flow_ports), min_size=1, max_size=4,
                unique_by=lambda f: f[0]))
def test_format_ports_reproduces_diagram_and_readme(
        flows: list[tuple[str, list[int | str]]]) -> None:
    """render/diagram.py edge labels and the module README's Ports column."""
    lines = []
    for protocol, ports in flows:
        shown = "" if protocol in ("icmp", "all") else f", ports: {ports!r}".replace("'", '"')
        lines.append(f"  - {{from: web, to: app, protocol: {protocol}{shown}}}\n")
    loaded = load_blueprint_text(_BASE + "".join(lines), "fmt.yaml")
    bp = loaded.blueprint
    layout = layout_plan.plan_layout(bp, loaded.allocation)
    diagram = mermaid(diagram_of_layout(layout))
    readme = render_module(layout)["README.md"]
    assert diagram in readme  # the README embeds the same diagram
    for flow in bp.flows:
        ranges = flow.port_ranges()
        assert f'|"{flow.flow_id}: {format_ports(flow.protocol, ranges)}"|' in diagram
        cell = ("-" if flow.protocol in ("icmp", "all")
                else format_port_list(ranges, separator=", ", full="0-65535"))
        assert f"| {flow.flow_id} | web | app | {flow.protocol} | {cell} |" in readme

"""Diagrams: tiers, subnets per AZ, gateways and flows from any source; findings marked;
node ids injective; SVG/PNG drawn by Graphviz where ``dot`` is installed."""

from __future__ import annotations

import html
import re
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tierform import workflow
from tierform.cli import main
from tierform.render.diagram import Diagram, Edge, Gateway, Tier, dot, mermaid, node_id

ROOT = Path(__file__).resolve().parents[3]
THREE_TIER = ROOT / "blueprints" / "three-tier.yaml"
DOCS = ROOT / "docs"
DOT = shutil.which("dot")
needs_dot = pytest.mark.skipif(DOT is None, reason="Graphviz `dot` is not installed (apt-get "
                               "install graphviz; .ci/run installs it in CI)")


@given(st.text(min_size=1, max_size=12), st.text(min_size=1, max_size=12))
def test_node_ids_are_injective_and_plain(first: str, second: str) -> None:
    assert re.fullmatch(r"[A-Za-z0-9_]+", node_id("t", first))
    if first != second:
        assert node_id("t", first) != node_id("t", second)
    assert node_id("t", first) != node_id("n", first)


def test_a_network_and_a_tier_with_close_names_are_two_nodes() -> None:
    picture = Diagram(
        "x", "10.0.0.0/16", (("internet", None), ("corp-net", "192.168.0.0/16")),
        (Tier("corp_net", "private", (("us-east-1a", "10.0.1.0/24"),), 1, ("nat1",)),
         Tier("corp-net2", "public", (("us-east-1a", "10.0.2.0/24"),), 2, ())),
        (Gateway("nat1", "NAT gateway", "corp-net2"),),
        (Edge("corp-net", "corp_net", "tcp 22"), Edge("corp_net", "corp-net", "tcp 22")))
    text = mermaid(picture)
    assert 'n_corp_2d_net(["corp-net<br/>192.168.0.0/16"])' in text
    assert 'subgraph t_corp_5f_net["corp_net (private)"]' in text
    assert "n_corp_2d_net -->|\"tcp 22\"| t_corp_5f_net" in text
    assert "t_corp_5f_net -->|\"tcp 22\"| n_corp_2d_net" in text
    graph = dot(picture)
    assert "n_corp_2d_net -> s1 [" in graph
    assert "lhead=cluster_t_corp_5f_net" in graph


def _drifted(tmp_path: Path) -> Path:
    """three-tier whose app -> db flow moved from 3306 to 5432."""
    text = THREE_TIER.read_text()
    assert "ports: [3306]" in text
    path = tmp_path / "drifted.yaml"
    path.write_text(text.replace("ports: [3306]", "ports: [5432]"))
    return path


def _link_styles(text: str) -> dict[int, str]:
    return {int(m.group(1)): m.group(2) for m in re.finditer(r"linkStyle (\d+) (\S+)", text)}


def test_findings_are_marked_against_the_blueprint(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diagram", str(_drifted(tmp_path)), "--blueprint", str(THREE_TIER)]) == 0
    text = capsys.readouterr().out
    links = [line.strip() for line in text.splitlines()
             if re.search(r" (---|-\.-|-->|-\.->)[| ]", line)]
    broken = links.index('t_app -.->|"BROKEN app_to_db_tcp: tcp 3306"| t_db')
    unintended = links.index('t_app -->|"UNINTENDED tcp 5432"| t_db')
    styles = _link_styles(text)
    assert styles[broken].startswith("stroke:#ff7f0e")  # orange, dashed arrow
    assert styles[unintended].startswith("stroke:#d62728")  # red
    assert 't_web -->|"web_to_app_tcp: tcp 8080"| t_app' in links  # intact: plain
    graph = workflow.diagram(workflow.check(workflow.load(_drifted(tmp_path))).network,
                             title="t", blueprint=workflow.load(THREE_TIER))
    kinds = {(e.src, e.dst, e.kind) for e in graph.edges}
    assert kinds == {("internet", "web", "flow"), ("web", "app", "flow"),
                     ("app", "db", "broken"), ("app", "db", "unintended")}


def test_a_blueprint_alone_draws_its_flows_unmarked(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diagram", str(THREE_TIER)]) == 0
    text = capsys.readouterr().out
    assert "BROKEN" not in text
    assert "UNINTENDED" not in text
    assert text in (ROOT / "modules" / "three-tier" / "README.md").read_text()


def _svg_texts(svg: str) -> list[str]:
    return sorted(html.unescape(t) for t in re.findall(r"<text[^>]*>([^<]*)</text>", svg))


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


# The README's pictures of each inspection mode: ingress alone, egress alone, both (the
# shipped blueprint, with its ALB), drawn by the tool like docs/three-tier.*.
_MODE_PICTURES = {"inspection-ingress": DOCS / "blueprints" / "inspection-ingress.yaml",
                  "inspection-egress": DOCS / "blueprints" / "inspection-egress.yaml",
                  "inspection-east-west": DOCS / "blueprints" / "inspection-east-west.yaml",
                  "inspected": ROOT / "blueprints" / "inspected.yaml"}


@needs_dot
@pytest.mark.parametrize("name", sorted(_MODE_PICTURES))
def test_the_inspection_pictures_in_docs_are_what_the_tool_draws(name: str,
                                                                  tmp_path: Path) -> None:
    svg, png = tmp_path / f"{name}.svg", tmp_path / f"{name}.png"
    source = str(_MODE_PICTURES[name])
    assert main(["diagram", source, "--format", "svg", "--out", str(svg)]) == 0
    assert main(["diagram", source, "--format", "png", "--out", str(png)]) == 0
    texts = _svg_texts(svg.read_text())
    assert "endpoint us-east-1a" in texts
    assert _svg_texts((DOCS / f"{name}.svg").read_text()) == texts
    assert _png_size(png.read_bytes()) == _png_size((DOCS / f"{name}.png").read_bytes())


def _hops(name: str) -> set[tuple[str, str, str]]:
    """The diagram's route hops of a mode picture, with subnet and endpoint nodes named by
    (tier or "firewall", AZ) so the expectations read as the routing does."""
    checked = workflow.check(workflow.load(_MODE_PICTURES[name]))
    picture = workflow.diagram(checked.network, title=name, blueprint=checked.loaded,
                               own=True)
    names = {f"s{t.first + i}": f"{t.name} {az[-1]}" for t in picture.tiers
             for i, (az, _) in enumerate(t.subnets)}
    names |= {node_id("f", az): f"firewall {az[-1]}" for az, _ in picture.firewall}
    names |= {node_id("g", g.key): g.key for g in picture.gateways}
    return {(names[h.src], h.tier or names[h.dst], h.label) for h in picture.hops}


def test_ingress_is_drawn_igw_to_firewall_to_web_and_back_per_az() -> None:
    assert _hops("inspection-ingress") == {
        ("web a", "firewall a", "0.0.0.0/0"), ("web b", "firewall b", "0.0.0.0/0"),
        ("igw", "firewall a", "edge table: 10.0.1.0/24"),
        ("igw", "firewall b", "edge table: 10.0.2.0/24"),
        ("firewall a", "igw", "0.0.0.0/0"), ("firewall b", "igw", "0.0.0.0/0")}


def test_egress_is_drawn_app_to_firewall_to_nat_and_the_return_per_az() -> None:
    hops = _hops("inspection-egress")
    nat = {h[1] for h in hops if h[0] == "firewall a"}
    assert len(nat) == 1
    assert next(iter(nat)).startswith("nat")
    assert hops == {
        ("app a", "firewall a", "0.0.0.0/0"), ("app b", "firewall b", "0.0.0.0/0"),
        ("firewall a", *nat, "0.0.0.0/0"),
        ("firewall b", *{h[1] for h in hops if h[0] == "firewall b"}, "0.0.0.0/0"),
        # The NAT subnets' return to each private subnet through that subnet's own AZ.
        ("web a", "firewall a", "10.0.11.0/24"), ("web b", "firewall b", "10.0.12.0/24")}
    assert {h[1] for h in hops if h[0] == "firewall b"} != nat  # one NAT per AZ


def test_east_west_is_drawn_per_subnet_pair_through_the_app_subnet_s_endpoint() -> None:
    """East-west alone: each app subnet routes each db subnet to the endpoint of its own
    AZ, and each db subnet routes that app subnet back to the same endpoint (app is listed
    first, so the app subnet's AZ picks); no default route takes the firewall."""
    assert _hops("inspection-east-west") == {
        ("app a", "firewall a", "10.0.21.0/24"), ("app a", "firewall a", "10.0.22.0/24"),
        ("app b", "firewall b", "10.0.21.0/24"), ("app b", "firewall b", "10.0.22.0/24"),
        ("db a", "firewall a", "10.0.11.0/24"), ("db b", "firewall a", "10.0.11.0/24"),
        ("db a", "firewall b", "10.0.12.0/24"), ("db b", "firewall b", "10.0.12.0/24")}


def test_both_modes_and_the_alb_are_drawn_nat_then_firewall() -> None:
    """Both modes: the private tiers keep their NAT route, web (NAT's tier) leaves through
    the firewall; the ALB is a node in web with its listener, an edge to app on 8443."""
    assert _hops("inspected") == {
        ("web a", "firewall a", "0.0.0.0/0"), ("web b", "firewall b", "0.0.0.0/0"),
        ("igw", "firewall a", "edge table: 10.0.1.0/24"),
        ("igw", "firewall b", "edge table: 10.0.2.0/24"),
        ("firewall a", "igw", "0.0.0.0/0"), ("firewall b", "igw", "0.0.0.0/0"),
        ("lb:aws_lb.lb_web", "app", "targets: tcp 8443")}
    checked = workflow.check(workflow.load(_MODE_PICTURES["inspected"]))
    picture = workflow.diagram(checked.network, title="x", blueprint=checked.loaded, own=True)
    (lb,) = [g for g in picture.gateways if g.key.startswith("lb:")]
    assert (lb.tier, lb.label) == ("web", "ALB aws_lb.lb_web\nlisteners: HTTPS 443")
    assert all(key.startswith("nat") for key in next(
        t for t in picture.tiers if t.name == "app").routes)
    # Without the blueprint, the analyzer's proxied flow names the LB's target tier.
    alone = workflow.diagram(checked.network, title="x")
    assert [h.label for h in alone.hops if (h.src, h.tier) == (
        node_id("g", "lb:aws_lb.lb_web"), "app")] == ["targets: tcp 8443"]


@needs_dot
def test_svg_and_png_are_drawn_by_graphviz_like_the_committed_docs(tmp_path: Path) -> None:
    svg, png = tmp_path / "three-tier.svg", tmp_path / "three-tier.png"
    assert main(["diagram", str(THREE_TIER), "--format", "svg", "--out", str(svg)]) == 0
    assert main(["diagram", str(THREE_TIER), "--format", "png", "--out", str(png)]) == 0
    drawn = svg.read_text()
    assert drawn.lstrip().startswith("<?xml")
    assert "<svg" in drawn
    texts = _svg_texts(drawn)
    for label in ("web (public)", "app (private)", "db (isolated)", "10.0.21.0/24",
                  "us-east-1b", "internet gateway", "NAT gateway (us-east-1a)",
                  "internet_to_web_tcp: tcp 80,443", "app_to_db_tcp: tcp 3306"):
        assert label in texts, label
    # docs/ holds what the tool draws (regenerate: see the README's command table).
    assert _svg_texts((DOCS / "three-tier.svg").read_text()) == texts
    assert _png_size(png.read_bytes()) == _png_size((DOCS / "three-tier.png").read_bytes())


def test_without_dot_svg_is_refused_naming_the_package(tmp_path: Path) -> None:
    bare = tmp_path / "bin"
    bare.mkdir()
    done = subprocess.run([sys.executable, "-m", "tierform.cli", "diagram", str(THREE_TIER),
                           "--format", "svg", "--out", str(tmp_path / "x.svg")],
                          env={"PATH": str(bare), "PYTHONPATH": str(ROOT / "generator")},
                          capture_output=True, text=True, check=False, cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert "apt-get install graphviz" in done.stderr
    assert not (tmp_path / "x.svg").exists()

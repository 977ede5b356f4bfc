"""Blueprints the render tests share: the shipped ones, the valid corpus, and variants
that reach the branches a shipped blueprint does not (no flow logs, an existing bucket,
icmp and all-traffic flows, no NAT). ``case`` is parametrized over all of them."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from tierform.blueprint.load import load_blueprint_text
from tierform.layout import Layout, plan_layout
from tierform.render.module import render_module

ROOT = Path(__file__).resolve().parents[3]


def blueprint_data(name: str) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((ROOT / "blueprints" / f"{name}.yaml").read_text())
    return data


def _variants() -> dict[str, dict[str, Any]]:
    four = blueprint_data("four-tier")
    out: dict[str, dict[str, Any]] = {}
    v = copy.deepcopy(four)
    v.pop("flow_logs")
    v["nat"] = "none"
    v["flows"] = [f for f in v["flows"] if f["to"] != "internet"]
    out["no-flow-logs"] = v
    v = copy.deepcopy(four)
    v["flows"] += [{"from": "web", "to": "app", "protocol": "icmp"},
                   {"from": "app", "to": "internet", "protocol": "all"},
                   {"from": "corp", "to": "db", "ports": [5432]}]
    out["icmp-all"] = v
    v = copy.deepcopy(four)
    v["flow_logs"] = {"destination": "s3", "bucket_arn": "arn:aws:s3:::central-logs/vpc",
                      "fields": ["srcaddr", "dstaddr"], "retention_days": 0}
    out["existing-bucket"] = v
    return out


def _cases() -> dict[str, dict[str, Any]]:
    cases = {p.stem: yaml.safe_load(p.read_text())
             for p in sorted((ROOT / "blueprints").glob("*.yaml"))}
    cases |= {f"corpus-{p.stem}": yaml.safe_load(p.read_text())
              for p in sorted((ROOT / "tests" / "unit" / "corpus_valid").glob("*.yaml"))}
    return cases | _variants()


CASES = _cases()


def _layout_of(data: dict[str, Any], name: str = "case") -> Layout:
    loaded = load_blueprint_text(yaml.safe_dump(data, sort_keys=False), f"{name}.yaml")
    return plan_layout(loaded.blueprint, loaded.allocation)


class Case:
    """One blueprint, its layout and its rendered files."""

    def __init__(self, name: str, data: dict[str, Any]) -> None:
        self.name = name
        self.data = data
        self.layout = _layout_of(data, name)
        self.files = render_module(self.layout)


_RENDERED: dict[str, Case] = {}


def _case(name: str) -> Case:
    if name not in _RENDERED:
        _RENDERED[name] = Case(name, CASES[name])
    return _RENDERED[name]


@pytest.fixture(params=sorted(CASES))
def case(request: pytest.FixtureRequest) -> Case:
    """Each shared blueprint in turn (rendered once per process)."""
    return _case(str(request.param))


@pytest.fixture
def named_case() -> Any:
    """``named_case("icmp-all")``: one shared blueprint by name."""
    return _case


@pytest.fixture
def layout_of() -> Any:
    """``layout_of(data)``: the layout of a blueprint given as data (loaded and checked)."""
    return _layout_of


@pytest.fixture
def four_tier() -> dict[str, Any]:
    """A fresh copy of blueprints/four-tier.yaml as data, to vary."""
    return blueprint_data("four-tier")

"""Every shipped blueprint is applied by e2e: one ``test_apply_shipped_<name>.py`` each."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_shipped_blueprint_has_its_e2e_apply_module() -> None:
    blueprints = {p.stem.replace("-", "_") for p in (ROOT / "blueprints").glob("*.yaml")}
    modules = {p.stem.removeprefix("test_apply_shipped_")
               for p in (ROOT / "tests" / "e2e").glob("test_apply_shipped_*.py")}
    assert blueprints, "no shipped blueprint found"
    assert modules == blueprints, (
        f"missing e2e modules: {sorted(blueprints - modules)}, "
        f"stale: {sorted(modules - blueprints)} (copy test_apply_shipped_two_tier.py)")
    for stem in blueprints:
        text = (ROOT / "tests" / "e2e" / f"test_apply_shipped_{stem}.py").read_text()
        assert f'cases_for("{stem.replace("_", "-")}")' in text, stem

"""The plugin as a user meets it: a project outside this repository, pytest auto-loads it.

The user's project has no conftest and no set-up: only `pip install tierform` (here
the editable install) and a test file. Shares this session's plan cache through
TIERFORM_CACHE_DIR, as a CI job would, so it costs no extra plan when warm.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytestmark = pytest.mark.terraform

ROOT = Path(__file__).resolve().parents[2]
BLUEPRINT = ROOT / "blueprints" / "three-tier.yaml"

USER_TESTS = '''
BLUEPRINT = {blueprint!r}


def test_db_isolated(tierform_plan, request):
    assert request.node.get_closest_marker("terraform") is not None  # added by the plugin
    plan = tierform_plan(BLUEPRINT)
    db_tables = {{t.address for t in plan.resources("aws_route_table", tier="db")}}
    assert len(db_tables) == 2
    for route in plan.resources("aws_route"):
        assert not set(plan.references(route.address, "route_table_id")) & db_tables
    for subnet in plan.resources("aws_subnet", tier="db"):
        subnet.assert_matches({{"map_public_ip_on_launch": False}})


def test_rendered_module(tierform_render):
    module = tierform_render(BLUEPRINT)
    assert (module / "versions.tf").is_file()


def test_markers_are_registered(pytestconfig):
    assert any(line.startswith("terraform:") for line in pytestconfig.getini("markers"))
'''


def _run_pytest(project: Path, cache_dir: Path) -> subprocess.CompletedProcess[str]:
    """pytest in a user's project: only the installed package, this session's plan cache."""
    env = {**os.environ, "TIERFORM_CACHE_DIR": str(cache_dir)}
    env.pop("PYTHONPATH", None)
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=project, env=env, capture_output=True, text=True, timeout=600, check=False,
    )


def test_user_project_outside_the_repo(tmp_path: Path, tierform_cache_dir: Path) -> None:
    project = tmp_path / "user-project"
    project.mkdir()
    assert ROOT not in project.parents
    (project / "test_network.py").write_text(
        textwrap.dedent(USER_TESTS.format(blueprint=str(BLUEPRINT))))
    result = _run_pytest(project, tierform_cache_dir)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 passed" in result.stdout, result.stdout


def _readme_example() -> str:
    """The first Python block of the README's "Testing your blueprints" section."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Testing your blueprints", 1)[1]
    return section.split("```python\n", 1)[1].split("```", 1)[0]


def test_readme_example_passes_as_written(tmp_path: Path, tierform_cache_dir: Path) -> None:
    """The README's example test, verbatim, in a user project holding a blueprints/ folder."""
    project = tmp_path / "readme-project"
    (project / "blueprints").mkdir(parents=True)
    (project / "blueprints" / "three-tier.yaml").write_bytes(BLUEPRINT.read_bytes())
    example = _readme_example()
    assert "def test_" in example
    (project / "test_network.py").write_text(example, encoding="utf-8")
    result = _run_pytest(project, tierform_cache_dir)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{example.count('def test_')} passed" in result.stdout, result.stdout
